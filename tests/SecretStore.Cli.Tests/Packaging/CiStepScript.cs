using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace SecretStore.Cli.Tests.Packaging;

/// <summary>
/// The shell step of the GitHub composite action or the Azure Pipelines template, read from the YAML as CI
/// would: the script text and its env mapping, with <c>${{ inputs.x }}</c> / <c>${{ parameters.x }}</c>
/// replaced by the given values (or the declared defaults) and the runner's temp folder by a test folder.
/// </summary>
public sealed partial record CiStepScript(string Script, IReadOnlyDictionary<string, string> Environment)
{
    public static CiStepScript FromGitHubAction(string path, IReadOnlyDictionary<string, string> inputs, string runnerTemp)
    {
        var root = Load(path);
        var defaults = ((YamlMappingNode)root["inputs"]).Children.ToDictionary(
            p => ((YamlScalarNode)p.Key).Value!,
            p => ((YamlMappingNode)p.Value).Children.TryGetValue(new YamlScalarNode("default"), out var d) ? ((YamlScalarNode)d).Value ?? string.Empty : string.Empty);
        var runs = (YamlMappingNode)root["runs"];
        Assert.Equal("composite", ((YamlScalarNode)runs["using"]).Value);
        var step = ((YamlSequenceNode)runs["steps"]).Children.Cast<YamlMappingNode>().Single(s => s.Children.ContainsKey(new YamlScalarNode("run")));
        Assert.Equal("bash", ((YamlScalarNode)step["shell"]).Value);
        var environment = Evaluate((YamlMappingNode)step["env"], expression =>
            expression == "runner.temp" ? runnerTemp
            : expression.StartsWith("inputs.", StringComparison.Ordinal) ? Lookup(inputs, defaults, expression["inputs.".Length..])
            : throw new InvalidOperationException($"Unknown expression '{expression}' in {path}."));
        return new CiStepScript(((YamlScalarNode)step["run"]).Value!, environment);
    }

    public static CiStepScript FromAzureTemplate(string path, IReadOnlyDictionary<string, string> parameters, string agentTemp)
    {
        var root = Load(path);
        var defaults = ((YamlSequenceNode)root["parameters"]).Children.Cast<YamlMappingNode>().ToDictionary(
            p => ((YamlScalarNode)p["name"]).Value!,
            p => p.Children.TryGetValue(new YamlScalarNode("default"), out var d) && d is YamlScalarNode s ? s.Value ?? string.Empty : string.Empty);
        var step = ((YamlSequenceNode)root["steps"]).Children.Cast<YamlMappingNode>().Single(s => s.Children.ContainsKey(new YamlScalarNode("bash")));
        var environment = Evaluate((YamlMappingNode)step["env"], expression =>
            expression.StartsWith("parameters.", StringComparison.Ordinal) ? Lookup(parameters, defaults, expression["parameters.".Length..])
            : throw new InvalidOperationException($"Unknown expression '{expression}' in {path}."));
        foreach (var key in environment.Keys.ToList())
        {
            environment[key] = environment[key].Replace("$(Agent.TempDirectory)", agentTemp, StringComparison.Ordinal);
        }

        return new CiStepScript(((YamlScalarNode)step["bash"]).Value!, environment);
    }

    private static YamlMappingNode Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string Lookup(IReadOnlyDictionary<string, string> given, Dictionary<string, string> defaults, string name) =>
        given.TryGetValue(name, out var value) ? value
        : defaults.TryGetValue(name, out var fallback) ? fallback
        : throw new InvalidOperationException($"'{name}' is not declared.");

    private static Dictionary<string, string> Evaluate(YamlMappingNode env, Func<string, string> evaluate)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in env.Children)
        {
            var name = ((YamlScalarNode)key).Value!;
            if (name.StartsWith("${{", StringComparison.Ordinal))
            {
                continue; // a template loop over extra variables; none are given in these tests
            }

            result[name] = Expression().Replace(((YamlScalarNode)value).Value ?? string.Empty, m => evaluate(m.Groups[1].Value));
        }

        return result;
    }

    [GeneratedRegex(@"\$\{\{\s*([\w.-]+)\s*\}\}")]
    private static partial Regex Expression();
}

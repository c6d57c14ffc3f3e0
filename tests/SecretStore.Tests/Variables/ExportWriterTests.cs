using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SecretStore.Diagnostics;
using SecretStore.Secrets;
using SecretStore.Testing.Logs;
using SecretStore.Testing.Processes;
using SecretStore.Variables;
using SecretStore.Variables.Export;

namespace SecretStore.Tests.Variables;

/// <summary>
/// Each format is read back by its consumer's own parser where one runs here (bash for shell and dotenv, System.Text.Json,
/// a model of the GitHub runner's env-file reader) to exactly the value, for hostile values drawn from the characters
/// the formats treat specially; a value a format cannot carry is refused, naming the variable and never the value.
/// </summary>
public sealed class ExportWriterTests
{
    private const string Hostile = "'\"\\$`!#=:; \t\n\r{}*?~&|<>()[]^%é😀-aZ09";

    /// <summary>A fixed seed: the same hostile values on every run, so a failure reproduces.</summary>
    private static IReadOnlyList<SecretVariable> HostileVariables(int count, Func<string, bool>? keep = null)
    {
        var random = new Random(20261207);
        var variables = new List<SecretVariable>
        {
            Variable("EMPTY", string.Empty),
            Variable("TRAILING_NEWLINES", "pem-like\n\n"),
            Variable("ONLY_QUOTE", "it's"),
        };
        while (variables.Count < count)
        {
            var value = new StringBuilder();
            var length = random.Next(0, 24);
            for (var i = 0; i < length; i++)
            {
                var index = random.Next(Hostile.Length);
                value.Append(char.IsHighSurrogate(Hostile[index]) ? Hostile.Substring(index, 2) : char.IsLowSurrogate(Hostile[index]) ? "x" : Hostile[index].ToString());
            }

            if (keep is null || keep(value.ToString()))
            {
                variables.Add(Variable($"V{variables.Count}", value.ToString()));
            }
        }

        return variables;
    }

    [Fact]
    public async Task Shell_lines_sourced_by_bash_give_back_exactly_every_hostile_value() =>
        await AssertBashReadsBackAsync(ExportFormat.Shell, ". \"$1\"", HostileVariables(150));

    [Fact]
    public async Task Dotenv_lines_read_by_bash_with_set_a_give_back_exactly_every_value_the_format_takes() =>
        await AssertBashReadsBackAsync(ExportFormat.Dotenv, "set -a; . \"$1\"; set +a", HostileVariables(150, DotenvTakes));

    [Fact]
    public async Task Dotenv_read_by_node_env_file_gives_back_exactly_every_value_the_format_takes()
    {
        // A real consumer of the format (Node's own --env-file reader, node is on every machine .ci/run prepares).
        // Red team: it turned CR LF into LF and dropped a lone CR, so dotenv now refuses a carriage return.
        var variables = HostileVariables(150, DotenvTakes);
        using var folder = new TempDirectory();
        var file = folder.Combine("exported.env");
        await File.WriteAllTextAsync(file, ExportWriter.Render(ExportFormat.Dotenv, variables), new UTF8Encoding(false));
        const string Script = "const c=require('crypto');for(const n of process.argv.slice(1)){const v=process.env[n];console.log(v===undefined?'unset':c.createHash('sha256').update(v,'utf8').digest('hex'))}";

        var result = await ToolProcess.RunAsync("node", ["--env-file=" + file, "-e", Script, .. variables.Select(v => v.Name)], folder.Path, TimeSpan.FromMinutes(1));

        Assert.True(result.Succeeded, result.ToString());
        var expected = variables.Select(v => v.Name + " " + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(v.Value))));
        var actual = variables.Select(v => v.Name).Zip(result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries), (n, h) => n + " " + h);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Json_parsed_back_gives_every_hostile_value_exactly_sorted_by_name()
    {
        var variables = HostileVariables(150);

        var text = ExportWriter.Render(ExportFormat.Json, variables);

        using var document = JsonDocument.Parse(text);
        var names = document.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(variables.Select(v => v.Name).Order(StringComparer.Ordinal), names);
        Assert.All(variables, v => Assert.Equal(v.Value, document.RootElement.GetProperty(v.Name).GetString()));
        Assert.EndsWith("}\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", text, StringComparison.Ordinal);
    }

    [Fact]
    public void GitHub_env_blocks_read_by_the_runner_model_give_back_every_value_without_a_carriage_return()
    {
        var variables = HostileVariables(150, value => !value.Contains('\r', StringComparison.Ordinal));

        var parsed = GitHubEnvFileParser.Parse(ExportWriter.Render(ExportFormat.GitHubEnv, variables));

        Assert.Equal(variables.Count, parsed.Count);
        Assert.All(variables, v => Assert.Equal(v.Value, parsed[v.Name]));
    }

    [Fact]
    public void GitHub_env_delimiters_are_random_and_differ_for_each_block()
    {
        var first = ExportWriter.GitHubEnvBlock("A", "value");
        var second = ExportWriter.GitHubEnvBlock("A", "value");

        Assert.NotEqual(first, second);
        Assert.Matches("^A<<ghadelimiter_[0-9a-f]{32}\nvalue\nghadelimiter_[0-9a-f]{32}$", first);
    }

    [Fact]
    public void Azure_variables_are_secret_logging_commands_escaped_as_the_agent_decodes_them() =>
        Assert.Equal(
            "##vso[task.setvariable variable=Db;issecret=true]a%AZP25b%3Bc%5D%0D%0Ad\n",
            ExportWriter.Render(ExportFormat.AzureVariables, [Variable("Db", "a%b;c]\r\nd")]));

    [Theory]
    [InlineData(ExportFormat.Dotenv, "it's $HOME", "a single quote together with")]
    [InlineData(ExportFormat.Dotenv, "it's\nmulti", "a single quote together with")]
    [InlineData(ExportFormat.GitHubEnv, "line\r\nend", "a carriage return")]
    [InlineData(ExportFormat.Dotenv, "Cnry-c1\rCnry-c2", "a carriage return")]
    [InlineData(ExportFormat.Dotenv, "line\r\nend", "a carriage return")]
    [InlineData(ExportFormat.Dotenv, "C:\\dir\\", "a backslash at the end")]
    [InlineData(ExportFormat.Json, "nul\0inside", "a NUL character")]
    [InlineData(ExportFormat.Shell, "nul\0inside", "a NUL character")]
    [InlineData(ExportFormat.AzureVariables, "nul\0inside", "a NUL character")]
    public void A_value_the_format_cannot_carry_is_SSB4003_naming_the_variable_and_secret_but_not_the_value(ExportFormat format, string value, string problem)
    {
        var error = Assert.Throws<SecretStoreException>(() => ExportWriter.Render(format, [Variable("Fine", "fine-value"), Variable("Bad", value)]));

        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal(DiagnosticCodes.ValueNotExportable, diagnostic.Code);
        Assert.Contains("'shop/Bad' (variable 'Bad')", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains(problem, diagnostic.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(value.Split('\n', '\r', '\0')[0], error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dotenv_puts_a_value_with_only_a_single_quote_between_double_quotes_and_every_other_between_single_quotes() =>
        Assert.Equal(
            "A=\"it's\"\nB='a \"b\" $c \\d\nline'\n",
            ExportWriter.Render(ExportFormat.Dotenv, [Variable("B", "a \"b\" $c \\d\nline"), Variable("A", "it's")]));

    [Theory]
    [InlineData("DOTENV", ExportFormat.Dotenv)]
    [InlineData("github-env", ExportFormat.GitHubEnv)]
    [InlineData(" azure-variables ", ExportFormat.AzureVariables)]
    public void Format_names_parse_ignoring_case(string name, ExportFormat expected) => Assert.Equal(expected, ExportWriter.Parse(name));

    [Fact]
    public void An_unknown_format_is_SSB0001_listing_the_names() =>
        Assert.Contains("dotenv, json, shell, github-env, azure-variables", Assert.Throws<SecretStoreException>(() => ExportWriter.Parse("yaml")).Message, StringComparison.Ordinal);

    private static bool DotenvTakes(string value) =>
        (!value.Contains('\'', StringComparison.Ordinal) || value.AsSpan().IndexOfAny("\"\\$`\r\n") < 0)
        && !value.Contains('\r', StringComparison.Ordinal) && !value.EndsWith('\\');

    private static SecretVariable Variable(string name, string value) => new(name, new SecretId("shop", name), value);

    private static async Task AssertBashReadsBackAsync(ExportFormat format, string load, IReadOnlyList<SecretVariable> variables)
    {
        using var folder = new TempDirectory();
        var file = folder.Combine("exported");
        await File.WriteAllTextAsync(file, ExportWriter.Render(format, variables), new UTF8Encoding(false));

        // Hashes only: the script never prints a value. ${!n} reads the variable named by n.
        var script = $"set -eu; {load}; shift; for n in \"$@\"; do printf '%s' \"${{!n}}\" | sha256sum | cut -c1-64; done";
        var result = await ToolProcess.RunAsync("bash", ["-c", script, "bash", file, .. variables.Select(v => v.Name)], folder.Path, TimeSpan.FromMinutes(1));

        Assert.True(result.Succeeded, result.ToString());
        var hashes = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(variables.Select(v => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(v.Value)))), hashes);
    }
}

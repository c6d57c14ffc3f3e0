namespace SecretStore.Cli.Tests.Ci;

/// <summary>
/// A line-for-line model of how microsoft/azure-pipelines-agent turns a <c>##vso[task.setsecret]</c> line into
/// masks and masks a log line: <c>Command.TryParse</c> (src/Microsoft.VisualStudio.Services.Agent/Command.cs),
/// <c>CommandStringConvertor.Unescape</c> (src/Agent.Sdk/CommandStringConvertor.cs) and
/// <c>TaskCommandHelper.AddSecret</c> (src/Agent.Worker/TaskCommandExtension.cs), with the DECODE_PERCENTS knob
/// (<c>AgentKnobs.DecodePercents</c>) as <paramref name="decodePercents"/>. Agents from 3.220.1 on (commit
/// c4e9eec1c) also add the percent-decoded data when the knob is off; older ones do not
/// (<paramref name="addsPercentDecodedCopy"/>). The masker replaces every occurrence of every value, overlapping
/// ones merged, with <c>***</c>, as the agent's SecretMasker does.
/// </summary>
internal sealed class AzureAgentModel(bool decodePercents, bool addsPercentDecodedCopy)
{
    private const string LoggingCommandPrefix = "##vso[";

    // _specialSymbolsMapping, in the agent's order.
    private static readonly (string Token, string Replacement)[] SpecialSymbols = [(";", "%3B"), ("\r", "%0D"), ("\n", "%0A"), ("]", "%5D")];

    private readonly List<string> _secrets = [];
    private readonly Dictionary<string, string> _variables = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The behaviours to test against: percent decoding on (the default), off on a current agent, off on an agent before 3.220.1.</summary>
    public static TheoryData<string> Behaviours => new() { "decoding", "not-decoding", "not-decoding-before-3.220.1" };

    public IReadOnlyList<string> Secrets => _secrets;

    /// <summary>The variables set by <c>##vso[task.setvariable]</c> (the agent's variable names ignore case).</summary>
    public IReadOnlyDictionary<string, string> Variables => _variables;

    public static AzureAgentModel For(string behaviour) => behaviour switch
    {
        "decoding" => new(decodePercents: true, addsPercentDecodedCopy: true),
        "not-decoding" => new(decodePercents: false, addsPercentDecodedCopy: true),
        "not-decoding-before-3.220.1" => new(decodePercents: false, addsPercentDecodedCopy: false),
        _ => throw new ArgumentOutOfRangeException(nameof(behaviour)),
    };

    /// <summary>One line of a step's output: a logging command is processed, any other line is left alone.</summary>
    public void ProcessLine(string message)
    {
        // Command.TryParse. The agent's IndexOf(string) is culture-sensitive; for this ASCII prefix ordinal is the same.
        var prefixIndex = message.IndexOf(LoggingCommandPrefix, StringComparison.Ordinal);
        if (prefixIndex < 0)
        {
            return;
        }

        var rbIndex = message.IndexOf(']', prefixIndex);
        if (rbIndex < 0)
        {
            return;
        }

        var cmdIndex = prefixIndex + LoggingCommandPrefix.Length;
        var cmdInfo = message[cmdIndex..rbIndex];
        var spaceIndex = cmdInfo.IndexOf(' ', StringComparison.Ordinal);
        var commandName = spaceIndex < 0 ? cmdInfo : cmdInfo[..spaceIndex];
        var areaEvent = commandName.Split('.', StringSplitOptions.RemoveEmptyEntries);
        if (areaEvent.Length != 2)
        {
            return;
        }

        var data = Unescape(message[(rbIndex + 1)..], decodePercents);
        if (string.Equals(areaEvent[0], "task", StringComparison.OrdinalIgnoreCase) && string.Equals(areaEvent[1], "setsecret", StringComparison.OrdinalIgnoreCase))
        {
            AddSecret(data);
        }
        else if (string.Equals(areaEvent[0], "task", StringComparison.OrdinalIgnoreCase) && string.Equals(areaEvent[1], "setvariable", StringComparison.OrdinalIgnoreCase))
        {
            // Command.TryParse's properties: "k=v;k=v" after the first space, each value unescaped like the data.
            var properties = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var text = spaceIndex < 0 ? string.Empty : cmdInfo[(spaceIndex + 1)..];
            foreach (var property in text.Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                var pair = property.Split('=', 2);
                properties[pair[0]] = pair.Length == 2 ? Unescape(pair[1], decodePercents) : string.Empty;
            }

            // TaskSetVariableCommand: the name is required, issecret=true also registers the value as a secret.
            var name = properties.GetValueOrDefault("variable") ?? throw new InvalidOperationException("setvariable without 'variable'");
            _variables[name] = data;
            if (string.Equals(properties.GetValueOrDefault("issecret"), "true", StringComparison.OrdinalIgnoreCase))
            {
                AddSecret(data);
            }
        }
    }

    /// <summary>The log line as the agent shows it.</summary>
    public string Mask(string line)
    {
        var masked = new bool[line.Length];
        foreach (var secret in _secrets)
        {
            for (var at = line.IndexOf(secret, StringComparison.Ordinal); at >= 0; at = line.IndexOf(secret, at + 1, StringComparison.Ordinal))
            {
                Array.Fill(masked, true, at, secret.Length);
            }
        }

        var result = new System.Text.StringBuilder();
        for (var i = 0; i < line.Length; i++)
        {
            if (!masked[i])
            {
                result.Append(line[i]);
            }
            else if (i == 0 || !masked[i - 1])
            {
                result.Append("***");
            }
        }

        return result.ToString();
    }

    private static string Unescape(string escaped, bool unescapePercents)
    {
        if (string.IsNullOrEmpty(escaped))
        {
            return string.Empty;
        }

        var unescaped = escaped;
        foreach (var (token, replacement) in SpecialSymbols)
        {
            unescaped = unescaped.Replace(replacement, token, StringComparison.Ordinal);
        }

        if (unescapePercents)
        {
            unescaped = unescaped.Replace("%AZP25", "%", StringComparison.Ordinal);
        }

        return unescaped;
    }

    private void AddSecret(string value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            _secrets.Add(value);
            if (!decodePercents && addsPercentDecodedCopy)
            {
                _secrets.Add(Unescape(value, true));
            }
        }
    }
}

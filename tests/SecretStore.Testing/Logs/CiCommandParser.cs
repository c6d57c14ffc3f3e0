namespace SecretStore.Testing.Logs;

/// <summary>A workflow or logging command as a CI runner reads it: its name, properties and data, unescaped.</summary>
/// <param name="Name">GitHub: the command (<c>error</c>); Azure: <c>area.event</c> (<c>task.logissue</c>).</param>
/// <param name="Properties">The properties, unescaped, names ignoring case as both runners keep them.</param>
/// <param name="Data">The message, unescaped.</param>
public sealed record CiCommand(string Name, IReadOnlyDictionary<string, string> Properties, string Data);

/// <summary>
/// The two runners' command parsers, ported line for line so that a test checks an annotation against the grammar
/// the runner really applies, not against our own formatter: GitHub's <c>ActionCommand.TryParseV2</c>
/// (actions/runner, src/Runner.Common/ActionCommand.cs) and the Azure Pipelines agent's <c>Command.TryParse</c> with
/// <c>CommandStringConvertor.Unescape</c> (microsoft/azure-pipelines-agent, src/Microsoft.VisualStudio.Services.Agent/Command.cs,
/// src/Agent.Sdk/CommandStringConvertor.cs).
/// </summary>
public static class CiCommandParser
{
    /// <summary>GitHub: <c>::name k=v,k=v::data</c> after leading white space; property values unescape <c>%0D %0A %3A %2C %25</c>, data <c>%0D %0A %25</c>, in that order.</summary>
    public static CiCommand? ParseGitHub(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        const string key = "::";
        var message = line.TrimStart();
        if (!message.StartsWith(key, StringComparison.Ordinal))
        {
            return null;
        }

        var end = message.IndexOf(key, key.Length, StringComparison.Ordinal);
        if (end < 0)
        {
            return null;
        }

        var info = message[key.Length..end];
        var space = info.IndexOf(' ', StringComparison.Ordinal);
        var name = space < 0 ? info : info[..space];
        var properties = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (space > 0)
        {
            foreach (var property in info[(space + 1)..].Trim().Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var pair = property.Split('=', 2, StringSplitOptions.RemoveEmptyEntries);
                if (pair.Length == 2)
                {
                    properties[pair[0]] = Unescape(pair[1], ("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%"));
                }
            }
        }

        return new CiCommand(name, properties, Unescape(message[(end + key.Length)..], ("%0D", "\r"), ("%0A", "\n"), ("%25", "%")));
    }

    /// <summary>
    /// Azure: <c>##vso[area.event k=v;k=v]data</c> anywhere in the line; properties and data unescape <c>%3B %0D %0A %5D</c>,
    /// then <c>%AZP25</c> when the agent decodes percents (<paramref name="decodePercents"/>, the DECODE_PERCENTS knob).
    /// </summary>
    public static CiCommand? ParseAzure(string line, bool decodePercents = true)
    {
        ArgumentNullException.ThrowIfNull(line);
        const string prefix = "##vso[";
        var start = line.IndexOf(prefix, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        var bracket = line.IndexOf(']', start);
        if (bracket < 0)
        {
            return null;
        }

        var info = line[(start + prefix.Length)..bracket];
        var space = info.IndexOf(' ', StringComparison.Ordinal);
        var name = space < 0 ? info : info[..space];
        if (name.Split('.', StringSplitOptions.RemoveEmptyEntries).Length != 2)
        {
            return null;
        }

        var properties = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (space > 0)
        {
            foreach (var property in info[(space + 1)..].Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                var pair = property.Split('=', 2, StringSplitOptions.RemoveEmptyEntries);
                if (pair.Length == 2)
                {
                    properties[pair[0]] = AzureUnescape(pair[1], decodePercents);
                }
            }
        }

        return new CiCommand(name, properties, AzureUnescape(line[(bracket + 1)..], decodePercents));
    }

    private static string AzureUnescape(string text, bool decodePercents)
    {
        var unescaped = Unescape(text, ("%3B", ";"), ("%0D", "\r"), ("%0A", "\n"), ("%5D", "]"));
        return decodePercents ? unescaped.Replace("%AZP25", "%", StringComparison.Ordinal) : unescaped;
    }

    private static string Unescape(string text, params (string Escaped, string Token)[] mappings)
    {
        foreach (var (escaped, token) in mappings)
        {
            text = text.Replace(escaped, token, StringComparison.Ordinal);
        }

        return text;
    }
}

namespace SecretStore.Testing.Logs;

/// <summary>
/// Reads console output line by line the way the CI agents do and reports every line that one of them would
/// take as a command: GitHub's runner (<c>::</c> after leading white space, legacy <c>##[</c> anywhere) and the
/// Azure Pipelines agent (<c>##vso[</c> anywhere, case-insensitive here; a bare CR also ends a line there).
/// Lines the caller expects (the tool's own mask commands) are passed as allowed.
/// </summary>
public static class WorkflowCommandScanner
{
    /// <summary>Splits on CR, LF and CRLF, as the Azure agent does (GitHub splits on LF; this is the stricter of the two).</summary>
    public static IReadOnlyList<string> Lines(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return output.Split(["\r\n", "\r", "\n"], StringSplitOptions.None);
    }

    /// <summary>The lines that an agent would run as a workflow or logging command.</summary>
    public static IReadOnlyList<string> FindCommands(string output, Func<string, bool>? allowed = null) =>
        [.. Lines(output).Where(IsCommand).Where(l => allowed is null || !allowed(l))];

    /// <summary>True when a CI agent would read <paramref name="line"/> as a command.</summary>
    public static bool IsCommand(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return line.TrimStart().StartsWith("::", StringComparison.Ordinal)
            || line.Contains("##vso[", StringComparison.OrdinalIgnoreCase)
            || line.Contains("##[", StringComparison.Ordinal);
    }

    /// <summary>
    /// Characters that must never reach a log line raw: C0 other than TAB (a stdout row's separator), DEL, C1,
    /// U+2028/U+2029 and the bidi controls. Returns the offending code points.
    /// </summary>
    public static IReadOnlyList<int> FindControls(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return [.. line.Where(c => (c < ' ' && c != '\t') || c is >= '\u007F' and <= '\u009F' or '\u2028' or '\u2029' or '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069')).Select(c => (int)c)];
    }

    /// <summary>Throws when any line is a command (other than <paramref name="allowed"/> ones) or holds a raw control character.</summary>
    public static void AssertClean(string output, string source, Func<string, bool>? allowed = null)
    {
        var commands = FindCommands(output, allowed);
        if (commands.Count > 0)
        {
            throw new InvalidOperationException($"{source}: {commands.Count} line(s) a CI agent would run as a command, first: {commands[0]}");
        }

        foreach (var line in Lines(output))
        {
            var controls = FindControls(line);
            if (controls.Count > 0)
            {
                throw new InvalidOperationException($"{source}: a line holds raw control character U+{controls[0]:X4}: {line}");
            }
        }
    }
}

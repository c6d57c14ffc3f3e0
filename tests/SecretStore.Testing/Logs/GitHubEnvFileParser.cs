namespace SecretStore.Testing.Logs;

/// <summary>
/// A line-for-line model of how the GitHub Actions runner reads a <c>GITHUB_ENV</c> file after a step
/// (actions/runner, src/Runner.Worker/FileCommandManager.cs, <c>SetEnvFileCommand</c>): lines end at LF or CRLF;
/// <c>NAME=value</c> when the <c>=</c> comes before any <c>&lt;&lt;</c>; otherwise <c>NAME&lt;&lt;DELIMITER</c> and the
/// value is the original text from the next line up to the line break before the line that equals the delimiter.
/// Later entries of a name win. Throws where the runner fails the step.
/// </summary>
public static class GitHubEnvFileParser
{
    public static IReadOnlyDictionary<string, string> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        var index = 0;
        for (var line = ReadLine(text, ref index, out _); line is not null; line = ReadLine(text, ref index, out _))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var equalsIndex = line.IndexOf('=', StringComparison.Ordinal);
            var heredocIndex = line.IndexOf("<<", StringComparison.Ordinal);
            if (equalsIndex >= 0 && (heredocIndex < 0 || equalsIndex < heredocIndex))
            {
                var split = line.Split('=', 2);
                variables[Require(split[0])] = split[1];
            }
            else if (heredocIndex >= 0)
            {
                var split = line.Split("<<", 2);
                var key = Require(split[0]);
                var delimiter = Require(split[1]);
                var start = index;
                var end = index;
                var next = ReadLine(text, ref index, out var newline);
                while (!string.Equals(next, delimiter, StringComparison.Ordinal))
                {
                    if (next is null)
                    {
                        throw new FormatException($"Invalid value. Matching delimiter not found '{delimiter}'.");
                    }

                    if (newline is null)
                    {
                        throw new FormatException("Invalid value. EOF marker missing new line.");
                    }

                    end = index - newline.Length;
                    next = ReadLine(text, ref index, out newline);
                }

                variables[key] = end > start ? text[start..end] : string.Empty;
            }
            else
            {
                throw new FormatException("Invalid format: neither NAME=value nor NAME<<DELIMITER.");
            }
        }

        return variables;
    }

    private static string Require(string part) => part.Length > 0 ? part : throw new FormatException("Invalid format: an empty name or delimiter.");

    private static string? ReadLine(string text, ref int index, out string? newline)
    {
        if (index >= text.Length)
        {
            newline = null;
            return null;
        }

        var start = index;
        var lf = text.IndexOf('\n', index);
        if (lf < 0)
        {
            index = text.Length;
            newline = null;
            return text[start..];
        }

        var crlf = text.IndexOf("\r\n", index, StringComparison.Ordinal);
        if (crlf >= 0 && crlf < lf)
        {
            index = crlf + 2;
            newline = "\r\n";
            return text[start..crlf];
        }

        index = lf + 1;
        newline = "\n";
        return text[start..lf];
    }
}

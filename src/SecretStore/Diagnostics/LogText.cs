using System.Globalization;
using System.Text;

namespace SecretStore.Diagnostics;

/// <summary>
/// The one escaping function for text that reaches a log line or a stdout row: store content (key ids, secret
/// and application names, <c>MasterKeyId</c>), file paths and messages built from them. Every face (CLI, MSBuild
/// task, Cake addin) calls it at its output boundary, and <see cref="Diagnostic.ToMSBuildFormat"/> applies it.
/// </summary>
/// <remarks>
/// <para>
/// Control characters are shown, not obeyed: C0 (including CR, LF and TAB), DEL and C1 become <c>\xHH</c>;
/// U+2028/U+2029, the bidi controls (U+061C, U+200E/U+200F, U+202A–U+202E, U+2066–U+2069) and lone surrogates
/// become <c>\uHHHH</c>. So a name cannot start a new line or reorder what a reader sees.
/// </para>
/// <para>
/// Workflow commands are neutralised by escaping their first character as <c>\x3A</c> or <c>\x23</c>: <c>::</c>
/// at the start of the line after white space (GitHub's runner trims the line and then requires <c>::</c>,
/// <c>ActionCommand.TryParseV2</c>), and <c>##vso[</c> and <c>##[</c> anywhere in it (the Azure Pipelines agent
/// and GitHub's legacy parser look for their prefix with <c>IndexOf</c>, <c>Command.TryParse</c>).
/// </para>
/// <para>
/// A backslash is not escaped, so Windows paths stay readable and clickable; the result is for reading, not
/// for decoding. Escaping is idempotent: escaped text comes back unchanged. Never use it for output that is a
/// result the user pipes (the exact bytes of <c>get</c>) or for the CI mask commands a host writes on purpose.
/// </para>
/// </remarks>
public static class LogText
{
    /// <summary>Escapes <paramref name="text"/> as one line of log output.</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        if (!NeedsEscaping(text))
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 16);
        Append(sb, text);
        GuardLineStart(sb);
        return sb.ToString();
    }

    /// <summary>
    /// Escapes each field with <see cref="Escape"/> and joins them with TAB, the one control character kept: a
    /// tab-separated stdout row (<c>list</c>, <c>required</c>) stays a row, and cannot start a workflow command.
    /// </summary>
    public static string Row(params IEnumerable<string?> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var sb = new StringBuilder();
        var first = true;
        foreach (var field in fields)
        {
            if (!first)
            {
                sb.Append('\t');
            }

            first = false;
            Append(sb, field ?? string.Empty);
        }

        GuardLineStart(sb);
        return sb.ToString();
    }

    private static bool NeedsEscaping(string text)
    {
        foreach (var c in text)
        {
            if (IsEscaped(c))
            {
                return true;
            }
        }

        return text.Contains("##", StringComparison.Ordinal) || text.TrimStart().StartsWith("::", StringComparison.Ordinal);
    }

    private static void Append(StringBuilder sb, string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }

            if (IsEscaped(c))
            {
                sb.Append(c <= '\u00FF'
                    ? string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}")
                    : string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}"));
                continue;
            }

            if (c == '#' && IsCommandPrefix(text, i))
            {
                sb.Append("\\x23");
                continue;
            }

            sb.Append(c);
        }
    }

    private static bool IsCommandPrefix(string text, int at) =>
        text.AsSpan(at).StartsWith("##[", StringComparison.Ordinal)
        || text.AsSpan(at).StartsWith("##vso[", StringComparison.OrdinalIgnoreCase);

    /// <summary>GitHub reads <c>::</c> after leading white space (<c>TrimStart</c>) as a workflow command.</summary>
    private static void GuardLineStart(StringBuilder sb)
    {
        var i = 0;
        while (i < sb.Length && char.IsWhiteSpace(sb[i]))
        {
            i++;
        }

        if (i + 1 < sb.Length && sb[i] == ':' && sb[i + 1] == ':')
        {
            sb.Remove(i, 1).Insert(i, "\\x3A");
        }
    }

    private static bool IsEscaped(char c) =>
        c < ' '
        || c is >= '\u007F' and <= '\u009F'
        || c is '\u2028' or '\u2029' or '\u061C' or '\u200E' or '\u200F'
        || c is >= '\u202A' and <= '\u202E'
        || c is >= '\u2066' and <= '\u2069'
        || char.IsSurrogate(c);
}

namespace SecretStore.Tests.Resolution;

/// <summary>The values every peer tool gets wrong somewhere. Keyed by label so theory names stay printable.</summary>
public static class HostileValues
{
    public static readonly IReadOnlyDictionary<string, string> All = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["empty"] = "",
        ["double quotes"] = "He said \"hi\" and \"bye\"",
        ["single quotes"] = "it's 'quoted'",
        ["backslashes"] = @"C:\path\to\dir\ \\server\share\",
        ["script end tag"] = "</script><script>alert(1)</script>",
        ["cdata terminator"] = "a]]>b",
        ["ampersand"] = "a & b &amp; &#65; &lt;",
        ["angle brackets"] = "<tag attr=\"x\">text</tag>",
        ["dollar brace"] = "${HOME} ${{x}}",
        ["regex group zero"] = "$0",
        ["regex whole match"] = "$& $` $' $1 $$",
        // Placeholder text inside a value ("#{secret:Other/Name}", "##{secret:...}") is refused, not written:
        // PlaceholderInValueTests pins that (SSB1019) and the 'literal' modifier that writes it safely.
        ["another tool's token inside value"] = "#{secretKey} and #{Octopus.Var}",
        ["emoji"] = "🔑 pässwörd 密码 🚀",
        ["nul"] = "a\0b",
        ["control chars"] = "\u0001\u0007\u001b[31m\u001f\u007f",
        ["line separators"] = "a\u2028b\u2029c",
        ["tab"] = "a\tb",
        ["long 3000"] = string.Concat(Enumerable.Range(0, 400).Select(i => $"{i % 10}\"<&>\\é'x")).Substring(0, 3000),
        ["multi-line LF"] = "line1\nline2\n",
        ["multi-line CRLF"] = "line1\r\nline2\r\nline3",
        ["json-looking"] = "{\"a\":1}",
        ["comment-looking"] = "/* x */ // y <!-- z -->",
        ["braces"] = "}}{{#{",
    };

    public static TheoryData<string> Labels()
    {
        var data = new TheoryData<string>();
        foreach (var label in All.Keys)
        {
            data.Add(label);
        }

        return data;
    }

    /// <summary>True when XML 1.0 can carry the value (no C0 control other than tab, LF, CR).</summary>
    public static bool XmlCanHold(string value) => !value.Any(c => c < ' ' && c is not '\t' and not '\n' and not '\r');

    public static bool IsMultiLine(string value) => value.Contains('\n') || value.Contains('\r');

    /// <summary>
    /// The value with every letter and digit swapped for another one (punctuation, controls and line breaks kept):
    /// it fails or succeeds the same way, so any output that differs between the two depends on the value.
    /// </summary>
    public static string Disguise(string value) =>
        string.Concat(value.Select(c => char.IsLetterOrDigit(c) ? (c == 'x' ? 'y' : 'x') : c));

    public static string NormalizeNewlines(string value) => value.Replace("\r\n", "\n").Replace('\r', '\n');
}

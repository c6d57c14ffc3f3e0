using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SecretStore.Testing.Canaries;

/// <summary>
/// Builds every encoded form a secret value can take on its way into a log, a file or a stream: the text forms
/// (UTF-8, UTF-16 LE, JSON, XML, URL) and the binary-to-text forms (base64 at every byte alignment, hex).
/// </summary>
internal static partial class CanaryForms
{
    private static readonly JsonSerializerOptions DefaultJson = new();
    private static readonly JsonSerializerOptions RelaxedJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IEnumerable<(string Form, byte[] Bytes)> For(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        var utf16 = Encoding.Unicode.GetBytes(value);
        yield return ("utf8", utf8);
        yield return ("utf16le", utf16);

        foreach (var (form, text) in TextForms(value))
        {
            yield return (form, Encoding.UTF8.GetBytes(text));
            yield return (form + " in utf16le", Encoding.Unicode.GetBytes(text));
        }

        foreach (var (name, bytes) in new[] { ("utf8", utf8), ("utf16le", utf16) })
        {
            foreach (var fragment in Base64Fragments(bytes))
            {
                yield return ($"base64({name})", Encoding.ASCII.GetBytes(fragment));
                yield return ($"base64url({name})", Encoding.ASCII.GetBytes(fragment.Replace('+', '-').Replace('/', '_')));
            }

            yield return ($"hex({name})", Encoding.ASCII.GetBytes(Convert.ToHexStringLower(bytes)));
            yield return ($"HEX({name})", Encoding.ASCII.GetBytes(Convert.ToHexString(bytes)));
        }
    }

    /// <summary>Escaped text forms; the scanner drops the ones equal to the raw value.</summary>
    private static IEnumerable<(string Form, string Text)> TextForms(string value)
    {
        var json = Unquote(JsonSerializer.Serialize(value, DefaultJson));
        yield return ("json", json);
        // Other writers (Newtonsoft, hand-written ones) spell \u escapes in lower case.
        yield return ("json-lowerhex", UnicodeEscape().Replace(json, m => m.Value.ToLowerInvariant()));
        yield return ("json-relaxed", Unquote(JsonSerializer.Serialize(value, RelaxedJson)));
        yield return ("xml-text", XmlText(value));
        yield return ("xml-attribute", XmlAttribute(value));
        yield return ("xml-escape-all", System.Security.SecurityElement.Escape(value));
        yield return ("url", Uri.EscapeDataString(value));
        yield return ("url-form", WebUtility.UrlEncode(value));
        yield return ("url-lowerhex", PercentEscape().Replace(Uri.EscapeDataString(value), m => m.Value.ToLowerInvariant()));
    }

    /// <summary>
    /// The base64 of a value inside a larger blob depends on where the value starts modulo 3, so emit the part of
    /// the encoding that is fixed by the value alone for each of the three alignments.
    /// </summary>
    internal static IEnumerable<string> Base64Fragments(byte[] bytes)
    {
        for (var shift = 0; shift < 3; shift++)
        {
            var padded = new byte[shift + bytes.Length];
            bytes.CopyTo(padded, shift);
            var encoded = Convert.ToBase64String(padded).TrimEnd('=');
            // Characters that also carry bits of the bytes before the value.
            var skip = shift switch { 0 => 0, 1 => 2, _ => 3 };
            // The last character of an incomplete final group also carries bits of the bytes after the value.
            var drop = padded.Length % 3 == 0 ? 0 : 1;
            var length = encoded.Length - skip - drop;
            if (length >= 4)
            {
                yield return encoded.Substring(skip, length);
            }
        }
    }

    private static string Unquote(string json) => json[1..^1];

    private static string XmlText(string value) =>
        value.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string XmlAttribute(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            builder.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\t' => "&#x9;",
                '\n' => "&#xA;",
                '\r' => "&#xD;",
                _ => c.ToString(CultureInfo.InvariantCulture),
            });
        }

        return builder.ToString();
    }

    [GeneratedRegex(@"\\u[0-9A-F]{4}")]
    private static partial Regex UnicodeEscape();

    [GeneratedRegex("%[0-9A-F]{2}")]
    private static partial Regex PercentEscape();
}

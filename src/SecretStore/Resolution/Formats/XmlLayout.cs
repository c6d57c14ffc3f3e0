using System.Globalization;
using System.Text;

namespace SecretStore.Resolution.Formats;

/// <summary>An attribute value span: <c>[ValueStart, ValueEnd)</c> between the quotes.</summary>
internal readonly record struct XmlAttributeSpan(string Name, int ValueStart, int ValueEnd);

/// <summary>An element start tag with its path from the root (<c>configuration/appSettings/add</c>).</summary>
internal sealed record XmlElementInfo(string Path, IReadOnlyList<XmlAttributeSpan> Attributes);

/// <summary>
/// A tolerant lexer over XML: text, attribute values, CDATA and comments, and the element paths for the
/// structured mapping. Well-formedness is checked by <see cref="XmlShape"/> with <c>XmlReader</c>.
/// </summary>
internal sealed class XmlLayout : IFormatLayout
{
    private readonly List<Region> _regions = [];
    private readonly List<XmlElementInfo> _elements = [];

    private XmlLayout()
    {
    }

    /// <summary>True when the document has a <c>&lt;!DOCTYPE</c> (or any other <c>&lt;!</c> declaration).</summary>
    public bool HasDtd { get; private set; }

    /// <summary>Offset of the DTD, when there is one.</summary>
    public int DtdOffset { get; private set; }

    /// <summary>Every start tag, in document order.</summary>
    public IReadOnlyList<XmlElementInfo> Elements => _elements;

    /// <summary>Lexes <paramref name="text"/>.</summary>
    public static XmlLayout Scan(string text)
    {
        var layout = new XmlLayout();
        var stack = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] != '<')
            {
                var next = text.IndexOf('<', i);
                next = next < 0 ? text.Length : next;
                layout._regions.Add(new Region(i, next, RegionKind.Text));
                i = next;
                continue;
            }

            if (Starts(text, i, "<!--"))
            {
                var close = text.IndexOf("-->", i + 4, StringComparison.Ordinal);
                var end = close < 0 ? text.Length : close + 3;
                layout._regions.Add(new Region(i, end, RegionKind.Comment));
                i = end;
            }
            else if (Starts(text, i, "<![CDATA["))
            {
                var close = text.IndexOf("]]>", i + 9, StringComparison.Ordinal);
                var end = close < 0 ? text.Length : close;
                layout._regions.Add(new Region(i + 9, end, RegionKind.CData));
                i = close < 0 ? text.Length : close + 3;
            }
            else if (Starts(text, i, "<!"))
            {
                // A DTD is refused as a whole (SSB1016); nothing after it is looked at.
                layout.HasDtd = true;
                layout.DtdOffset = i;
                break;
            }
            else if (Starts(text, i, "<?"))
            {
                var close = text.IndexOf("?>", i + 2, StringComparison.Ordinal);
                i = close < 0 ? text.Length : close + 2;
            }
            else if (Starts(text, i, "</"))
            {
                var close = text.IndexOf('>', i);
                if (stack.Count > 0)
                {
                    stack.RemoveAt(stack.Count - 1);
                }

                i = close < 0 ? text.Length : close + 1;
            }
            else
            {
                i = layout.StartTag(text, i, stack);
            }
        }

        return layout;
    }

    /// <inheritdoc />
    public Site Classify(int start, int end, bool wholeToken)
    {
        var region = Find(start);
        if (region is { Kind: RegionKind.Attribute or RegionKind.CData } && end > region.Value.End)
        {
            return Site.Overrun(region.Value.Kind == RegionKind.Attribute ? "its XML attribute value" : "its CDATA section");
        }

        if (region is null || end > region.Value.End)
        {
            return Site.Forbid("it is inside XML markup (a tag name, attribute name, declaration or processing instruction)");
        }

        var kind = region.Value.Kind;
        if (kind == RegionKind.Comment)
        {
            return Site.InComment();
        }

        if (wholeToken)
        {
            return Site.Forbid("the 'json' modifier applies to whole JSON string tokens only", Diagnostics.DiagnosticCodes.InvalidJsonValue);
        }

        var context = kind switch
        {
            RegionKind.Attribute => EscapeContext.XmlAttribute,
            RegionKind.CData => EscapeContext.XmlCData,
            _ => EscapeContext.XmlText,
        };
        return new Site(SiteKind.Substitute, context, start, end);
    }

    /// <summary>Decodes the entity and character references of an attribute value, for matching keys.</summary>
    public static string DecodeAttribute(string text, XmlAttributeSpan span)
    {
        var raw = text.AsSpan(span.ValueStart, span.ValueEnd - span.ValueStart);
        if (!raw.Contains('&'))
        {
            return raw.ToString();
        }

        var sb = new StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            var semicolon = raw[i] == '&' ? raw[i..].IndexOf(';') : -1;
            if (semicolon < 0)
            {
                sb.Append(raw[i]);
                continue;
            }

            var entity = raw.Slice(i + 1, semicolon - 1);
            string? decoded = entity switch
            {
                "amp" => "&",
                "lt" => "<",
                "gt" => ">",
                "quot" => "\"",
                "apos" => "'",
                _ when entity.StartsWith("#x") && int.TryParse(entity[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex) => char.ConvertFromUtf32(hex),
                _ when entity.StartsWith("#") && int.TryParse(entity[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var dec) => char.ConvertFromUtf32(dec),
                _ => null,
            };
            if (decoded is null)
            {
                sb.Append(raw[i]);
                continue;
            }

            sb.Append(decoded);
            i += semicolon;
        }

        return sb.ToString();
    }

    private int StartTag(string text, int i, List<string> stack)
    {
        var k = i + 1;
        while (k < text.Length && !char.IsWhiteSpace(text[k]) && text[k] is not '/' and not '>')
        {
            k++;
        }

        var name = text[(i + 1)..k];
        var attributes = new List<XmlAttributeSpan>();
        while (k < text.Length)
        {
            while (k < text.Length && char.IsWhiteSpace(text[k]))
            {
                k++;
            }

            if (k >= text.Length)
            {
                break;
            }

            if (text[k] == '>')
            {
                _elements.Add(new XmlElementInfo(PathWith(stack, name), attributes));
                stack.Add(name);
                return k + 1;
            }

            if (text[k] == '/' && k + 1 < text.Length && text[k + 1] == '>')
            {
                _elements.Add(new XmlElementInfo(PathWith(stack, name), attributes));
                return k + 2;
            }

            var nameStart = k;
            while (k < text.Length && !char.IsWhiteSpace(text[k]) && text[k] is not '=' and not '>' and not '/')
            {
                k++;
            }

            var attributeName = text[nameStart..k];
            while (k < text.Length && char.IsWhiteSpace(text[k]))
            {
                k++;
            }

            if (k >= text.Length || text[k] != '=')
            {
                return Math.Max(k, i + 1);
            }

            k++;
            while (k < text.Length && char.IsWhiteSpace(text[k]))
            {
                k++;
            }

            if (k >= text.Length || text[k] is not '"' and not '\'')
            {
                return k;
            }

            var close = text.IndexOf(text[k], k + 1);
            if (close < 0)
            {
                return text.Length;
            }

            _regions.Add(new Region(k + 1, close, RegionKind.Attribute));
            attributes.Add(new XmlAttributeSpan(attributeName, k + 1, close));
            k = close + 1;
        }

        return text.Length;
    }

    private static string PathWith(List<string> stack, string name) =>
        stack.Count == 0 ? name : string.Join('/', stack) + "/" + name;

    private Region? Find(int offset)
    {
        int lo = 0, hi = _regions.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var region = _regions[mid];
            if (offset < region.Start)
            {
                hi = mid - 1;
            }
            else if (offset >= region.End)
            {
                lo = mid + 1;
            }
            else
            {
                return region;
            }
        }

        return null;
    }

    private static bool Starts(string text, int i, string marker) =>
        string.CompareOrdinal(text, i, marker, 0, marker.Length) == 0;

    private enum RegionKind
    {
        Text,
        Attribute,
        CData,
        Comment,
    }

    private readonly record struct Region(int Start, int End, RegionKind Kind);
}

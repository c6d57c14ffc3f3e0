using System.Text;

namespace SecretStore.Resolution.Formats;

/// <summary>One JSON string token: <c>Start</c> is the opening quote, <c>End</c> is just past the closing quote.</summary>
/// <param name="Start">Offset of the opening quote.</param>
/// <param name="End">Offset just past the closing quote.</param>
/// <param name="IsPropertyName">True for an object key.</param>
/// <param name="Path">The configuration path of a value (<c>ConnectionStrings:Default</c>, array items by index).</param>
internal readonly record struct JsonStringToken(int Start, int End, bool IsPropertyName, string Path);

/// <summary>
/// A tolerant lexer over JSON with comments: strings (with their configuration paths) and comments. It does not
/// validate; <see cref="JsonShape"/> parses strictly. Tolerance matters because an input with a bare placeholder
/// must still be located and reported, not rejected as "not JSON".
/// </summary>
internal sealed class JsonLayout : IFormatLayout
{
    private static readonly System.Buffers.SearchValues<char> Structural = System.Buffers.SearchValues.Create("\"/{}[],");
    private readonly List<JsonStringToken> _strings = [];
    private readonly List<(int Start, int End)> _comments = [];

    private JsonLayout()
    {
    }

    /// <summary>The string tokens in offset order.</summary>
    public IReadOnlyList<JsonStringToken> Strings => _strings;

    /// <summary>Lexes <paramref name="text"/>; configuration paths are built only when <paramref name="withPaths"/> (mappings need them).</summary>
    public static JsonLayout Scan(string text, bool withPaths)
    {
        var layout = new JsonLayout();
        var frames = new List<Frame>();
        var i = 0;
        while (i < text.Length)
        {
            // Jump over whitespace, numbers and literals: only these characters change the lexer's state.
            var skip = text.AsSpan(i).IndexOfAny(Structural);
            if (skip < 0)
            {
                break;
            }

            i += skip;
            var c = text[i];
            switch (c)
            {
                case '"':
                    var end = StringEnd(text, i);
                    var top = frames.Count > 0 ? frames[^1] : null;
                    if (top is { IsObject: true, ExpectKey: true })
                    {
                        top.Key = withPaths ? DecodeKey(text, i, end) : null;
                        top.ExpectKey = false;
                        layout._strings.Add(new JsonStringToken(i, end, true, withPaths ? PathOf(frames) : string.Empty));
                    }
                    else
                    {
                        layout._strings.Add(new JsonStringToken(i, end, false, withPaths ? PathOf(frames) : string.Empty));
                    }

                    i = end;
                    continue;
                case '/' when i + 1 < text.Length && text[i + 1] == '/':
                    var lineEnd = text.IndexOfAny(['\r', '\n'], i);
                    lineEnd = lineEnd < 0 ? text.Length : lineEnd;
                    layout._comments.Add((i, lineEnd));
                    i = lineEnd;
                    continue;
                case '/' when i + 1 < text.Length && text[i + 1] == '*':
                    var close = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                    var blockEnd = close < 0 ? text.Length : close + 2;
                    layout._comments.Add((i, blockEnd));
                    i = blockEnd;
                    continue;
                case '{':
                    frames.Add(new Frame { IsObject = true, ExpectKey = true });
                    break;
                case '[':
                    frames.Add(new Frame { IsObject = false });
                    break;
                case '}' or ']':
                    if (frames.Count > 0)
                    {
                        frames.RemoveAt(frames.Count - 1);
                    }

                    break;
                case ',':
                    if (frames.Count > 0)
                    {
                        var frame = frames[^1];
                        if (frame.IsObject)
                        {
                            frame.ExpectKey = true;
                            frame.Key = null;
                        }
                        else
                        {
                            frame.Index++;
                        }
                    }

                    break;
                default:
                    break;
            }

            i++;
        }

        return layout;
    }

    /// <inheritdoc />
    public Site Classify(int start, int end, bool wholeToken)
    {
        if (InComment(start))
        {
            return Site.InComment();
        }

        var index = FindString(start);
        if (index < 0)
        {
            return Site.Forbid("it is not inside a JSON string");
        }

        if (end > _strings[index].End - 1)
        {
            return Site.Overrun("its JSON string");
        }

        var token = _strings[index];
        if (token.IsPropertyName)
        {
            return Site.Forbid("it is inside a JSON property name; a secret must not add or rename a key");
        }

        if (wholeToken)
        {
            return start == token.Start + 1 && end == token.End - 1
                ? new Site(SiteKind.Substitute, EscapeContext.JsonValue, token.Start, token.End)
                : Site.Forbid("the 'json' modifier needs the placeholder to be the whole JSON string", Diagnostics.DiagnosticCodes.InvalidJsonValue);
        }

        return new Site(SiteKind.Substitute, EscapeContext.JsonString, start, end);
    }

    private int FindString(int offset)
    {
        int lo = 0, hi = _strings.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var token = _strings[mid];
            if (offset <= token.Start)
            {
                hi = mid - 1;
            }
            else if (offset >= token.End)
            {
                lo = mid + 1;
            }
            else
            {
                return mid;
            }
        }

        return -1;
    }

    private bool InComment(int offset)
    {
        foreach (var (start, end) in _comments)
        {
            if (offset >= start && offset < end)
            {
                return true;
            }
        }

        return false;
    }

    private static int StringEnd(string text, int quote)
    {
        var i = quote + 1;
        while (i < text.Length)
        {
            var next = text.AsSpan(i).IndexOfAny('\\', '"');
            if (next < 0)
            {
                break;
            }

            i += next;
            if (text[i] == '"')
            {
                return i + 1;
            }

            i += 2;
        }

        return text.Length;
    }

    private static string DecodeKey(string text, int start, int end)
    {
        var inner = text.AsSpan(start + 1, Math.Max(end - start - 2, 0));
        if (!inner.Contains('\\'))
        {
            return inner.ToString();
        }

        var sb = new StringBuilder(inner.Length);
        for (var i = 0; i < inner.Length; i++)
        {
            if (inner[i] != '\\' || i + 1 >= inner.Length)
            {
                sb.Append(inner[i]);
                continue;
            }

            var e = inner[++i];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'u' when i + 4 < inner.Length && ushort.TryParse(inner.Slice(i + 1, 4), System.Globalization.NumberStyles.HexNumber, null, out var code):
                    sb.Append((char)code);
                    i += 4;
                    break;
                default: sb.Append(e); break;
            }
        }

        return sb.ToString();
    }

    private static string PathOf(List<Frame> frames)
    {
        if (frames.Count == 0)
        {
            return string.Empty;
        }

        var sb = new StringBuilder();
        foreach (var frame in frames)
        {
            if (sb.Length > 0)
            {
                sb.Append(':');
            }

            sb.Append(frame.IsObject ? frame.Key : frame.Index.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    private sealed class Frame
    {
        public bool IsObject { get; init; }

        public bool ExpectKey { get; set; }

        public string? Key { get; set; }

        public int Index { get; set; }
    }
}

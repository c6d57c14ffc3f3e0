using System.Globalization;
using System.Text;

namespace SecretStore.Resolution.Formats;

/// <summary>One entry of a .properties file: its key and value as Java reads them, and where the value is in the text.</summary>
/// <param name="Key">The key, unescaped.</param>
/// <param name="Value">The value, unescaped (null when an escape in it is malformed).</param>
/// <param name="Line">The 1-based line the entry starts on.</param>
/// <param name="ValueStart">Offset in the text where the value starts (after the separator and its whitespace).</param>
/// <param name="End">Offset in the text where the entry's logical line ends (before its line break).</param>
internal readonly record struct PropertiesEntry(string Key, string? Value, int Line, int ValueStart, int End);

/// <summary>
/// A Java .properties file read as <c>java.util.Properties.load</c> reads it, offsets kept: natural lines end at CR,
/// LF or CRLF; a line ending in an odd number of backslashes continues on the next, whose leading whitespace is
/// skipped; lines whose first non-blank character is <c>#</c> or <c>!</c> are comments; the key ends at the first
/// unescaped <c>=</c>, <c>:</c> or whitespace, then whitespace and one separator are skipped, and the rest of the
/// logical line is the value (trailing whitespace kept). <c>\t \n \r \f \uXXXX</c> are escapes, and a backslash before
/// any other character stands for that character. Placeholders are substituted in values only.
/// </summary>
internal sealed class PropertiesLayout : IFormatLayout
{
    private readonly LineRegions _regions = new();
    private readonly List<PropertiesEntry> _entries = [];
    private readonly string _text;

    private PropertiesLayout(string text) => _text = text;


    /// <summary>The entries, in file order (a key given twice is there twice; Java keeps the last).</summary>
    public IReadOnlyList<PropertiesEntry> Entries => _entries;

    /// <summary>The first line whose value holds a malformed <c>\uXXXX</c> escape (Java refuses the file), or 0.</summary>
    public int FirstMalformedLine { get; private set; }

    /// <summary>Reads <paramref name="text"/>.</summary>
    public static PropertiesLayout Scan(string text)
    {
        var layout = new PropertiesLayout(text);
        var position = 0;
        var line = 1;
        while (position < text.Length)
        {
            // Skip the natural line's leading whitespace; blank lines are nothing.
            var start = position;
            while (position < text.Length && text[position] is ' ' or '\t' or '\f')
            {
                position++;
            }

            if (position >= text.Length)
            {
                break;
            }

            if (text[position] is '\r' or '\n')
            {
                position = LineRegions.SkipBreak(text, position);
                line++;
                continue;
            }

            if (text[position] is '#' or '!')
            {
                var end = LineRegions.LineEnd(text, position);
                layout._regions.Add(new LineRegion(start, end, LineRegionKind.Comment, -1));
                position = LineRegions.SkipBreak(text, end);
                line++;
                continue;
            }

            line = layout.ReadEntry(position, line, out position);
        }

        return layout;
    }

    /// <inheritdoc />
    public Site Classify(int start, int end, bool wholeToken)
    {
        var at = _regions.Find(start);
        if (at < 0 || start >= _regions[at].End)
        {
            return Site.Forbid("it is not in a .properties entry");
        }

        var region = _regions[at];
        switch (region.Kind)
        {
            case LineRegionKind.Comment:
                return Site.InComment();
            case LineRegionKind.Key:
                // Also when Java's key ends inside it (at the ':' of "#{secret:"): it starts in a key.
                return Site.Forbid("it is in a .properties key; a secret must not add or rename a key");
        }

        if (end > region.End)
        {
            return Site.Overrun("its .properties line");
        }

        var backslashes = 0;
        for (var i = start - 1; i >= region.Start && _text[i] == '\\'; i--)
        {
            backslashes++;
        }

        if (backslashes % 2 == 1)
        {
            return Site.Forbid("a backslash right before it escapes its '#', so Java reads it as text");
        }

        var entry = _entries[region.Entry];
        return new Site(SiteKind.Substitute, start == entry.ValueStart ? EscapeContext.PropertiesValueStart : EscapeContext.PropertiesValue, start, end);
    }

    /// <summary>The entry whose value holds <paramref name="offset"/>, as an index into <see cref="Entries"/>, or -1.</summary>
    public int EntryAt(int offset)
    {
        return _regions.EntryAt(offset);
    }


    /// <summary>Reads the logical line of one entry from <paramref name="position"/>; returns the next line number.</summary>
    private int ReadEntry(int position, int line, out int next)
    {
        var first = line;

        // The logical line, with the raw offset of each of its characters (continuations removed).
        var chars = new StringBuilder();
        var offsets = new List<int>();
        while (true)
        {
            var end = LineRegions.LineEnd(_text, position);
            var trailing = 0;
            for (var i = end - 1; i >= position && _text[i] == '\\'; i--)
            {
                trailing++;
            }

            var keep = trailing % 2 == 1 ? end - 1 : end;
            for (var i = position; i < keep; i++)
            {
                chars.Append(_text[i]);
                offsets.Add(i);
            }

            if (trailing % 2 == 0 || end >= _text.Length)
            {
                next = LineRegions.SkipBreak(_text, end);
                line++;
                break;
            }

            position = LineRegions.SkipBreak(_text, end);
            line++;
            while (position < _text.Length && _text[position] is ' ' or '\t' or '\f')
            {
                position++;
            }
        }

        var logical = chars.ToString();
        var lineEnd = offsets.Count > 0 ? offsets[^1] + 1 : position;
        var keyLength = 0;
        var valueStart = logical.Length;
        var hasSeparator = false;
        var escaped = false;
        while (keyLength < logical.Length)
        {
            var c = logical[keyLength];
            if (c is '=' or ':' && !escaped)
            {
                valueStart = keyLength + 1;
                hasSeparator = true;
                break;
            }

            if (c is ' ' or '\t' or '\f' && !escaped)
            {
                valueStart = keyLength + 1;
                break;
            }

            escaped = c == '\\' && !escaped;
            keyLength++;
        }

        while (valueStart < logical.Length)
        {
            var c = logical[valueStart];
            if (c is not ' ' and not '\t' and not '\f')
            {
                if (!hasSeparator && c is '=' or ':')
                {
                    hasSeparator = true;
                }
                else
                {
                    break;
                }
            }

            valueStart++;
        }

        var key = Unescape(logical, 0, keyLength) ?? logical[..keyLength];
        var value = Unescape(logical, valueStart, logical.Length);
        if (value is null && FirstMalformedLine == 0)
        {
            FirstMalformedLine = first;
        }

        var rawValueStart = valueStart < offsets.Count ? offsets[valueStart] : lineEnd;
        var index = _entries.Count;
        _entries.Add(new PropertiesEntry(key, value, first, rawValueStart, lineEnd));
        _regions.Add(new LineRegion(offsets.Count > 0 ? offsets[0] : rawValueStart, rawValueStart, LineRegionKind.Key, index));

        // The value as regions of the raw text, one per natural line it spans (a placeholder cannot span a continuation).
        var from = valueStart;
        for (var i = valueStart; i <= logical.Length; i++)
        {
            if (i == logical.Length || (i > from && offsets[i] != offsets[i - 1] + 1))
            {
                if (i > from)
                {
                    _regions.Add(new LineRegion(offsets[from], offsets[i - 1] + 1, LineRegionKind.Value, index));
                }

                from = i;
            }
        }

        if (valueStart >= logical.Length)
        {
            _regions.Add(new LineRegion(rawValueStart, rawValueStart, LineRegionKind.Value, index));
        }

        return line;
    }

    /// <summary>Java's <c>loadConvert</c>: the escapes resolved; null for a malformed <c>\uXXXX</c>.</summary>
    public static string? Unescape(string text, int start, int end)
    {
        var sb = new StringBuilder(end - start);
        for (var i = start; i < end; i++)
        {
            var c = text[i];
            if (c != '\\' || i + 1 >= end)
            {
                if (c != '\\')
                {
                    sb.Append(c);
                }

                continue;
            }

            c = text[++i];
            switch (c)
            {
                case 'u':
                    if (i + 4 >= end || !int.TryParse(text.AsSpan(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    {
                        return null;
                    }

                    sb.Append((char)code);
                    i += 4;
                    break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'n': sb.Append('\n'); break;
                case 'f': sb.Append('\f'); break;
                default: sb.Append(c); break;
            }
        }

        return sb.ToString();
    }



}

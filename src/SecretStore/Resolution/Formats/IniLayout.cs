namespace SecretStore.Resolution.Formats;

/// <summary>
/// One <c>key=value</c> line of an INI file, as offsets into the text: the key as the .NET INI configuration provider
/// names it (<c>Section:Key</c>), the raw value after <c>=</c> up to the line's end, and the part of it the provider
/// reads (trimmed, and without a pair of outer double quotes).
/// </summary>
internal readonly record struct IniEntry(string Key, int Line, int RawStart, int RawEnd, int ValueStart, int ValueEnd, bool Quoted);

/// <summary>
/// An INI file read line by line with the rules of <c>Microsoft.Extensions.Configuration.Ini</c> (the reader every .NET
/// host uses): a line is trimmed; blank lines and lines starting with <c>;</c>, <c>#</c> or <c>/</c> are comments;
/// <c>[Section]</c> prefixes the keys after it; anything else is <c>key=value</c>, split at the first <c>=</c>, both
/// sides trimmed, and a value that starts and ends with <c>"</c> loses that pair. There are no escapes and no inline
/// comments. Placeholders are substituted in values only.
/// </summary>
internal sealed class IniLayout : IFormatLayout
{
    private readonly List<Line> _lines = [];
    private readonly List<IniEntry> _entries = [];

    private enum LineKind
    {
        Blank,
        Comment,
        Section,
        Entry,
        Invalid,
    }

    /// <summary>The <c>key=value</c> lines, in order.</summary>
    public IReadOnlyList<IniEntry> Entries => _entries;

    /// <summary>The first line that is neither blank, a comment, a section nor an entry (1-based), or 0.</summary>
    public int FirstInvalidLine { get; private set; }

    /// <summary>Splits <paramref name="text"/> into lines as <see cref="StreamReader.ReadLine"/> does (CR, LF, CRLF).</summary>
    public static IniLayout Scan(string text)
    {
        var layout = new IniLayout();
        var section = string.Empty;
        var number = 0;
        for (var start = 0; start <= text.Length;)
        {
            var end = text.AsSpan(start).IndexOfAny('\r', '\n');
            end = end < 0 ? text.Length : start + end;
            number++;
            var line = layout.Read(text, start, end, number, ref section);
            layout._lines.Add(line);
            if (end >= text.Length)
            {
                break;
            }

            start = end + (text[end] == '\r' && end + 1 < text.Length && text[end + 1] == '\n' ? 2 : 1);
            if (start == text.Length)
            {
                break; // A final line break ends the last line; ReadLine gives no empty line after it.
            }
        }

        return layout;
    }

    /// <inheritdoc />
    public Site Classify(int start, int end, bool wholeToken)
    {
        var line = FindLine(start);
        if (end > line.End)
        {
            return Site.Overrun("its INI line");
        }

        switch (line.Kind)
        {
            case LineKind.Comment:
                return Site.InComment();
            case LineKind.Section:
                return Site.Forbid("it is in an INI section name; a secret must not add or rename a section");
            case LineKind.Invalid:
                return Site.Forbid("the line is neither a key=value entry, a [section] nor a comment");
            case LineKind.Entry when start < line.EqualsSign:
                return Site.Forbid("it is in an INI key; a secret must not add or rename a key");
            default:
                break;
        }

        var entry = _entries[line.Entry];
        if (start < entry.ValueStart || end > entry.ValueEnd)
        {
            // Inside the raw value but outside what the reader keeps: one of the outer quotes, or the edge whitespace.
            return Site.Forbid("it is outside the value the INI reader keeps (on an outer quote)");
        }

        var context = entry.Quoted ? EscapeContext.IniQuotedValue
            : start == entry.ValueStart && end == entry.ValueEnd ? EscapeContext.IniWholeValue
            : EscapeContext.IniValue;
        return new Site(SiteKind.Substitute, context, start, end);
    }

    /// <summary>The index in <see cref="Entries"/> of the entry whose raw value holds <paramref name="offset"/>, or -1.</summary>
    public int EntryIndexAt(int offset)
    {
        var line = FindLine(offset);
        return line.Kind == LineKind.Entry && offset >= line.EqualsSign ? line.Entry : -1;
    }

    private Line Read(string text, int start, int end, int number, ref string section)
    {
        var (a, b) = Trim(text, start, end);
        if (a == b)
        {
            return new Line(start, end, LineKind.Blank, -1, -1);
        }

        if (text[a] is ';' or '#' or '/')
        {
            return new Line(start, end, LineKind.Comment, -1, -1);
        }

        if (text[a] == '[' && text[b - 1] == ']')
        {
            var (s, e) = Trim(text, a + 1, b - 1);
            section = text[s..e] + ":";
            return new Line(start, end, LineKind.Section, -1, -1);
        }

        var equals = text.IndexOf('=', a, b - a);
        if (equals < 0)
        {
            FirstInvalidLine = FirstInvalidLine == 0 ? number : FirstInvalidLine;
            return new Line(start, end, LineKind.Invalid, -1, -1);
        }

        var (ks, ke) = Trim(text, a, equals);
        var (vs, ve) = Trim(text, equals + 1, b);
        var quoted = ve - vs > 1 && text[vs] == '"' && text[ve - 1] == '"';
        _entries.Add(new IniEntry(section + text[ks..ke], number, equals + 1, end, quoted ? vs + 1 : vs, quoted ? ve - 1 : ve, quoted));
        return new Line(start, end, LineKind.Entry, equals, _entries.Count - 1);
    }

    /// <summary>Trims as <see cref="string.Trim()"/> does (every <see cref="char.IsWhiteSpace(char)"/> character).</summary>
    private static (int Start, int End) Trim(string text, int start, int end)
    {
        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        return (start, end);
    }

    private Line FindLine(int offset)
    {
        int lo = 0, hi = _lines.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >>> 1;
            if (_lines[mid].Start <= offset)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return _lines[lo];
    }

    private readonly record struct Line(int Start, int End, LineKind Kind, int EqualsSign, int Entry);
}

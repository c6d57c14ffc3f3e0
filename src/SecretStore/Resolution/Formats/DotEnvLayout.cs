using System.Text;

namespace SecretStore.Resolution.Formats;

/// <summary>How a .env value is written in the file.</summary>
internal enum DotEnvQuoting
{
    /// <summary><c>KEY=value</c>: to the line's end or an inline comment (whitespace, then <c>#</c>), trimmed.</summary>
    None,

    /// <summary><c>KEY='value'</c>: literal.</summary>
    Single,

    /// <summary><c>KEY="value"</c>: <c>\n</c> is a line break.</summary>
    Double,
}

/// <summary>One <c>KEY=value</c> of a .env file: its key, value as read, and where the value's text is.</summary>
internal readonly record struct DotEnvEntry(string Key, string Value, int Line, DotEnvQuoting Quoting, int ValueStart, int ValueEnd);

/// <summary>
/// A .env file read with the rules docker compose, DotNetEnv and Node's dotenv share: one <c>KEY=value</c> per line,
/// optionally after <c>export </c>; <c>#</c> at a line's start is a comment; an unquoted value runs to the line's end or
/// to whitespace followed by <c>#</c>, trimmed; a single-quoted value is literal; a double-quoted value turns
/// <c>\n</c> into a line break. What those readers do differently (escapes in quotes, <c>$</c> interpolation, <c>#</c>
/// inside an unquoted value) the resolver never writes: such a value is refused instead.
/// </summary>
internal sealed class DotEnvLayout : IFormatLayout
{
    private readonly LineRegions _regions = new();
    private string _text = string.Empty;
    private readonly List<DotEnvEntry> _entries = [];


    /// <summary>The entries, in file order.</summary>
    public IReadOnlyList<DotEnvEntry> Entries => _entries;

    /// <summary>The first line that is not blank, a comment or <c>KEY=value</c>, or whose quote is not closed, or 0.</summary>
    public int FirstInvalidLine { get; private set; }

    /// <summary>The first line whose value's quoting the readers do not agree on (a backtick, or <c>\'</c> in single quotes), or 0.</summary>
    public int AmbiguousLine { get; private set; }

    /// <summary>Reads <paramref name="text"/>.</summary>
    public static DotEnvLayout Scan(string text)
    {
        var layout = new DotEnvLayout { _text = text };
        var line = 1;
        for (var cr = text.IndexOf('\r', StringComparison.Ordinal); cr >= 0; cr = text.IndexOf('\r', cr + 1))
        {
            if (cr + 1 >= text.Length || text[cr + 1] != '\n')
            {
                // Round 12, 7: a lone CR ends a line for Node's dotenv and this reading; DotNetEnv refuses the file.
                layout.AmbiguousLine = layout.FirstInvalidLine = text.AsSpan(0, cr).Count('\n') + 1;
                break;
            }
        }

        for (var position = 0; position < text.Length;)
        {
            var end = LineRegions.LineEnd(text, position);
            var start = Skip(text, position, end);
            if (start == end)
            {
                // Blank.
            }
            else if (text[start] == '#')
            {
                layout._regions.Add(new LineRegion(start, end, LineRegionKind.Comment, -1));
            }
            else
            {
                end = layout.ReadEntry(text, start, end, line);
            }

            line += Count(text, position, end, '\n') + (end < text.Length ? 1 : 0);
            position = LineRegions.SkipBreak(text, end);
        }

        return layout;
    }

    /// <inheritdoc />
    public Site Classify(int start, int end, bool wholeToken)
    {
        var at = _regions.Find(start);
        if (at < 0 || start >= _regions[at].End)
        {
            return Site.Forbid("it is not in a KEY=value entry of the .env file");
        }

        var region = _regions[at];
        if (region.Kind == LineRegionKind.Comment)
        {
            return Site.InComment();
        }

        if (region.Kind == LineRegionKind.Key)
        {
            return Site.Forbid("it is in a .env key; a secret must not add or rename a key");
        }

        if (end > region.End)
        {
            return Site.Overrun("its .env value");
        }

        var entry = _entries[region.Entry];
        if (entry.Quoting == DotEnvQuoting.None && HashOutsidePlaceholders(entry.Value))
        {
            // Red team round 11, F8: Node's dotenv ends an unquoted value at any '#'; compose and DotNetEnv only after a space.
            return Site.Forbid("its unquoted .env value holds '#', where Node's dotenv ends the value (compose and DotNetEnv do not); quote the value in the file");
        }

        if (DisagreedText(RawValue(entry), entry.Quoting))
        {
            // Round 12, 2: '$#{secret:V}' with V=HOME is $HOME to DotNetEnv and compose, and the text to Node.
            return Site.Forbid("its .env value holds '$' (unquoted or in double quotes, where compose and DotNetEnv interpolate and Node's dotenv does not) or a backslash in double quotes (DotNetEnv unescapes it, Node does not); single-quote the value in the file, or take the '$' or backslash out");
        }

                var context = entry.Quoting switch
        {
            DotEnvQuoting.Single => EscapeContext.DotEnvSingleQuoted,
            DotEnvQuoting.Double => EscapeContext.DotEnvDoubleQuoted,
            _ when start == entry.ValueStart && end == entry.ValueEnd => EscapeContext.DotEnvWholeValue,
            _ => EscapeContext.DotEnvUnquoted,
        };
        return new Site(SiteKind.Substitute, context, start, end);
    }

    /// <summary>The entry's text as written (for a double-quoted value, before <c>\n</c> is read as a line break).</summary>
    private string RawValue(DotEnvEntry entry) => _text.Substring(entry.ValueStart, entry.ValueEnd - entry.ValueStart);

    /// <summary>Whether <paramref name="value"/> holds a '#' that is not a placeholder's own (an escape's second '#' counts).</summary>
    private static bool HashOutsidePlaceholders(string value)
    {
        for (var i = value.IndexOf('#', StringComparison.Ordinal); i >= 0; i = value.IndexOf('#', i + 1))
        {
            var close = value.IndexOf('}', i);
            if (!value.AsSpan(i).StartsWith("#{secret", StringComparison.Ordinal) || close < 0 || (i > 0 && value[i - 1] == '#'))
            {
                return true;
            }

            i = close;
        }

        return false;
    }

    /// <summary>The entry whose value holds <paramref name="offset"/>, as an index into <see cref="Entries"/>, or -1.</summary>
    public int EntryAt(int offset)
    {
        return _regions.EntryAt(offset);
    }

    /// <summary>Reads one entry whose line starts (after blanks) at <paramref name="start"/>; returns where it ends.</summary>
    private int ReadEntry(string text, int start, int end, int line)
    {
        var keyStart = start;
        if (text.AsSpan(start, end - start).StartsWith("export ", StringComparison.Ordinal))
        {
            keyStart = Skip(text, start + 7, end);
        }

        var equals = text.IndexOf('=', keyStart, end - keyStart);
        var key = equals < 0 ? string.Empty : text[keyStart..equals].TrimEnd(' ', '\t');
        if (equals < 0 || key.Length == 0 || !key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-') || char.IsAsciiDigit(key[0]))
        {
            FirstInvalidLine = FirstInvalidLine == 0 ? line : FirstInvalidLine;
            _regions.Add(new LineRegion(start, end, LineRegionKind.Key, -1));
            return end;
        }

        var index = _entries.Count;
        _regions.Add(new LineRegion(start, equals + 1, LineRegionKind.Key, index));
        var valueStart = Skip(text, equals + 1, end);
        if (valueStart < end && text[valueStart] == '`')
        {
            // Node's dotenv reads a backtick-quoted value (across lines, too); compose and DotNetEnv read the backticks
            // as text: where the value ends is not agreed on (red team round 11, F2).
            FirstInvalidLine = FirstInvalidLine == 0 ? line : FirstInvalidLine;
            AmbiguousLine = AmbiguousLine == 0 ? line : AmbiguousLine;
            _regions.Add(new LineRegion(valueStart, end, LineRegionKind.Value, index));
            _entries.Add(new DotEnvEntry(key, string.Empty, line, DotEnvQuoting.None, valueStart, end));
            return end;
        }

        if (valueStart < end && text[valueStart] is '\'' or '"')
        {
            var quote = text[valueStart];
            var close = quote == '"' ? ClosingDoubleQuote(text, valueStart + 1) : text.IndexOf('\'', valueStart + 1, end - valueStart - 1);
            if (close < 0)
            {
                FirstInvalidLine = FirstInvalidLine == 0 ? line : FirstInvalidLine;
                _regions.Add(new LineRegion(valueStart, end, LineRegionKind.Value, index));
                _entries.Add(new DotEnvEntry(key, string.Empty, line, DotEnvQuoting.None, valueStart, end));
                return end;
            }

            if (text[close - 1] == '\\')
            {
                // Round 12, 1: Node's dotenv takes any \" (\\" too) as part of a double-quoted value and reads on; DotNetEnv
                // and compose read \\ as one backslash and end the value here.
                // Node's dotenv takes \' as part of a single-quoted value and reads on to the next quote, lines later
                // perhaps; compose and DotNetEnv end the value here (red team round 11, F2).
                FirstInvalidLine = FirstInvalidLine == 0 ? line : FirstInvalidLine;
                AmbiguousLine = AmbiguousLine == 0 ? line : AmbiguousLine;
            }

            var inner = text[(valueStart + 1)..close];
            var value = quote == '"' ? inner.Replace("\\n", "\n", StringComparison.Ordinal) : inner;
            _regions.Add(new LineRegion(valueStart + 1, close, LineRegionKind.Value, index));
            _entries.Add(new DotEnvEntry(key, value, line, quote == '"' ? DotEnvQuoting.Double : DotEnvQuoting.Single, valueStart + 1, close));
            var after = LineRegions.LineEnd(text, close);
            var rest = Skip(text, close + 1, after);
            if (rest < after && text[rest] == '#')
            {
                _regions.Add(new LineRegion(rest, after, LineRegionKind.Comment, -1));
            }
            else if (rest < after)
            {
                FirstInvalidLine = FirstInvalidLine == 0 ? line : FirstInvalidLine;
            }

            return after;
        }

        // Unquoted: to an inline comment (whitespace, then '#') or the line's end, trimmed.
        var stop = end;
        for (var i = valueStart; i < end; i++)
        {
            if (text[i] == '#' && i > valueStart && text[i - 1] is ' ' or '\t')
            {
                stop = i;
                _regions.Add(new LineRegion(valueStart, stop, LineRegionKind.Value, index));
                _regions.Add(new LineRegion(i, end, LineRegionKind.Comment, -1));
                break;
            }
        }

        var valueEnd = stop;
        while (valueEnd > valueStart && text[valueEnd - 1] is ' ' or '\t')
        {
            valueEnd--;
        }

        for (var i = valueStart; i < valueEnd; i++)
        {
            if (text[i] is '\'' or '"' or '`' || (text[i] < ' ' && text[i] != '\t'))
            {
                // Round 13, 3: DotNetEnv cannot parse a quote or a control character (form feed, vertical tab) inside an
                // unquoted value, so it refuses the whole file; Node's dotenv keeps them.
                FirstInvalidLine = FirstInvalidLine == 0 ? line : FirstInvalidLine;
                AmbiguousLine = AmbiguousLine == 0 ? line : AmbiguousLine;
                break;
            }
        }

        if (stop == end)
        {
            _regions.Add(new LineRegion(valueStart, end, LineRegionKind.Value, index));
        }

        _entries.Add(new DotEnvEntry(key, text[valueStart..valueEnd], line, DotEnvQuoting.None, valueStart, valueEnd));
        return end;
    }

    /// <summary>The closing quote of a double-quoted value (which may span lines), skipping <c>\"</c>; -1 if none.</summary>
    private static int ClosingDoubleQuote(string text, int from)
    {
        for (var i = from; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == '"')
            {
                return i;
            }
        }

        return -1;
    }


    /// <summary>
    /// Whether the entry's own text (outside its placeholders) holds what the readers read differently: a backslash in
    /// double quotes other than <c>\n</c> (DotNetEnv unescapes <c>\t</c>, <c>\"</c>, <c>\\</c>; Node's dotenv keeps them), or a
    /// <c>$</c> unquoted or in double quotes (compose and DotNetEnv interpolate <c>$NAME</c>, Node does not).
    /// </summary>
    public static bool DisagreedText(string value, DotEnvQuoting quoting)
    {
        if (quoting == DotEnvQuoting.Single)
        {
            return false;
        }

        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '$' || (quoting == DotEnvQuoting.Double && value[i] == '\\' && !(i + 1 < value.Length && value[i + 1] == 'n')))
            {
                return true;
            }

            if (value[i] == '\\')
            {
                i++; // \n: a line break for both
            }
        }

        return false;
    }

    private static int Skip(string text, int position, int end)
    {
        while (position < end && text[position] is ' ' or '\t')
        {
            position++;
        }

        return position;
    }


    private static int Count(string text, int start, int end, char c) => text.AsSpan(start, Math.Max(0, end - start)).Count(c);

}

namespace SecretStore.Resolution.Formats;

/// <summary>What a span of a line-oriented config file (.properties, .env) is.</summary>
internal enum LineRegionKind
{
    /// <summary>A comment: placeholders there are left alone.</summary>
    Comment,

    /// <summary>A key, with what leads to its value: nothing may be written there.</summary>
    Key,

    /// <summary>A value (or, for a value over several lines, one line of it).</summary>
    Value,
}

/// <summary>One span of the text; <paramref name="Entry"/> indexes the layout's entries (-1: none).</summary>
internal readonly record struct LineRegion(int Start, int End, LineRegionKind Kind, int Entry);

/// <summary>
/// The spans of a line-oriented layout in text order, found by offset in O(log n), and the line-break rules every
/// such format shares (CR, LF or CRLF end a line, as <see cref="StreamReader.ReadLine"/> and Java agree).
/// </summary>
internal sealed class LineRegions
{
    private readonly List<LineRegion> _regions = [];

    /// <summary>The region at <paramref name="index"/>.</summary>
    public LineRegion this[int index] => _regions[index];

    /// <summary>Adds a region; regions are added in text order.</summary>
    public void Add(LineRegion region) => _regions.Add(region);

    /// <summary>The index of the last region starting at or before <paramref name="offset"/>, or -1.</summary>
    public int Find(int offset)
    {
        int lo = 0, hi = _regions.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_regions[mid].Start <= offset)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    /// <summary>The entry whose value holds <paramref name="offset"/>, or -1.</summary>
    public int EntryAt(int offset)
    {
        var at = Find(offset);
        return at >= 0 && _regions[at].Kind == LineRegionKind.Value && offset <= _regions[at].End ? _regions[at].Entry : -1;
    }

    /// <summary>Where the line that holds <paramref name="position"/> ends (its CR or LF, or the text's end).</summary>
    public static int LineEnd(string text, int position)
    {
        var end = text.AsSpan(position).IndexOfAny('\r', '\n');
        return end < 0 ? text.Length : position + end;
    }

    /// <summary>Past the line break at <paramref name="end"/> (CRLF as one).</summary>
    public static int SkipBreak(string text, int end) =>
        end >= text.Length ? text.Length : end + (text[end] == '\r' && end + 1 < text.Length && text[end + 1] == '\n' ? 2 : 1);
}

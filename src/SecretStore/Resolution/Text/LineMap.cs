namespace SecretStore.Resolution.Text;

/// <summary>Turns offsets into 1-based line and column (CRLF, LF and lone CR each end a line).</summary>
internal sealed class LineMap
{
    private readonly List<int> _lineStarts = [0];

    /// <summary>Indexes the line starts of <paramref name="text"/> and finds its line ending style.</summary>
    public LineMap(string text)
    {
        string? ending = null;
        for (var i = 0; i < text.Length; i++)
        {
            var next = text.AsSpan(i).IndexOfAny('\r', '\n');
            if (next < 0)
            {
                break;
            }

            i += next;
            var c = text[i];
            if (c == '\r')
            {
                var crlf = i + 1 < text.Length && text[i + 1] == '\n';
                ending ??= crlf ? "\r\n" : "\r";
                if (crlf)
                {
                    i++;
                }

                _lineStarts.Add(i + 1);
            }
            else if (c == '\n')
            {
                ending ??= "\n";
                _lineStarts.Add(i + 1);
            }
        }

        // A file of one line has no style of its own; LF is what every parser and tool accepts.
        LineEnding = ending ?? "\n";
    }

    /// <summary>The file's line ending: the first one it uses.</summary>
    public string LineEnding { get; }

    /// <summary>1-based line and column of <paramref name="offset"/>.</summary>
    public (int Line, int Column) Locate(int offset)
    {
        var index = _lineStarts.BinarySearch(offset);
        if (index < 0)
        {
            index = ~index - 1;
        }

        return (index + 1, offset - _lineStarts[index] + 1);
    }

    /// <summary>1-based line of a byte offset in raw UTF-8 bytes (for invalid-encoding reports, where there is no text yet).</summary>
    public static int LineOfUtf8Byte(ReadOnlySpan<byte> bytes, int byteOffset) =>
        bytes[..Math.Min(byteOffset, bytes.Length)].Count((byte)'\n') + 1;
}

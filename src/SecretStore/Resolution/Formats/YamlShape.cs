using System.Runtime.CompilerServices;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace SecretStore.Resolution.Formats;

/// <summary>What a YAML parse event is, for the shape comparison.</summary>
internal enum YamlEventKind
{
    /// <summary>A document starts.</summary>
    DocumentStart,

    /// <summary>A document ends.</summary>
    DocumentEnd,

    /// <summary>A mapping starts.</summary>
    MappingStart,

    /// <summary>A mapping ends.</summary>
    MappingEnd,

    /// <summary>A sequence starts.</summary>
    SequenceStart,

    /// <summary>A sequence ends.</summary>
    SequenceEnd,

    /// <summary>A scalar.</summary>
    Scalar,

    /// <summary>An alias (<c>*a</c>).</summary>
    Alias,
}

/// <summary>One parse event: its kind, and for a scalar its value and whether it was plain; anchors and tags for every node.</summary>
internal readonly record struct YamlEvent(YamlEventKind Kind, string Value, bool Plain, bool IsKey, string Anchor, string Tag);

/// <summary>
/// A YAML file's events as YamlDotNet's parser reads them, comments left out: documents, mappings, sequences, scalars
/// (their values), aliases, anchors and tags. Two files have the same shape when these match event by event, where
/// a value written by the resolver may differ (and, with the json modifier, be any node).
/// </summary>
internal static class YamlShape
{
    /// <summary>The events, or null when the text does not parse.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static List<YamlEvent>? TryRead(string text)
    {
        var nodes = new List<YamlEvent>();
        try
        {
            var parser = new Parser(new StringReader(text));
            while (MoveNext(parser))
            {
                switch (parser.Current)
                {
                    case DocumentStart:
                        nodes.Add(new YamlEvent(YamlEventKind.DocumentStart, string.Empty, false, false, string.Empty, string.Empty));
                        break;
                    case DocumentEnd:
                        nodes.Add(new YamlEvent(YamlEventKind.DocumentEnd, string.Empty, false, false, string.Empty, string.Empty));
                        break;
                    case MappingStart m:
                        nodes.Add(new YamlEvent(YamlEventKind.MappingStart, string.Empty, false, false, Name(m.Anchor), Name(m.Tag)));
                        break;
                    case MappingEnd:
                        nodes.Add(new YamlEvent(YamlEventKind.MappingEnd, string.Empty, false, false, string.Empty, string.Empty));
                        break;
                    case SequenceStart s:
                        nodes.Add(new YamlEvent(YamlEventKind.SequenceStart, string.Empty, false, false, Name(s.Anchor), Name(s.Tag)));
                        break;
                    case SequenceEnd:
                        nodes.Add(new YamlEvent(YamlEventKind.SequenceEnd, string.Empty, false, false, string.Empty, string.Empty));
                        break;
                    case Scalar s:
                        nodes.Add(new YamlEvent(YamlEventKind.Scalar, s.Value, s.Style == ScalarStyle.Plain, s.IsKey, Name(s.Anchor), Name(s.Tag)));
                        break;
                    case AnchorAlias a:
                        nodes.Add(new YamlEvent(YamlEventKind.Alias, a.Value.Value, false, false, string.Empty, string.Empty));
                        break;
                    default:
                        break;
                }
            }
        }
        catch (YamlException)
        {
            return null;
        }

        return nodes;
    }

    /// <summary>
    /// The parser's next event. YamlDotNet throws more than <see cref="YamlException"/> on some broken text (an
    /// <see cref="InvalidOperationException"/> from its plain-scalar scanner, found by the yaml fuzz target): every
    /// failure of the parser itself is a <see cref="YamlException"/> here, so it is a coded "not valid YAML", never a crash.
    /// </summary>
    public static bool MoveNext(IParser parser)
    {
        try
        {
            return parser.MoveNext();
        }
        catch (Exception ex) when (ex is not YamlException and not OutOfMemoryException)
        {
            throw new YamlException(parser.Current?.Start ?? Mark.Empty, parser.Current?.End ?? Mark.Empty, "The parser failed.", ex);
        }
    }

    /// <summary>
    /// Compares the input (read with each written place marked by <paramref name="marks"/>' sentinels) with the output.
    /// Null when they match; otherwise the index into <paramref name="marks"/> of the value that did not read back (a
    /// value mismatch), or -1 for a shape difference.
    /// </summary>
    /// <param name="input">The marked input's events.</param>
    /// <param name="output">The output's events.</param>
    /// <param name="marks">Per written place: its sentinel, the value a reader should get there, whether it is a json value (any node) and whether it is raw (not compared).</param>
    public static int? Compare(List<YamlEvent> input, List<YamlEvent> output, IReadOnlyList<(string Mark, string Value, bool Json, bool Raw)> marks)
    {
        var j = 0;
        for (var i = 0; i < input.Count; i++, j++)
        {
            if (j >= output.Count)
            {
                return -1;
            }

            var a = input[i];
            var b = output[j];
            var marked = a.Kind == YamlEventKind.Scalar ? FindMarks(a.Value, marks) : [];
            if (marked.Count == 1 && marks[marked[0]].Json && a.Value == marks[marked[0]].Mark)
            {
                // The json modifier's value may be any node: skip one whole node of the output.
                j = SkipNode(output, j);
                if (j < 0)
                {
                    return -1;
                }

                continue;
            }

            if (a.Kind != b.Kind || a.IsKey != b.IsKey || a.Anchor != b.Anchor || a.Tag != b.Tag)
            {
                return -1;
            }

            if (marked.Count == 0)
            {
                if (a.Value != b.Value)
                {
                    return -1;
                }

                continue;
            }

            if (marked.Any(m => marks[m].Raw))
            {
                continue;
            }

            var expected = a.Value;
            foreach (var m in marked)
            {
                expected = expected.Replace(marks[m].Mark, marks[m].Value, StringComparison.Ordinal);
            }

            // The same string, and still a string: a plain scalar that now reads as a number or a boolean is not the value.
            if (expected != b.Value || (b.Plain && !Escaping.YamlEscaper.ReadsAsString(b.Value)))
            {
                return marked[0];
            }
        }

        return j == output.Count ? null : -1;
    }

    /// <summary>The marks in a value, read from the sentinels themselves (<c>\uE000</c>, the index, <c>\uE001</c>), in order.</summary>
    private static List<int> FindMarks(string value, IReadOnlyList<(string Mark, string Value, bool Json, bool Raw)> marks)
    {
        var found = new List<int>();
        for (var at = value.IndexOf('\uE000', StringComparison.Ordinal); at >= 0; at = value.IndexOf('\uE000', at + 1))
        {
            var close = value.IndexOf('\uE001', at + 1);
            if (close > at + 1 && int.TryParse(value.AsSpan(at + 1, close - at - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
                && index < marks.Count && value.AsSpan(at).StartsWith(marks[index].Mark, StringComparison.Ordinal))
            {
                found.Add(index);
            }
        }

        return found;
    }

    /// <summary>The index of the last event of the node that starts at <paramref name="at"/>, or -1.</summary>
    private static int SkipNode(List<YamlEvent> nodes, int at)
    {
        var depth = 0;
        for (var k = at; k < nodes.Count; k++)
        {
            depth += nodes[k].Kind switch
            {
                YamlEventKind.MappingStart or YamlEventKind.SequenceStart => 1,
                YamlEventKind.MappingEnd or YamlEventKind.SequenceEnd => -1,
                YamlEventKind.DocumentStart or YamlEventKind.DocumentEnd => -1000,
                _ => 0,
            };
            if (depth < 0)
            {
                return -1;
            }

            if (depth == 0)
            {
                return k;
            }
        }

        return -1;
    }

    private static string Name(AnchorName anchor) => anchor.IsEmpty ? string.Empty : anchor.Value;

    private static string Name(TagName tag) => tag.IsEmpty ? string.Empty : tag.Value;
}

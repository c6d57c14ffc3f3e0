using System.Runtime.CompilerServices;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace SecretStore.Resolution.Formats;

/// <summary>How a YAML scalar is written in the file.</summary>
internal enum YamlStyle
{
    /// <summary>Unquoted: no escapes; <c>: </c> and <c> #</c> end it.</summary>
    Plain,

    /// <summary><c>'...'</c>: literal, <c>''</c> for a quote, no escape for a line break.</summary>
    SingleQuoted,

    /// <summary><c>"..."</c>: backslash escapes for anything.</summary>
    DoubleQuoted,

    /// <summary><c>|</c>: indented lines, kept as they are.</summary>
    Literal,

    /// <summary><c>&gt;</c>: indented lines, a single line break read as a space.</summary>
    Folded,
}

/// <summary>One scalar of a YAML file: where its token is (quotes or block header included, anchor and tag not), and what it is.</summary>
/// <param name="Start">The token's first character: the quote, the block indicator, or the plain text's first character.</param>
/// <param name="End">Past the token's last character (a block scalar's trailing line breaks included).</param>
/// <param name="Style">How it is written.</param>
/// <param name="IsKey">A mapping key, or inside a complex key.</param>
/// <param name="InFlow">Inside a flow collection (<c>[...]</c>, <c>{...}</c>), where <c>,[]{}</c> end a plain scalar.</param>
/// <param name="Anchor">Its anchor name, or empty.</param>
/// <param name="Tagged">It carries an explicit tag in the file other than <c>!!str</c> (the bare <c>!</c> included: YAML 1.1 readers resolve it as if plain).</param>
/// <param name="Path">Its configuration path (keys and sequence indexes joined by <c>:</c>), for mapping mode.</param>
/// <param name="Value">Its value as the parser reads it.</param>
/// <param name="Markers">How many times <c>#{secret</c> occurs in its token (an escape <c>##{secret</c> counts too).</param>
internal sealed record YamlScalar(int Start, int End, YamlStyle Style, bool IsKey, bool InFlow, string Anchor, bool Tagged, string Path, string Value, int Markers)
{
    /// <summary>Where the content starts: inside the quotes, or after a block scalar's header line.</summary>
    public int ContentStart { get; init; }

    /// <summary>Where the content ends: before the closing quote; a plain or block scalar's end.</summary>
    public int ContentEnd { get; init; }

    /// <summary>A block scalar's indentation (the spaces every content line starts with); empty otherwise.</summary>
    public string Indent { get; init; } = string.Empty;

    /// <summary>The token spans more than one line.</summary>
    public bool MultiLine { get; init; }

    /// <summary>Where the content's first character that is not a space or line break is (a block's first line).</summary>
    public int FirstText { get; init; }
}

/// <summary>
/// What the resolver needs to know to write a value into a YAML scalar: its style, and for a scalar that may switch to a
/// double-quoted one (a single-line plain or single-quoted scalar holding one placeholder, or a mapping target) the
/// text of the scalar around the placeholder, since the whole token is then written.
/// </summary>
/// <param name="Style">The scalar's style in the file.</param>
/// <param name="Token">The whole token is replaced (quotes included): the written text is <paramref name="Before"/>, the value and <paramref name="After"/> in the style chosen.</param>
/// <param name="Before">With <paramref name="Token"/>: the token's content before the placeholder, as written in the file; else empty.</param>
/// <param name="After">With <paramref name="Token"/>: the token's content after the placeholder, as written in the file; else empty.</param>
/// <param name="Indent">A block scalar's indentation, written after each line break of the value.</param>
/// <param name="InFlow">The scalar is inside a flow collection.</param>
/// <param name="MultiLine">The scalar spans lines, so spaces at a line's edge would be folded away.</param>
/// <param name="PlaceholderStart">The placeholder's own start (the read-back check marks it there).</param>
/// <param name="PlaceholderEnd">The placeholder's own end.</param>
/// <param name="StartsBlock">Only spaces and line breaks stand before the placeholder in its scalar (a block's first line).</param>
internal sealed record YamlFrame(YamlStyle Style, bool Token, string Before, string After, string Indent, bool InFlow, bool MultiLine, int PlaceholderStart, int PlaceholderEnd, bool StartsBlock)
{
    /// <summary>In a block scalar: how many spaces stand before the placeholder on its line when nothing else does, else -1.</summary>
    public int SpacesBefore { get; init; } = -1;

    /// <summary>In a block scalar: how many spaces or tabs follow the placeholder to the end of its line when nothing else does, else -1.</summary>
    public int SpacesAfter { get; init; } = -1;
}

/// <summary>
/// A YAML file as YamlDotNet's parser reads it (YAML 1.2, several documents): its scalars with their styles and
/// configuration paths, its comments, the anchors aliases repeat, and the first thing that keeps it from being a valid
/// document (a parse error, a tab in indentation, a key given twice). Placeholders are substituted inside scalars only,
/// never in keys, tags, anchors or between tokens; the rewriting stays token-level: bytes outside the replaced scalars
/// are copied as they are, so comments, anchors, document markers and key order stay byte for byte.
/// </summary>
internal sealed class YamlLayout : IFormatLayout
{
    /// <summary>The deepest nesting read, as for JSON (<c>JsonShape</c>); config files need far less.</summary>
    public const int MaxDepth = 256;

    private readonly string _text;
    private readonly List<YamlScalar> _scalars = [];
    private readonly List<(int Start, int End)> _comments = [];
    private readonly HashSet<string> _aliased = new(StringComparer.Ordinal);

    private YamlLayout(string text) => _text = text;

    /// <summary>The scalars, in file order.</summary>
    public IReadOnlyList<YamlScalar> Scalars => _scalars;

    /// <summary>Why the file is not a valid YAML document, or null.</summary>
    public string? Error { get; private set; }

    /// <summary>Where <see cref="Error"/> is (1-based line and column), when there is one.</summary>
    public (int Line, int Column) ErrorAt { get; private set; }

    /// <summary>Reads <paramref name="text"/> (decoded, without BOM).</summary>
    public static YamlLayout Scan(string text)
    {
        var layout = new YamlLayout(text);
        layout.Read();
        return layout;
    }

    /// <inheritdoc />
    public Site Classify(int start, int end, bool wholeToken)
    {
        // The comments are in file order: the last one starting at or before the placeholder is the only candidate.
        var at = _comments.BinarySearch((start, int.MaxValue), Comparer<(int Start, int End)>.Create((a, b) => a.Start.CompareTo(b.Start)));
        at = at < 0 ? ~at - 1 : at;
        if (at >= 0 && start < _comments[at].End)
        {
            // '#{secret:...}' right after 'key: ' is a comment to YAML: the key would be null, so it is never left alone.
            // A '##{secret' escape there is the comment's own text: left alone like any comment (red team round 11, F6).
            return _comments[at].Start == start && !_text.AsSpan(start).StartsWith("##", StringComparison.Ordinal)
                ? Site.Forbid("YAML reads '#' after a space (or at a line's start) as the start of a comment, so this placeholder and the rest of the line are a comment and the key's value is empty; quote it: key: \"#{secret:...}\"")
                : Site.InComment();
        }

        var scalar = Find(start);
        if (scalar is null || start < scalar.ContentStart)
        {
            return Site.Forbid("it is not inside a YAML scalar value (it is in an indicator, a tag, an anchor or a block scalar's header)");
        }

        if (scalar.IsKey)
        {
            return Site.Forbid("it is in a YAML mapping key; a secret must not add or rename a key");
        }

        if (end > scalar.ContentEnd)
        {
            return Site.Overrun("its YAML scalar");
        }

        if (IsAliased(scalar))
        {
            return Site.Forbid($"its scalar has the anchor '&{scalar.Anchor}', which an alias ('*{scalar.Anchor}') repeats elsewhere in the file; give each place its own placeholder instead of the alias");
        }

        if (scalar.Tagged)
        {
            // Red team round 11, F3: a tag decides the type, so the value would not be read as the string written.
            return Site.Forbid("its scalar has an explicit tag (such as !!int, !!binary or the bare '!'), which decides how the value is read; a secret is written only into an untagged or !!str scalar");
        }

        if (scalar.Style is YamlStyle.Literal or YamlStyle.Folded && ExplicitIndentation(scalar))
        {
            // Red team round 11, F7: with '|2' the indentation is the parent's plus 2, not the first line's; where a value
            // line of only spaces begins is then read differently by YAML readers.
            return Site.Forbid("its block scalar has an explicit indentation indicator ('|2', '>1-'); drop the indicator, or use a double-quoted scalar");
        }

        if (scalar.Style is YamlStyle.Literal or YamlStyle.Folded && scalar.Indent.Length == 0)
        {
            // Red team round 11, F1: at indentation 0 a value line '---' starts a new document for YAML 1.2 readers while
            // YamlDotNet (the shape check) reads on; PyYAML does not read such a block at all.
            return Site.Forbid("its block scalar is at indentation 0 (a top-level '|' or '>'), where a line of the value could start a new document; indent the block's content");
        }

        var whole = start == scalar.ContentStart && end == scalar.ContentEnd;
        if (wholeToken)
        {
            // The json modifier writes a typed value (a number, a flow mapping) in place of the whole quoted scalar.
            if (scalar.Style is not (YamlStyle.SingleQuoted or YamlStyle.DoubleQuoted) || !whole)
            {
                return Site.Forbid("the 'json' modifier needs the placeholder to be a whole quoted YAML scalar without a tag ('#{secret:...|json}' in quotes)");
            }

            return new Site(SiteKind.Substitute, EscapeContext.YamlJsonValue, scalar.Start, scalar.End, Yaml: Frame(scalar, token: true, start, end));
        }

        // A single-line plain or single-quoted scalar with one placeholder may switch to double quotes: its whole token is written.
        var switchable = scalar.Style is YamlStyle.Plain or YamlStyle.SingleQuoted && scalar.Markers == 1 && !scalar.MultiLine;
        var context = scalar.Style switch
        {
            YamlStyle.Plain => EscapeContext.YamlPlain,
            YamlStyle.SingleQuoted => EscapeContext.YamlSingleQuoted,
            YamlStyle.DoubleQuoted => EscapeContext.YamlDoubleQuoted,
            YamlStyle.Literal => EscapeContext.YamlLiteral,
            _ => EscapeContext.YamlFolded,
        };
        return switchable
            ? new Site(SiteKind.Substitute, context, scalar.Start, scalar.End, Yaml: Frame(scalar, token: true, start, end))
            : new Site(SiteKind.Substitute, context, start, end, Yaml: Frame(scalar, token: false, start, end));
    }

    /// <summary>Whether an alias repeats <paramref name="scalar"/> (through its anchor).</summary>
    public bool IsAliased(YamlScalar scalar) => scalar.Anchor.Length > 0 && _aliased.Contains(scalar.Anchor);

    /// <summary>The frame of a value written over the whole content of <paramref name="scalar"/> (mapping mode).</summary>
    public YamlFrame WholeFrame(YamlScalar scalar) => Frame(scalar, token: scalar.Style != YamlStyle.DoubleQuoted, scalar.ContentStart, scalar.ContentEnd);

    /// <summary>The scalar whose token holds <paramref name="offset"/>, or null.</summary>
    private YamlScalar? Find(int offset)
    {
        int low = 0, high = _scalars.Count - 1;
        while (low <= high)
        {
            var mid = (low + high) / 2;
            var scalar = _scalars[mid];
            if (offset < scalar.Start)
            {
                high = mid - 1;
            }
            else if (offset >= scalar.End)
            {
                low = mid + 1;
            }
            else
            {
                return scalar;
            }
        }

        return null;
    }

    // The text around the placeholder is copied only for a token rewrite (one placeholder in the scalar): copies per
    // placeholder of a long scalar with many would cost quadratic time.
    private YamlFrame Frame(YamlScalar scalar, bool token, int start, int end) => new(
        scalar.Style,
        token,
        token ? _text[scalar.ContentStart..start] : string.Empty,
        token ? _text[end..scalar.ContentEnd] : string.Empty,
        scalar.Indent,
        scalar.InFlow,
        scalar.MultiLine,
        start,
        end,
        start <= scalar.FirstText)
    {
        SpacesBefore = scalar.Style is YamlStyle.Literal or YamlStyle.Folded ? SpacesBeforeOnLine(start) : -1,
        SpacesAfter = scalar.Style is YamlStyle.Literal or YamlStyle.Folded ? BlankToLineEnd(end) : -1,
    };

    // Both stop at the first other character, so a line with many placeholders costs no more than its length.
    private int SpacesBeforeOnLine(int start)
    {
        var i = start;
        while (i > 0 && _text[i - 1] == ' ')
        {
            i--;
        }

        return i == 0 || _text[i - 1] is '\n' or '\r' ? start - i : -1;
    }

    private int BlankToLineEnd(int end)
    {
        var i = end;
        while (i < _text.Length && _text[i] is ' ' or '\t')
        {
            i++;
        }

        return i == _text.Length || _text[i] is '\n' or '\r' ? i - end : -1;
    }

    // Kept apart so that YamlDotNet loads only when a YAML file is resolved.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Read()
    {
        var parser = new Parser(new Scanner(new StringReader(_text), skipComments: false));
        var stack = new List<Node>();
        try
        {
            while (YamlShape.MoveNext(parser))
            {
                switch (parser.Current)
                {
                    case Comment comment:
                        _comments.Add(((int)comment.Start.Index, (int)comment.End.Index));
                        break;
                    case DocumentStart:
                        stack.Clear();
                        break;
                    case MappingStart or SequenceStart when stack.Count >= MaxDepth:
                        // A deeper file is no config file; its paths alone would cost quadratic time and memory.
                        Error = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"mappings and sequences are nested deeper than {MaxDepth} levels");
                        ErrorAt = ((int)parser.Current.Start.Line, (int)parser.Current.Start.Column);
                        return;
                    case MappingStart mapping:
                        stack.Add(Open(stack, isMapping: true, mapping.Style == MappingStyle.Flow));
                        break;
                    case SequenceStart sequence:
                        stack.Add(Open(stack, isMapping: false, sequence.Style == SequenceStyle.Flow));
                        break;
                    case MappingEnd or SequenceEnd:
                        stack.RemoveAt(stack.Count - 1);
                        Advance(stack, "?");
                        break;
                    case Scalar scalar:
                        if (!AddScalar(stack, scalar))
                        {
                            return;
                        }

                        break;
                    case AnchorAlias alias:
                        _aliased.Add(alias.Value.Value);
                        Advance(stack, "*");
                        break;
                    default:
                        break;
                }
            }

            // The events can be in an order no document has (an alias right after a quoted scalar) or name an anchor
            // never defined: YamlDotNet's representation model, which builds the nodes, refuses those.
            Validate(_text);
        }
        catch (YamlException ex)
        {
            // The parser's message may quote the file's text: only a description of ours and the position are kept.
            var line = (int)Math.Min(ex.Start.Line, int.MaxValue);
            var tabbed = TabIndentedLine();
            if (tabbed > 0 && ex.Message.Contains("tab", StringComparison.OrdinalIgnoreCase))
            {
                Error = "a line is indented with a tab; YAML allows only spaces in indentation";
                ErrorAt = (tabbed, 1);
            }
            else
            {
                Error = "it does not parse (an unclosed quote or bracket, a value where a key is expected, indentation that does not line up, or a '{' of a placeholder unquoted in a flow collection)";
                ErrorAt = (line, (int)Math.Min(ex.Start.Column, int.MaxValue));
            }
        }
    }

    private static void Validate(string text)
    {
        try
        {
            new YamlDotNet.RepresentationModel.YamlStream().Load(new StringReader(text));
        }
        catch (Exception ex) when (ex is not YamlException and not OutOfMemoryException)
        {
            throw new YamlException(Mark.Empty, Mark.Empty, "The document does not load.", ex);
        }
    }

    /// <summary>A new collection: its path and whether it is (inside) a key.</summary>
    private static Node Open(List<Node> stack, bool isMapping, bool flow)
    {
        var parent = stack.Count > 0 ? stack[^1] : null;
        var inKey = parent is not null && (parent.InKey || (parent.IsMapping && parent.ExpectKey));
        return new Node(isMapping, PathOf(parent), inKey, flow || (parent?.InFlow ?? false));
    }

    /// <summary>Records a scalar; false (with <see cref="Error"/>) when it repeats a key of its mapping.</summary>
    private bool AddScalar(List<Node> stack, Scalar scalar)
    {
        var parent = stack.Count > 0 ? stack[^1] : null;
        var isKey = parent is not null && (parent.InKey || (parent.IsMapping && parent.ExpectKey));
        // The parser's marks may point one past the text's end (an empty scalar at the end of the stream).
        var end = Math.Min((int)scalar.End.Index, _text.Length);
        var start = TokenStart(Math.Min((int)scalar.Start.Index, end), end);
        var style = scalar.Style switch
        {
            ScalarStyle.SingleQuoted => YamlStyle.SingleQuoted,
            ScalarStyle.DoubleQuoted => YamlStyle.DoubleQuoted,
            ScalarStyle.Literal => YamlStyle.Literal,
            ScalarStyle.Folded => YamlStyle.Folded,
            _ => YamlStyle.Plain,
        };
        if (isKey && parent is { IsMapping: true, InKey: false } && !KeyIdentities(scalar.Value, style == YamlStyle.Plain).Distinct(StringComparer.Ordinal).Aggregate(true, (fresh, identity) => parent.Keys.Add(identity) & fresh))
        {
            // Round 12, 4: 'yes' and 'true' are one key to PyYAML, 'True' and "true" one key to JavaScript readers.
            Error = $"the key '{scalar.Value}' is given twice in the same mapping (as text, or as the same null, boolean or number to a YAML 1.1 or 1.2 reader)";
            ErrorAt = ((int)scalar.Start.Line, (int)scalar.Start.Column);
            return false;
        }

        var (contentStart, contentEnd, indent) = Content(style, start, end);
        var token = _text.AsSpan(start, end - start);
        _scalars.Add(new YamlScalar(
            start,
            end,
            style,
            isKey,
            parent?.InFlow ?? false,
            scalar.Anchor.IsEmpty ? string.Empty : scalar.Anchor.Value,
            TaggedOtherThanString(scalar, Math.Min((int)scalar.Start.Index, start), start),
            PathOf(parent),
            scalar.Value,
            Count(token, "#{secret"))
        {
            ContentStart = contentStart,
            ContentEnd = contentEnd,
            Indent = indent,
            MultiLine = style is YamlStyle.Plain or YamlStyle.SingleQuoted or YamlStyle.DoubleQuoted && token.IndexOfAny('\r', '\n') >= 0,
            FirstText = FirstText(contentStart, contentEnd),
        });
        Advance(stack, scalar.Value);
        return true;
    }

    /// <summary>
    /// What a key is to the readers: its text (<c>s:</c>, also how JavaScript readers name a typed key: <c>true</c>,
    /// <c>null</c>, <c>1</c>) and, for a plain key that YAML 1.2 or 1.1 types, its typed value (<c>t:</c>). Two keys of one
    /// mapping that share an identity are one key to some reader.
    /// </summary>
    private static IEnumerable<string> KeyIdentities(string value, bool plain)
    {
        yield return "s:" + value;
        if (!plain || Escaping.YamlEscaper.ReadsAsString(value))
        {
            yield break;
        }

        switch (value)
        {
            case "~" or "null" or "Null" or "NULL":
                // JavaScript readers name a null key "".
                yield return "t:null";
                yield return "s:null";
                yield return "s:";
                yield break;
            case "true" or "True" or "TRUE" or "y" or "Y" or "yes" or "Yes" or "YES" or "on" or "On" or "ON":
                // Python's True == 1: one dictionary key with 1 and 1.0 (round 13, 1).
                yield return "t:1";
                yield return "s:true";
                yield break;
            case "false" or "False" or "FALSE" or "n" or "N" or "no" or "No" or "NO" or "off" or "Off" or "OFF":
                yield return "t:0";
                yield return "s:false";
                yield break;
        }

        if (Timestamp(value) is { } ticks)
        {
            yield return "t:time:" + ticks.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        foreach (var number in Numbers(value.Replace("_", string.Empty, StringComparison.Ordinal)))
        {
            // One form per number for both: -0 is 0, and JavaScript names NaN and the infinities so.
            var text = double.IsNaN(number) ? "NaN" : double.IsPositiveInfinity(number) ? "Infinity" : double.IsNegativeInfinity(number) ? "-Infinity"
                : (number == 0 ? 0d : number).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            yield return "t:" + text;
            yield return "s:" + text;
        }
    }

    /// <summary>A YAML 1.1 timestamp with a time (<c>2001-12-14t21:59:43.10-05:00</c>, <c>2001-12-14 21:59:43.10 -5</c>) as UTC ticks, a date alone as its day.</summary>
    private static long? Timestamp(string value)
    {
        var match = System.Text.RegularExpressions.Regex.Match(
            value,
            @"^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt]|[ \t]+)(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d*))?(?:[ \t]*(Z|[-+]\d{1,2}(?::?\d{2})?))?)?$",
            System.Text.RegularExpressions.RegexOptions.CultureInvariant,
            TimeSpan.FromSeconds(1));
        if (!match.Success)
        {
            return null;
        }

        int Part(int group) => int.Parse(match.Groups[group].Value, System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            if (!match.Groups[4].Success)
            {
                return new DateTime(Part(1), Part(2), Part(3), 0, 0, 0, DateTimeKind.Unspecified).Ticks / TimeSpan.TicksPerDay;
            }

            var fraction = match.Groups[7].Value;
            var ticks = fraction.Length == 0 ? 0 : (long)(double.Parse("0." + fraction, System.Globalization.CultureInfo.InvariantCulture) * TimeSpan.TicksPerSecond);
            var zone = match.Groups[8].Value;
            var offset = TimeSpan.Zero;
            if (zone.Length > 0 && zone != "Z")
            {
                var digits = zone[1..].Replace(":", string.Empty, StringComparison.Ordinal);
                var hours = int.Parse(digits.Length > 2 ? digits[..^2] : digits, System.Globalization.CultureInfo.InvariantCulture);
                var minutes = digits.Length > 2 ? int.Parse(digits[^2..], System.Globalization.CultureInfo.InvariantCulture) : 0;
                offset = new TimeSpan(hours, minutes, 0) * (zone[0] == '-' ? -1 : 1);
            }

            var local = new DateTime(Part(1), Part(2), Part(3), Part(4), Part(5), Part(6), DateTimeKind.Unspecified).AddTicks(ticks);
            return -(local - offset).Ticks; // negative: never equal to a day count
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>The numbers a plain scalar may be to YAML 1.2 or 1.1 readers (<c>017</c> is 17 or, in YAML 1.1, 15).</summary>
    private static IEnumerable<double> Numbers(string text)
    {
        switch (text)
        {
            case ".nan" or ".NaN" or ".NAN":
                yield return double.NaN;
                yield break;
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF":
                yield return double.PositiveInfinity;
                yield break;
            case "-.inf" or "-.Inf" or "-.INF":
                yield return double.NegativeInfinity;
                yield break;
        }

        if (Sexagesimal(text) is { } base60)
        {
            yield return base60;
            yield break;
        }

        var negative = text.StartsWith('-');
        var digits = text.TrimStart('+', '-');
        var sign = negative ? -1 : 1;
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && long.TryParse(digits[2..], System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var hex))
        {
            yield return sign * (double)hex;
        }
        else if (digits.StartsWith("0o", StringComparison.OrdinalIgnoreCase) && TryOctal(digits[2..], out var octal))
        {
            yield return sign * (double)octal;
        }
        else if (digits.StartsWith("0b", StringComparison.OrdinalIgnoreCase) && digits.Length > 2 && digits[2..].All(c => c is '0' or '1'))
        {
            yield return sign * (double)Convert.ToInt64(digits[2..], 2);
        }
        else
        {
            if (digits.Length > 1 && digits[0] == '0' && TryOctal(digits[1..], out var legacy))
            {
                yield return sign * (double)legacy;
            }

            if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var plain))
            {
                yield return plain;
            }
        }
    }

    /// <summary>A YAML 1.1 base-60 number (<c>1:30</c> is 90, <c>1:00:00</c> 3600, <c>1:30.5</c> 90.5), or null.</summary>
    private static double? Sexagesimal(string text)
    {
        var match = System.Text.RegularExpressions.Regex.Match(text, @"^([-+]?)([0-9]+)((?::[0-5]?[0-9])+)(\.[0-9]*)?$", System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        if (!match.Success || match.Groups[2].Value.Length > 15)
        {
            return null;
        }

        var value = double.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        foreach (var part in match.Groups[3].Value.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            value = (value * 60) + int.Parse(part, System.Globalization.CultureInfo.InvariantCulture);
        }

        if (match.Groups[4].Value.Length > 1)
        {
            value += double.Parse("0" + match.Groups[4].Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        return match.Groups[1].Value == "-" ? -value : value;
    }

    private static bool TryOctal(string digits, out long value)
    {
        value = 0;
        if (digits.Length == 0 || digits.Length > 20 || !digits.All(c => c is >= '0' and <= '7'))
        {
            return false;
        }

        foreach (var c in digits)
        {
            value = (value * 8) + (c - '0');
        }

        return true;
    }

    /// <summary>After a whole node: a mapping turns from key to value (remembering the key), a sequence counts it.</summary>
    private static void Advance(List<Node> stack, string value)
    {
        if (stack.Count == 0)
        {
            return;
        }

        var parent = stack[^1];
        if (!parent.IsMapping)
        {
            parent.Index++;
            return;
        }

        if (parent.ExpectKey)
        {
            parent.Key = value;
        }

        parent.ExpectKey = !parent.ExpectKey;
    }

    private static string PathOf(Node? parent)
    {
        if (parent is null)
        {
            return string.Empty;
        }

        var segment = parent.IsMapping ? parent.Key : parent.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return parent.Path.Length == 0 ? segment : parent.Path + ":" + segment;
    }

    /// <summary>
    /// Whether the properties before the token (<paramref name="from"/> to <paramref name="to"/>) hold a tag that is not
    /// <c>tag:yaml.org,2002:str</c>: <c>!!int "#{secret:X}"</c> would make the value a number (or the file unreadable for
    /// an <c>!!int "abc"</c>), and the non-specific <c>!</c>, a string in YAML 1.2, is resolved like a plain scalar by PyYAML.
    /// </summary>
    private bool TaggedOtherThanString(Scalar scalar, int from, int to)
    {
        var explicitTag = _text.AsSpan(from, Math.Max(0, to - from)).Contains('!');
        return explicitTag && !(!scalar.Tag.IsEmpty && !scalar.Tag.IsNonSpecific && scalar.Tag.Value == "tag:yaml.org,2002:str");
    }

    /// <summary>Skips the anchor (<c>&amp;a</c>) and tag (<c>!t</c>) that the parser counts into a scalar's span.</summary>
    private int TokenStart(int start, int end)
    {
        var i = start;
        while (i < end && _text[i] is '&' or '!')
        {
            if (_text[i] == '!' && i + 1 < end && _text[i + 1] == '<')
            {
                var close = _text.IndexOf('>', i, end - i);
                i = close < 0 ? end : close + 1;
            }

            while (i < end && !char.IsWhiteSpace(_text[i]))
            {
                i++;
            }

            while (i < end && (char.IsWhiteSpace(_text[i]) || _text[i] == '#'))
            {
                if (_text[i] == '#')
                {
                    while (i < end && _text[i] is not '\n' and not '\r')
                    {
                        i++;
                    }
                }
                else
                {
                    i++;
                }
            }
        }

        return i;
    }

    /// <summary>Where a scalar's content is, and a block scalar's indentation.</summary>
    private (int Start, int End, string Indent) Content(YamlStyle style, int start, int end)
    {
        switch (style)
        {
            case YamlStyle.SingleQuoted or YamlStyle.DoubleQuoted:
                return (start + 1, Math.Max(start + 1, end - 1), string.Empty);
            case YamlStyle.Literal or YamlStyle.Folded:
                var headerEnd = _text.IndexOfAny(['\r', '\n'], start, end - start);
                if (headerEnd < 0)
                {
                    return (end, end, string.Empty);
                }

                var contentStart = headerEnd + (_text[headerEnd] == '\r' && headerEnd + 1 < end && _text[headerEnd + 1] == '\n' ? 2 : 1);
                return (contentStart, end, BlockIndent(contentStart, end));
            default:
                return (start, end, string.Empty);
        }
    }

    private int FirstText(int start, int end)
    {
        var i = start;
        while (i < end && _text[i] is ' ' or '\r' or '\n')
        {
            i++;
        }

        return i;
    }

    /// <summary>Whether a block scalar's header (<c>|2</c>, <c>&gt;-1</c>) carries an indentation indicator.</summary>
    private bool ExplicitIndentation(YamlScalar scalar)
    {
        for (var i = scalar.Start + 1; i < scalar.ContentStart && _text[i] is not ('#' or ' ' or '\t' or '\r' or '\n'); i++)
        {
            if (_text[i] is >= '1' and <= '9')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The spaces the first non-empty content line of a block scalar starts with (its indentation).</summary>
    private string BlockIndent(int start, int end)
    {
        for (var line = start; line < end;)
        {
            var i = line;
            while (i < end && _text[i] == ' ')
            {
                i++;
            }

            if (i < end && _text[i] is not '\r' and not '\n')
            {
                return new string(' ', i - line);
            }

            var next = _text.IndexOf('\n', i, end - i);
            if (next < 0)
            {
                break;
            }

            line = next + 1;
        }

        return string.Empty;
    }

    /// <summary>The first line whose leading whitespace holds a tab, or 0.</summary>
    private int TabIndentedLine()
    {
        var line = 1;
        var atLineStart = true;
        foreach (var c in _text)
        {
            if (c == '\n')
            {
                line++;
                atLineStart = true;
            }
            else if (atLineStart && c == '\t')
            {
                return line;
            }
            else if (c != ' ')
            {
                atLineStart = false;
            }
        }

        return 0;
    }

    private static int Count(ReadOnlySpan<char> text, string what)
    {
        var count = 0;
        for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, StringComparison.Ordinal))
        {
            count++;
            text = text[(at + 1)..];
        }

        return count;
    }

    /// <summary>An open mapping or sequence while reading.</summary>
    private sealed class Node(bool isMapping, string path, bool inKey, bool inFlow)
    {
        public bool IsMapping { get; } = isMapping;

        public string Path { get; } = path;

        public bool InKey { get; } = inKey;

        public bool InFlow { get; } = inFlow;

        public bool ExpectKey { get; set; } = true;

        public string Key { get; set; } = string.Empty;

        public int Index { get; set; }

        public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using SecretStore.Diagnostics;
using SecretStore.Resolution.Formats;

namespace SecretStore.Resolution.Escaping;

/// <summary>
/// Writes a value into a YAML scalar in the scalar's own style when that style carries it as the same string, and in
/// double quotes (which carry any text) when the scalar may switch: a single-line plain or single-quoted scalar with one
/// placeholder, whose whole token is then rewritten. A switch never changes the document's shape, only the scalar's
/// quoting; where no switch is possible the value is refused with a coded error. Every form is checked again by the
/// renderer, which parses the output and compares each written scalar with the value.
/// </summary>
internal static class YamlEscaper
{
    /// <summary>Writes <paramref name="value"/> (already base64-encoded when asked) for <paramref name="context"/>.</summary>
    public static EscapeOutcome Escape(string value, EscapeContext context, YamlFrame frame, bool raw, bool literal, string lineEnding)
    {
        if (raw)
        {
            return EscapeOutcome.Ok(frame.Token ? Original(frame, frame.Before + value + frame.After) : value);
        }

        if (value.Contains('\0', StringComparison.Ordinal))
        {
            return EscapeOutcome.Fail(DiagnosticCodes.ValueNotAllowedInContext, "the value contains a NUL character, which configuration read from YAML cannot carry; use the 'base64' modifier");
        }

        return context switch
        {
            EscapeContext.YamlJsonValue => JsonValue(value, literal),
            EscapeContext.YamlDoubleQuoted => EscapeOutcome.Ok(DoubleQuoted(value, literal, frame.MultiLine)),
            EscapeContext.YamlSingleQuoted => SingleQuoted(value, frame, literal),
            EscapeContext.YamlPlain => Plain(value, frame, literal),
            _ => Block(value, context == EscapeContext.YamlFolded, frame, literal, lineEnding),
        };
    }

    /// <summary>
    /// Whether a plain scalar's text is read as a string by YAML 1.2's core schema and by YAML 1.1 readers (PyYAML,
    /// go-yaml v2, which Kubernetes tools use): not null, a boolean, a number or a timestamp. Conservative: anything that
    /// starts like a number counts as one.
    /// </summary>
    public static bool ReadsAsString(string plain)
    {
        if (plain.Length == 0)
        {
            return false;
        }

        switch (plain)
        {
            case "~" or "null" or "Null" or "NULL" or "true" or "True" or "TRUE" or "false" or "False" or "FALSE"
                or "y" or "Y" or "yes" or "Yes" or "YES" or "n" or "N" or "no" or "No" or "NO"
                or "on" or "On" or "ON" or "off" or "Off" or "OFF" or "=" or "<<":
                return false;
        }

        var first = plain[0];
        var second = plain.Length > 1 ? plain[1] : '\0';
        if (char.IsAsciiDigit(first) || (first is '-' or '+' or '.' && (char.IsAsciiDigit(second) || second == '.')))
        {
            return false;
        }

        var rest = first is '-' or '+' ? plain[1..] : plain;
        return rest is not (".inf" or ".Inf" or ".INF" or ".nan" or ".NaN" or ".NAN");
    }

    /// <summary>Double-quoted content: every character that is not printable, a quote, a backslash or a line break escaped.</summary>
    public static string DoubleQuoted(string value, bool literal, bool multiLine)
    {
        var sb = new StringBuilder(value.Length + 8);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '"': sb.Append("\\\""); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '#' when literal: sb.Append("\\x23"); break;

                // A scalar that spans lines folds away the spaces at a line's edge: the value's own are kept as escapes.
                case ' ' when multiLine && (i == 0 || i == value.Length - 1): sb.Append("\\x20"); break;
                case < ' ' or '\u007F' or (>= '\u0080' and <= '\u009F'):
                    sb.Append("\\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
                    break;
                case '\u2028' or '\u2029' or '\uFEFF' or '\uFFFE' or '\uFFFF':
                    sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    break;
                default: sb.Append(c); break;
            }
        }

        return sb.ToString();
    }

    /// <summary>The whole token in the scalar's original style around <paramref name="content"/> (as written in the file).</summary>
    private static string Original(YamlFrame frame, string content) => frame.Style == YamlStyle.SingleQuoted ? "'" + content + "'" : content;

    private static EscapeOutcome SingleQuoted(string value, YamlFrame frame, bool literal)
    {
        var fits = !(literal && value.Contains('#', StringComparison.Ordinal)) && value.All(RawSafe) && !(frame.MultiLine && EdgeSpace(value));
        if (fits)
        {
            var inner = value.Replace("'", "''", StringComparison.Ordinal);
            return EscapeOutcome.Ok(frame.Token ? Original(frame, frame.Before + inner + frame.After) : inner);
        }

        return frame.Token
            ? EscapeOutcome.Ok(SwitchToDoubleQuotes(frame, value, literal))
            : EscapeOutcome.Fail(DiagnosticCodes.ValueNotAllowedInContext, "a single-quoted YAML scalar that spans lines or holds other placeholders cannot carry a line break, a control character or (with 'literal') a '#'; make it a double-quoted scalar (\"...\") in the file, or use the 'base64' modifier");
    }

    private static EscapeOutcome Plain(string value, YamlFrame frame, bool literal)
    {
        var marked = literal && value.Contains('#', StringComparison.Ordinal);
        if (frame.Token)
        {
            var full = frame.Before + value + frame.After;
            return EscapeOutcome.Ok(!marked && PlainFits(full, frame.InFlow, checkFirst: frame.Before.Length == 0) && ReadsAsString(full)
                ? full
                : SwitchToDoubleQuotes(frame, value, literal));
        }

        // Beside other placeholders or across lines only a value that cannot end, comment or retype the scalar is written as is.
        var fits = !marked && value.All(c => RawSafe(c) && c != '\t') && !EdgeSpace(value)
            && !value.Contains(": ", StringComparison.Ordinal) && !value.Contains(" #", StringComparison.Ordinal) && !value.EndsWith(':')
            && !(frame.InFlow && value.AsSpan().IndexOfAny(",[]{}") >= 0);
        return fits
            ? EscapeOutcome.Ok(value)
            : EscapeOutcome.Fail(DiagnosticCodes.ValueNotAllowedInContext, "a plain YAML scalar that spans lines or holds other placeholders cannot carry this value as is (': ', ' #', a space at its edge, a line break or a control character, or ',[]{}' in a flow collection); quote the scalar in the file (\"...\"), or use the 'base64' modifier");
    }

    /// <summary>Whether <paramref name="full"/> reads back as itself written as a plain scalar (a conservative test).</summary>
    private static bool PlainFits(string full, bool inFlow, bool checkFirst)
    {
        if (full.Length == 0 || EdgeSpace(full) || !full.All(c => RawSafe(c) && c != '\t'))
        {
            return false;
        }

        if (full.Contains(": ", StringComparison.Ordinal) || full.Contains(" #", StringComparison.Ordinal) || full.EndsWith(':'))
        {
            return false;
        }

        if (inFlow && full.AsSpan().IndexOfAny(",[]{}") >= 0)
        {
            return false;
        }

        return !checkFirst || "-?:,[]{}#&*!|>'\"%@`".IndexOf(full[0], StringComparison.Ordinal) < 0;
    }

    /// <summary>The whole scalar as a double-quoted one: the text around the placeholder as the parser read it, and the value.</summary>
    private static string SwitchToDoubleQuotes(YamlFrame frame, string value, bool literal)
    {
        static string Unquote(YamlFrame frame, string text) => frame.Style == YamlStyle.SingleQuoted ? text.Replace("''", "'", StringComparison.Ordinal) : text;
        return "\"" + DoubleQuoted(Unquote(frame, frame.Before), literal: false, multiLine: false) + DoubleQuoted(value, literal, multiLine: false)
            + DoubleQuoted(Unquote(frame, frame.After), literal: false, multiLine: false) + "\"";
    }

    /// <summary>
    /// A block scalar's lines: each line break of the value becomes the file's line ending and the block's indentation
    /// (a folded block reads a single line break as a space, so there each break is an empty line). YAML reads every
    /// line break in a block as LF and has no escapes there: a carriage return or a control character is refused.
    /// </summary>
    private static EscapeOutcome Block(string value, bool folded, YamlFrame frame, bool literal, string lineEnding)
    {
        if (literal && value.Contains('#', StringComparison.Ordinal))
        {
            return EscapeOutcome.Fail(DiagnosticCodes.PlaceholderInValue, "the 'literal' modifier needs a character escape for '#', and a YAML block scalar has none; use a double-quoted scalar or the 'base64' modifier");
        }

        if (!value.All(c => c is '\n' or '\t' || RawSafe(c)))
        {
            return EscapeOutcome.Fail(DiagnosticCodes.ValueNotAllowedInContext, "the value holds a carriage return, a control character or a Unicode line separator, which a YAML block scalar cannot carry (it has no escapes); use a double-quoted scalar (\"...\") or the 'base64' modifier");
        }

        if (value.Length > 0 && value[0] is ' ' or '\t' && frame.StartsBlock)
        {
            // On the block's first line, the value's own leading spaces would become the block's indentation.
            return EscapeOutcome.Fail(DiagnosticCodes.ValueNotAllowedInContext, "the value starts with a space or tab and the placeholder starts the block scalar's first line, where YAML takes leading spaces as the block's indentation; put text before it on that line, use a double-quoted scalar (\"...\") or the 'base64' modifier");
        }

        // A line of only spaces is read differently by YAML readers when it has more than the block's indentation (red
        // team round 11, F7: PyYAML and YamlDotNet keep the extra spaces, the npm yaml package drops the line's content).
        if (LeavesBlankLine(value.Split('\n'), frame))
        {
            return EscapeOutcome.Fail(DiagnosticCodes.ValueNotAllowedInContext, "the value would leave a line of only spaces in the block scalar, which YAML readers read differently (some keep the spaces, some drop them); use a double-quoted scalar (\"...\") or the 'base64' modifier");
        }

        // Line breaks as the file's; the indentation before the next text (an empty line gets none).
        var sb = new StringBuilder(value.Length + 16);
        var pending = false;
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '\n')
            {
                sb.Append(pending ? frame.Indent : string.Empty).Append(value[i]);
                pending = false;
                continue;
            }

            sb.Append(lineEnding);
            if (folded && (i == 0 || value[i - 1] != '\n'))
            {
                // The first break of a run: in a folded block one more empty line keeps it a line break, not a space.
                sb.Append(lineEnding);
            }

            pending = true;
        }

        if (pending)
        {
            // The rest of the placeholder's line follows.
            sb.Append(frame.Indent);
        }

        return EscapeOutcome.Ok(sb.ToString());
    }

    /// <summary>
    /// Whether writing the value's lines leaves an output line of only spaces with more than the block's indentation: a
    /// middle line of only spaces, or the first (last) line when only spaces stand before (after) the placeholder.
    /// </summary>
    private static bool LeavesBlankLine(string[] lines, YamlFrame frame)
    {
        static bool Blank(string line) => line.All(c => c is ' ' or '\t');
        var indent = frame.Indent.Length;
        for (var i = 1; i < lines.Length - 1; i++)
        {
            if (lines[i].Length > 0 && Blank(lines[i]))
            {
                return true;
            }
        }

        var single = lines.Length == 1;
        if (frame.SpacesBefore >= 0 && Blank(lines[0]) && (!single || frame.SpacesAfter >= 0)
            && frame.SpacesBefore + lines[0].Length + (single ? frame.SpacesAfter : 0) > indent)
        {
            return true;
        }

        return !single && frame.SpacesAfter >= 0 && Blank(lines[^1]) && lines[^1].Length + frame.SpacesAfter > 0;
    }

    /// <summary>A JSON value on one line (a flow value YAML reads as the same number, boolean, null, string, mapping or sequence).</summary>
    private static EscapeOutcome JsonValue(string value, bool literal)
    {
        using var document = JsonDocument.Parse(value);
        if (HasDuplicateKey(document.RootElement))
        {
            // JSON readers take the last of two equal keys; YAML forbids them, and its readers differ on what they do.
            return EscapeOutcome.Fail(DiagnosticCodes.ValueNotAllowedInContext, "the JSON value has an object with the same key twice, which a YAML mapping cannot hold; store the JSON without the duplicate");
        }

        var sb = new StringBuilder(value.Length);
        try
        {
            WriteFlow(document.RootElement, sb);
        }
        catch (InvalidOperationException)
        {
            // Round 12, 6: a JSON string escaping a lone surrogate ("\ud800") has no text to write.
            return EscapeOutcome.Fail(DiagnosticCodes.ValueNotAllowedInContext, "the JSON value holds a string with a lone surrogate escape, which is not text; store valid JSON text");
        }

        var compact = sb.ToString();
        if (compact.Contains('\0', StringComparison.Ordinal))
        {
            return EscapeOutcome.Fail(DiagnosticCodes.ValueNotAllowedInContext, "the JSON value holds a NUL character (\\u0000), which configuration read from YAML cannot carry");
        }
        return EscapeOutcome.Ok(literal ? compact.Replace("#", "\\u0023", StringComparison.Ordinal) : compact);
    }

    /// <summary>
    /// The JSON value as compact JSON, which YAML reads as a flow value, with each number in a form YAML 1.1 readers
    /// (PyYAML) read as the same number too: YAML 1.1 takes a float only with a '.' and a signed exponent, so
    /// <c>1e3</c> is written <c>1.0e+3</c> (red team round 11, F4). Strings and keys are written as YAML double-quoted text.
    /// </summary>
    private static void WriteFlow(JsonElement element, StringBuilder sb)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                sb.Append('{');
                var first = true;
                foreach (var property in element.EnumerateObject())
                {
                    sb.Append(first ? string.Empty : ",").Append('"').Append(FlowString(property.Name)).Append("\":");
                    WriteFlow(property.Value, sb);
                    first = false;
                }

                sb.Append('}');
                break;
            case JsonValueKind.Array:
                sb.Append('[');
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    sb.Append(index++ == 0 ? string.Empty : ",");
                    WriteFlow(item, sb);
                }

                sb.Append(']');
                break;
            case JsonValueKind.String:
                sb.Append('"').Append(FlowString(element.GetString()!)).Append('"');
                break;
            case JsonValueKind.Number:
                sb.Append(YamlNumber(element.GetRawText()));
                break;
            default:
                sb.Append(element.GetRawText()); // true, false, null
                break;
        }
    }

    /// <summary>
    /// A string of the JSON value in YAML's double-quoted form, its characters as they are where YAML allows (round 12,
    /// 5: a JSON \\uD83D\\uDE00 pair is two lone surrogates to PyYAML). A NUL stays '\\0' here for the caller to refuse.
    /// </summary>
    private static string FlowString(string text) => text.Contains('\0', StringComparison.Ordinal) ? "\0" : DoubleQuoted(text, literal: false, multiLine: false);

    /// <summary>A JSON number with an exponent given a '.' in its mantissa and a sign in its exponent (<c>1e3</c> as <c>1.0e+3</c>).</summary>
    internal static string YamlNumber(string json)
    {
        var e = json.AsSpan().IndexOfAny('e', 'E');
        if (e < 0)
        {
            return json;
        }

        var mantissa = json[..e];
        var exponent = json[(e + 1)..];
        return (mantissa.Contains('.', StringComparison.Ordinal) ? mantissa : mantissa + ".0") + json[e] + (exponent[0] is '+' or '-' ? exponent : "+" + exponent);
    }

    private static bool HasDuplicateKey(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    if (!names.Add(property.Name) || HasDuplicateKey(property.Value))
                    {
                        return true;
                    }
                }

                return false;
            case JsonValueKind.Array:
                return element.EnumerateArray().Any(HasDuplicateKey);
            default:
                return false;
        }
    }

    /// <summary>A character YAML carries as is outside double quotes on one line: printable, and not a line break of YAML 1.1 or 1.2.</summary>
    private static bool RawSafe(char c) =>
        c is not ('\r' or '\n' or '\u0085' or '\u2028' or '\u2029' or '\uFEFF' or '\uFFFE' or '\uFFFF' or '\u007F') and not (< ' ' and not '\t') and not (>= '\u0080' and <= '\u009F');

    private static bool EdgeSpace(string value) => value.Length > 0 && (value[0] is ' ' or '\t' || value[^1] is ' ' or '\t');
}

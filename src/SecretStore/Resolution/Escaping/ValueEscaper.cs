using System.Text;
using System.Text.Json;
using SecretStore.Diagnostics;
using SecretStore.Resolution.Formats;
using SecretStore.Resolution.Syntax;
using SecretStore.Secrets;

namespace SecretStore.Resolution.Escaping;

/// <summary>
/// Turns a secret value into the exact text written in one context. Every string built here is written by
/// appending; no regex replacement strings are involved, so <c>$0</c>, <c>$&amp;</c> and <c>${}</c> are just text.
/// </summary>
internal static class ValueEscaper
{
    /// <summary>Escapes <paramref name="value"/> for <paramref name="context"/> with <paramref name="modifiers"/>.</summary>
    public static EscapeOutcome Escape(string value, EscapeContext context, PlaceholderModifiers modifiers, string lineEnding, YamlFrame? yaml = null)
    {
        if (!SecretId.IsWellFormedText(value))
        {
            return EscapeOutcome.Fail(DiagnosticCodes.ValueNotAllowedInContext, "the value is not well-formed Unicode (a lone surrogate)");
        }

        if ((modifiers & PlaceholderModifiers.Base64) != 0)
        {
            value = Convert.ToBase64String(Encoding.UTF8.GetBytes(value));
        }

        if ((modifiers & PlaceholderModifiers.Json) != 0 && !IsJsonValue(value))
        {
            return EscapeOutcome.Fail(DiagnosticCodes.InvalidJsonValue, "the value is not a single valid JSON value");
        }

        var raw = (modifiers & PlaceholderModifiers.Raw) != 0;
        if (yaml is not null)
        {
            // YAML writes the literal modifier's '#' itself: only in the value, never in the scalar's text around it.
            return YamlEscaper.Escape(value, context, yaml, raw, (modifiers & PlaceholderModifiers.Literal) != 0, lineEnding);
        }

        var outcome = context switch
        {
            EscapeContext.JsonValue => EscapeOutcome.Ok(value),
            EscapeContext.JsonString => EscapeOutcome.Ok(raw ? value : JsonString(value)),
            EscapeContext.XmlAttribute => raw ? EscapeOutcome.Ok(value) : XmlAttribute(value),
            EscapeContext.XmlText => raw ? EscapeOutcome.Ok(NormalizeLineEndings(value, lineEnding)) : XmlText(value, lineEnding),
            EscapeContext.XmlCData => XmlCData(value, lineEnding),
            EscapeContext.IniValue or EscapeContext.IniWholeValue or EscapeContext.IniQuotedValue => Ini(value, context, raw, lineEnding),
            EscapeContext.PropertiesValue or EscapeContext.PropertiesValueStart => raw ? EscapeOutcome.Ok(value) : Properties(value, context == EscapeContext.PropertiesValueStart),
            EscapeContext.DotEnvUnquoted or EscapeContext.DotEnvWholeValue or EscapeContext.DotEnvSingleQuoted or EscapeContext.DotEnvDoubleQuoted => raw ? EscapeOutcome.Ok(value) : DotEnv(value, context),
            _ => PlainText(value, raw, lineEnding),
        };
        return (modifiers & PlaceholderModifiers.Literal) != 0 && outcome.Written is { } written ? Literal(written, context) : outcome;
    }

    /// <summary>
    /// The <c>literal</c> modifier: every <c>#</c> of the written form becomes a character escape that the parser
    /// reads back as <c>#</c> but the placeholder scanner, which reads the file's text, never sees as one.
    /// </summary>
    private static EscapeOutcome Literal(string written, EscapeContext context)
    {
        var escape = context switch
        {
            // In a JSON value (json modifier) a '#' can only stand inside a string: it is not valid JSON elsewhere.
            EscapeContext.JsonString or EscapeContext.JsonValue => "\\u0023",
            EscapeContext.XmlAttribute or EscapeContext.XmlText => "&#35;",
            EscapeContext.PropertiesValue or EscapeContext.PropertiesValueStart => "\\u0023",
            _ => null,
        };
        if (escape is null)
        {
            return written.Contains('#', StringComparison.Ordinal)
                ? EscapeOutcome.Fail(DiagnosticCodes.PlaceholderInValue, $"the 'literal' modifier needs a character escape for '#', and {(context == EscapeContext.XmlCData ? "a CDATA section" : "a plain-text file")} has none; use the 'base64' modifier or move the placeholder into a JSON string or an XML attribute or element")
                : EscapeOutcome.Ok(written);
        }

        return EscapeOutcome.Ok(written.Replace("#", escape, StringComparison.Ordinal));
    }

    /// <summary>JSON string content: quotes, backslashes, all C0 controls, DEL-free, and U+2028/U+2029 escaped.</summary>
    public static string JsonString(string value)
    {
        var sb = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case < ' ' or '\u2028' or '\u2029':
                    sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    break;
                default: sb.Append(c); break;
            }
        }

        return sb.ToString();
    }

    private static EscapeOutcome XmlAttribute(string value)
    {
        if (FindInvalidXmlChar(value) is { } bad)
        {
            return bad;
        }

        var sb = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&apos;"); break;

                // Attribute-value normalization would turn raw line breaks and tabs into spaces; references survive it.
                case '\n': sb.Append("&#xA;"); break;
                case '\r': sb.Append("&#xD;"); break;
                case '\t': sb.Append("&#x9;"); break;
                default: sb.Append(c); break;
            }
        }

        return EscapeOutcome.Ok(sb.ToString());
    }

    private static EscapeOutcome XmlText(string value, string lineEnding)
    {
        if (FindInvalidXmlChar(value) is { } bad)
        {
            return bad;
        }

        var sb = new StringBuilder(value.Length + 8);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '\r':
                    sb.Append(lineEnding);
                    if (i + 1 < value.Length && value[i + 1] == '\n')
                    {
                        i++;
                    }

                    break;
                case '\n': sb.Append(lineEnding); break;
                default: sb.Append(c); break;
            }
        }

        return EscapeOutcome.Ok(sb.ToString());
    }

    private static EscapeOutcome XmlCData(string value, string lineEnding)
    {
        if (value.Contains("]]>", StringComparison.Ordinal))
        {
            return EscapeOutcome.Fail(DiagnosticCodes.CDataTerminatorInValue, "the value contains ']]>', which would end the CDATA section");
        }

        return FindInvalidXmlChar(value) ?? EscapeOutcome.Ok(NormalizeLineEndings(value, lineEnding));
    }

    private static EscapeOutcome PlainText(string value, bool raw, string lineEnding)
    {
        if (raw)
        {
            return EscapeOutcome.Ok(NormalizeLineEndings(value, lineEnding));
        }

        return value.AsSpan().IndexOfAny('\r', '\n') >= 0
            ? EscapeOutcome.Fail(DiagnosticCodes.ValueNotAllowedInContext, "the value has several lines and a plain-text file has no way to escape them; use the 'raw' or 'base64' modifier")
            : EscapeOutcome.Ok(value);
    }

    /// <summary>
    /// An INI value: one line, no NUL (the reader has no escape for either). A whole unquoted value that the reader would
    /// trim, or whose own outer quotes it would take off, is written in double quotes, which changes no key; elsewhere the
    /// renderer checks that the value reads back exactly.
    /// </summary>
    private static EscapeOutcome Ini(string value, EscapeContext context, bool raw, string lineEnding)
    {
        if (raw)
        {
            return EscapeOutcome.Ok(NormalizeLineEndings(value, lineEnding));
        }

        if (value.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            return EscapeOutcome.Fail(DiagnosticCodes.ValueNotAllowedInContext, "the value has several lines and an INI value is one line with no escape for a line break; use the 'base64' modifier");
        }

        if (value.Contains('\0', StringComparison.Ordinal))
        {
            return EscapeOutcome.Fail(DiagnosticCodes.ValueNotAllowedInContext, "the value contains a NUL character, which an INI file cannot carry; use the 'base64' modifier");
        }

        var needsQuotes = context == EscapeContext.IniWholeValue && value.Length > 0
            && (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]) || (value.Length > 1 && value[0] == '"' && value[^1] == '"'));
        return EscapeOutcome.Ok(needsQuotes ? "\"" + value + "\"" : value);
    }

    /// <summary>
    /// A Java .properties value, written so that <c>Properties.load</c> gives it back exactly whether it reads the file
    /// as ISO-8859-1 (<c>load(InputStream)</c>) or as UTF-8 (a Reader, Spring's option): backslash, line breaks, tab and
    /// form feed as Java escapes, every other character that is not printable ASCII as <c>\uXXXX</c> (a surrogate pair as
    /// two), and at the value's start a space, '=' or ':' escaped, since Java skips leading whitespace and may take one of
    /// those as the separator. Nothing can end the value or continue the line.
    /// </summary>
    private static EscapeOutcome Properties(string value, bool atStart)
    {
        var sb = new StringBuilder(value.Length + 8);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\f': sb.Append("\\f"); break;
                // At the value's start Java skips whitespace and, after a key ended by whitespace, one '=' or ':'.
                case ' ' or '=' or ':' when atStart && i == 0: sb.Append('\\').Append(c); break;
                case < ' ' or > '~':
                    sb.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
                    break;
                default: sb.Append(c); break;
            }
        }

        return EscapeOutcome.Ok(sb.ToString());
    }

    /// <summary>
    /// A .env value in the form docker compose, DotNetEnv and Node's dotenv all read the same: unquoted when it is only
    /// ASCII letters, digits and <c>_-./:@%+,=~^</c>, else single-quoted (literal everywhere), else double-quoted with <c>\n</c> for a
    /// line break; a whole value takes the first form that holds, a part of a quoted or unquoted value must fit its form.
    /// Backslashes in quotes, <c>$</c> (compose and DotNetEnv interpolate it), <c>#</c> unquoted (Node ends the value
    /// there) and carriage returns are read differently by them: such a value is refused, never written ambiguously.
    /// </summary>
    private static EscapeOutcome DotEnv(string value, EscapeContext context)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            return EscapeOutcome.Fail(DiagnosticCodes.ValueNotAllowedInContext, "the value contains a NUL character, which an environment variable cannot hold; use the 'base64' modifier");
        }

        // Unquoted, only what every reader takes as plain text (DotNetEnv, for one, refuses non-ASCII there).
        static bool Unquoted(string v) => v.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '/' or ':' or '@' or '%' or '+' or ',' or '=' or '~' or '^');
        static bool Single(string v) => v.AsSpan().IndexOfAny("'\\\r\n") < 0;
        static bool Double(string v) => v.AsSpan().IndexOfAny("\"\\$`\r") < 0;
        static string DoubleText(string v) => v.Replace("\n", "\\n", StringComparison.Ordinal);
        const string Why = "no .env quoting reads it back the same in docker compose, DotNetEnv and Node's dotenv (a backslash, '$' or a carriage return with quotes of both kinds, say)";
        return context switch
        {
            EscapeContext.DotEnvWholeValue when Unquoted(value) => EscapeOutcome.Ok(value),
            EscapeContext.DotEnvWholeValue when Single(value) => EscapeOutcome.Ok("'" + value + "'"),
            EscapeContext.DotEnvWholeValue when Double(value) => EscapeOutcome.Ok("\"" + DoubleText(value) + "\""),
            EscapeContext.DotEnvWholeValue => EscapeOutcome.Fail(DiagnosticCodes.ValueNotAllowedInContext, Why + "; use the 'base64' modifier"),
            EscapeContext.DotEnvSingleQuoted => Single(value) ? EscapeOutcome.Ok(value) : EscapeOutcome.Fail(DiagnosticCodes.ValueNotAllowedInContext, "a single-quoted .env value cannot hold a quote, a backslash or a line break the same for every reader; make the placeholder the whole value (unquoted) so it is quoted as needed, or use the 'base64' modifier"),
            EscapeContext.DotEnvDoubleQuoted => Double(value) ? EscapeOutcome.Ok(DoubleText(value)) : EscapeOutcome.Fail(DiagnosticCodes.ValueNotAllowedInContext, "a double-quoted .env value cannot hold a quote, a backslash, '$' or a carriage return the same for every reader; make the placeholder the whole value (unquoted) so it is quoted as needed, or use the 'base64' modifier"),
            _ => Unquoted(value) ? EscapeOutcome.Ok(value) : EscapeOutcome.Fail(DiagnosticCodes.ValueNotAllowedInContext, "part of an unquoted .env value holds only ASCII letters, digits and _-./:@%+,=~^ the same for every reader; make the placeholder the whole value so it is quoted as needed, or use the 'base64' modifier"),
        };
    }

    /// <summary>Rewrites CRLF, CR and LF in <paramref name="value"/> to <paramref name="lineEnding"/>.</summary>
    public static string NormalizeLineEndings(string value, string lineEnding)
    {
        if (value.AsSpan().IndexOfAny('\r', '\n') < 0)
        {
            return value;
        }

        var sb = new StringBuilder(value.Length + 8);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\r')
            {
                sb.Append(lineEnding);
                if (i + 1 < value.Length && value[i + 1] == '\n')
                {
                    i++;
                }
            }
            else if (c == '\n')
            {
                sb.Append(lineEnding);
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    private static EscapeOutcome? FindInvalidXmlChar(string value)
    {
        foreach (var c in value)
        {
            if ((c < ' ' && c is not '\t' and not '\n' and not '\r') || c is '\uFFFE' or '\uFFFF')
            {
                return EscapeOutcome.Fail(DiagnosticCodes.ValueNotAllowedInContext, "the value contains a control character that XML 1.0 cannot represent, even as a character reference; use the 'base64' modifier");
            }
        }

        return null;
    }

    private static bool IsJsonValue(string value)
    {
        try
        {
            using var document = JsonDocument.Parse(value);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

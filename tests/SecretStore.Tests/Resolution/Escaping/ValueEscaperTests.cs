using SecretStore.Resolution.Escaping;
using SecretStore.Resolution.Formats;
using SecretStore.Resolution.Syntax;

namespace SecretStore.Tests.Resolution.Escaping;

/// <summary>
/// The exact text the escaper writes for each context, character by character, and the exact code and reason of
/// each refusal. Asserted on the written string itself, never through a lenient parser that would accept a
/// missing escape (U+2028 survived that way, issue 24).
/// </summary>
public sealed class ValueEscaperTests
{
    private static string Written(string value, EscapeContext context, PlaceholderModifiers modifiers = PlaceholderModifiers.None, string lineEnding = "\n")
    {
        var outcome = ValueEscaper.Escape(value, context, modifiers, lineEnding);
        Assert.Null(outcome.Code);
        Assert.Null(outcome.Reason);
        return Assert.IsType<string>(outcome.Written);
    }

    private static void AssertRefused(string code, string reason, string value, EscapeContext context, PlaceholderModifiers modifiers = PlaceholderModifiers.None)
    {
        var outcome = ValueEscaper.Escape(value, context, modifiers, "\n");
        Assert.Null(outcome.Written);
        Assert.Equal(code, outcome.Code?.Id);
        Assert.Equal(reason, outcome.Reason);
    }

    [Theory]
    [InlineData("\"", "\\\"")]
    [InlineData("\\", "\\\\")]
    [InlineData("\n", "\\n")]
    [InlineData("\r", "\\r")]
    [InlineData("\t", "\\t")]
    [InlineData("\b", "\\b")]
    [InlineData("\f", "\\f")]
    [InlineData("\0", "\\u0000")]
    [InlineData("\u001f", "\\u001f")]
    [InlineData("\u2028", "\\u2028")]
    [InlineData("\u2029", "\\u2029")]
    [InlineData(" ", " ")]
    [InlineData("\u007f", "\u007f")]
    [InlineData("\u2027", "\u2027")]
    [InlineData("\u202a", "\u202a")]
    [InlineData("a#'<&>é", "a#'<&>é")]
    public void Json_string_escapes_exactly_the_characters_json_and_javascript_need(string value, string expected)
    {
        Assert.Equal(expected, Written(value, EscapeContext.JsonString));
        Assert.Equal(expected, ValueEscaper.JsonString(value));
        Assert.Equal("x" + expected + "y", ValueEscaper.JsonString("x" + value + "y"));
    }

    [Fact]
    public void Json_string_with_raw_is_written_as_is()
    {
        Assert.Equal("a\"\n\\", Written("a\"\n\\", EscapeContext.JsonString, PlaceholderModifiers.Raw));
    }

    [Theory]
    [InlineData("&", "&amp;")]
    [InlineData("<", "&lt;")]
    [InlineData(">", "&gt;")]
    [InlineData("\"", "&quot;")]
    [InlineData("'", "&apos;")]
    [InlineData("\n", "&#xA;")]
    [InlineData("\r", "&#xD;")]
    [InlineData("\t", "&#x9;")]
    [InlineData("a\r\nb", "a&#xD;&#xA;b")]
    [InlineData("é#\\", "é#\\")]
    public void Xml_attribute_escapes_markup_quotes_and_line_breaks(string value, string expected)
    {
        Assert.Equal(expected, Written(value, EscapeContext.XmlAttribute));
    }

    [Fact]
    public void Xml_attribute_with_raw_is_written_as_is()
    {
        Assert.Equal("<a \"b\">\n", Written("<a \"b\">\n", EscapeContext.XmlAttribute, PlaceholderModifiers.Raw));
    }

    [Theory]
    [InlineData("&", "\n", "&amp;")]
    [InlineData("<", "\n", "&lt;")]
    [InlineData(">", "\n", "&gt;")]
    [InlineData("\"'\t", "\n", "\"'\t")]
    [InlineData("a\r\nb", "\n", "a\nb")]
    [InlineData("a\r\nb", "\r\n", "a\r\nb")]
    [InlineData("a\rb", "\r\n", "a\r\nb")]
    [InlineData("a\nb", "\r\n", "a\r\nb")]
    [InlineData("a\r", "\r\n", "a\r\n")]
    [InlineData("\r\r\n\n", "\n", "\n\n\n")]
    public void Xml_text_escapes_markup_and_writes_the_files_line_ending(string value, string lineEnding, string expected)
    {
        Assert.Equal(expected, Written(value, EscapeContext.XmlText, lineEnding: lineEnding));
    }

    [Theory]
    [InlineData("<&>\r\n", "\r\n", "<&>\r\n")]
    [InlineData("<a>\nb", "\r\n", "<a>\r\nb")]
    public void Xml_text_with_raw_is_not_escaped_but_its_line_endings_follow_the_file(string value, string lineEnding, string expected)
    {
        Assert.Equal(expected, Written(value, EscapeContext.XmlText, PlaceholderModifiers.Raw, lineEnding));
    }

    [Theory]
    [InlineData("<&>\"'", "\n", "<&>\"'")]
    [InlineData("a\r\nb\rc\nd", "\r\n", "a\r\nb\r\nc\r\nd")]
    [InlineData("]]", "\n", "]]")]
    [InlineData("]>", "\n", "]>")]
    public void Xml_cdata_is_not_escaped_and_its_line_endings_follow_the_file(string value, string lineEnding, string expected)
    {
        Assert.Equal(expected, Written(value, EscapeContext.XmlCData, lineEnding: lineEnding));
    }

    [Fact]
    public void Xml_cdata_refuses_its_terminator()
    {
        AssertRefused("SSB1006", "the value contains ']]>', which would end the CDATA section", "a]]>b", EscapeContext.XmlCData);
    }

    [Theory]
    [InlineData("\0")]
    [InlineData("\u0001")]
    [InlineData("\u0008")]
    [InlineData("\u000b")]
    [InlineData("\u000c")]
    [InlineData("\u001f")]
    [InlineData("\ufffe")]
    [InlineData("\uffff")]
    public void Xml_contexts_refuse_characters_xml_cannot_represent(string bad)
    {
        const string reason = "the value contains a control character that XML 1.0 cannot represent, even as a character reference; use the 'base64' modifier";
        foreach (var context in new[] { EscapeContext.XmlAttribute, EscapeContext.XmlText, EscapeContext.XmlCData })
        {
            AssertRefused("SSB1005", reason, "a" + bad + "b", context);
        }
    }

    [Theory]
    [InlineData("\t\n\r \ufffd\ud7ff\ue000")]
    public void Xml_contexts_accept_the_allowed_whitespace_and_the_characters_around_the_forbidden_ones(string value)
    {
        Assert.Equal("&#x9;&#xA;&#xD; \ufffd\ud7ff\ue000", Written(value, EscapeContext.XmlAttribute));
        Assert.Equal("\t\n\n \ufffd\ud7ff\ue000", Written(value, EscapeContext.XmlText));
        Assert.Equal("\t\n\n \ufffd\ud7ff\ue000", Written(value, EscapeContext.XmlCData));
    }

    [Fact]
    public void Plain_text_writes_one_line_as_is()
    {
        Assert.Equal("a\"<&>\\#", Written("a\"<&>\\#", EscapeContext.PlainText));
    }

    [Theory]
    [InlineData("a\nb")]
    [InlineData("a\rb")]
    [InlineData("\n")]
    public void Plain_text_refuses_several_lines(string value)
    {
        AssertRefused("SSB1005", "the value has several lines and a plain-text file has no way to escape them; use the 'raw' or 'base64' modifier", value, EscapeContext.PlainText);
    }

    [Fact]
    public void Plain_text_with_raw_writes_several_lines_in_the_files_line_ending()
    {
        Assert.Equal("a\r\nb\r\n", Written("a\nb\r", EscapeContext.PlainText, PlaceholderModifiers.Raw, "\r\n"));
    }

    [Fact]
    public void Base64_encodes_the_utf8_bytes_before_escaping()
    {
        Assert.Equal("YQpiw6k=", Written("a\nbé", EscapeContext.PlainText, PlaceholderModifiers.Base64));
        Assert.Equal("Ij4i", Written("\">\"", EscapeContext.XmlAttribute, PlaceholderModifiers.Base64));
    }

    [Theory]
    [InlineData("{\"a\":[1,2]}")]
    [InlineData("42")]
    [InlineData("\"text\"")]
    [InlineData("null")]
    public void Json_modifier_writes_a_valid_json_value_as_is(string value)
    {
        Assert.Equal(value, Written(value, EscapeContext.JsonValue, PlaceholderModifiers.Json));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("1 2")]
    [InlineData("")]
    [InlineData("text")]
    public void Json_modifier_refuses_what_is_not_one_json_value(string value)
    {
        AssertRefused("SSB1007", "the value is not a single valid JSON value", value, EscapeContext.JsonValue, PlaceholderModifiers.Json);
    }

    [Fact]
    public void Json_modifier_checks_the_base64_form_when_both_are_given()
    {
        // base64 runs first: its output is not JSON, so json+base64 is refused even for a JSON value.
        AssertRefused("SSB1007", "the value is not a single valid JSON value", "42", EscapeContext.JsonValue, PlaceholderModifiers.Json | PlaceholderModifiers.Base64);
    }

    [Theory]
    [InlineData(EscapeContext.JsonString)]
    [InlineData(EscapeContext.PlainText)]
    [InlineData(EscapeContext.XmlCData)]
    [InlineData(EscapeContext.XmlAttribute)]
    public void Lone_surrogates_are_refused_in_every_context(EscapeContext context)
    {
        AssertRefused("SSB1005", "the value is not well-formed Unicode (a lone surrogate)", "a\ud800b", context);
        AssertRefused("SSB1005", "the value is not well-formed Unicode (a lone surrogate)", "a\udc00", context, PlaceholderModifiers.Raw);
    }

    [Fact]
    public void Literal_writes_each_hash_as_the_formats_character_escape()
    {
        Assert.Equal("\\u0023{secret:a}\\\"\\u0023", Written("#{secret:a}\"#", EscapeContext.JsonString, PlaceholderModifiers.Literal));
        Assert.Equal("\"\\u0023x\"", Written("\"#x\"", EscapeContext.JsonValue, PlaceholderModifiers.Literal | PlaceholderModifiers.Json));
        Assert.Equal("&#35;{a}&amp;", Written("#{a}&", EscapeContext.XmlAttribute, PlaceholderModifiers.Literal));
        Assert.Equal("&#35;&lt;", Written("#<", EscapeContext.XmlText, PlaceholderModifiers.Literal));
    }

    [Fact]
    public void Literal_without_a_hash_is_written_unchanged_where_no_escape_exists()
    {
        Assert.Equal("a]b", Written("a]b", EscapeContext.XmlCData, PlaceholderModifiers.Literal));
        Assert.Equal("ab", Written("ab", EscapeContext.PlainText, PlaceholderModifiers.Literal));
        Assert.Equal("ab", Written("ab", EscapeContext.JsonString, PlaceholderModifiers.Literal));
    }

    [Fact]
    public void Literal_refuses_a_hash_where_the_format_has_no_character_escape()
    {
        const string tail = " has none; use the 'base64' modifier or move the placeholder into a JSON string or an XML attribute or element";
        AssertRefused("SSB1019", "the 'literal' modifier needs a character escape for '#', and a CDATA section" + tail, "#{a}", EscapeContext.XmlCData, PlaceholderModifiers.Literal);
        AssertRefused("SSB1019", "the 'literal' modifier needs a character escape for '#', and a plain-text file" + tail, "#{a}", EscapeContext.PlainText, PlaceholderModifiers.Literal);
    }

    [Fact]
    public void Literal_keeps_a_refusal_of_the_context_itself()
    {
        AssertRefused("SSB1006", "the value contains ']]>', which would end the CDATA section", "#]]>", EscapeContext.XmlCData, PlaceholderModifiers.Literal);
    }

    [Theory]
    [InlineData("plain", "\r\n", "plain")]
    [InlineData("a\r\nb", "\n", "a\nb")]
    [InlineData("a\rb", "\n", "a\nb")]
    [InlineData("a\nb", "\r\n", "a\r\nb")]
    [InlineData("\r", "\n", "\n")]
    [InlineData("\r\r\n\n\r", "|", "||||")]
    public void Normalize_line_endings_rewrites_crlf_cr_and_lf(string value, string lineEnding, string expected)
    {
        Assert.Equal(expected, ValueEscaper.NormalizeLineEndings(value, lineEnding));
    }

    [Fact]
    public void Normalize_line_endings_returns_the_same_string_when_there_is_nothing_to_do()
    {
        var value = new string('x', 3);

        Assert.Same(value, ValueEscaper.NormalizeLineEndings(value, "\r\n"));
    }
}

using SecretStore.Resolution.Formats;

namespace SecretStore.Tests.Resolution.Formats;

/// <summary>
/// The JSON lexer on its own: the exact string tokens (offsets, key or value, configuration path), the comments it
/// skips, the keys it decodes, and the exact site, reason and code <see cref="JsonLayout.Classify"/> gives a span.
/// Escaped keys start with their escape on purpose: a lexer that walked backwards fails there instead of looping.
/// </summary>
public sealed class JsonLayoutTests
{
    private static List<JsonStringToken> Tokens(string text, bool withPaths) => [.. JsonLayout.Scan(text, withPaths).Strings];

    private static List<string> Paths(string text) => [.. JsonLayout.Scan(text, withPaths: true).Strings.Select(t => t.Path)];

    [Fact]
    public void Keys_and_values_get_their_configuration_paths_when_paths_are_asked_for()
    {
        const string text = "{\"a\":{\"b\":\"v\"},\"c\":[\"x\",\"y\"]}";
        Assert.Equal(
            [
                new JsonStringToken(1, 4, true, "a"),
                new JsonStringToken(6, 9, true, "a:b"),
                new JsonStringToken(10, 13, false, "a:b"),
                new JsonStringToken(15, 18, true, "c"),
                new JsonStringToken(20, 23, false, "c:0"),
                new JsonStringToken(24, 27, false, "c:1"),
            ],
            Tokens(text, withPaths: true));
    }

    [Fact]
    public void Without_paths_every_token_has_the_empty_path()
    {
        Assert.Equal(
            [
                new JsonStringToken(1, 4, true, string.Empty),
                new JsonStringToken(7, 10, false, string.Empty),
                new JsonStringToken(13, 16, true, string.Empty),
                new JsonStringToken(17, 20, false, string.Empty),
            ],
            Tokens("{\"k\":[[\"x\"],{\"m\":\"y\"}]}", withPaths: false));
    }

    [Fact]
    public void A_top_level_string_has_the_empty_path()
    {
        Assert.Equal([new JsonStringToken(0, 5, false, string.Empty)], Tokens("\"abc\"", withPaths: true));
    }

    [Fact]
    public void Empty_strings_end_at_their_own_closing_quote()
    {
        Assert.Equal(
            [new JsonStringToken(1, 3, false, string.Empty), new JsonStringToken(4, 7, false, string.Empty)],
            Tokens("[\"\",\"b\"]", withPaths: false));
    }

    [Fact]
    public void An_unterminated_string_runs_to_the_end_of_the_text()
    {
        Assert.Equal([new JsonStringToken(1, 5, false, string.Empty)], Tokens("[\"abc", withPaths: false));
    }

    [Fact]
    public void A_line_comment_hides_the_strings_after_it_on_its_line()
    {
        Assert.Equal(
            [new JsonStringToken(1, 4, false, "0"), new JsonStringToken(13, 16, false, "1")],
            Tokens("[\"a\" // \"b\"\n,\"c\"]", withPaths: true));
    }

    [Fact]
    public void A_block_comment_hides_the_strings_inside_it()
    {
        Assert.Equal(
            [new JsonStringToken(1, 4, false, "0"), new JsonStringToken(15, 18, false, "1")],
            Tokens("[\"a\" /* \"b\" */,\"c\"]", withPaths: true));
    }

    [Fact]
    public void A_block_comment_ends_only_at_a_star_slash_after_its_opening()
    {
        // "/*/" does not close the comment it opens: the star of "/*" is not reused.
        Assert.Equal(
            [new JsonStringToken(1, 4, false, "0"), new JsonStringToken(15, 18, false, "1")],
            Tokens("[\"a\",/*/ \"b\" */\"c\"]", withPaths: true));
    }

    [Fact]
    public void An_unterminated_block_comment_runs_to_the_end_of_the_text()
    {
        Assert.Empty(Tokens("/* \"x\"", withPaths: false));
    }

    [Fact]
    public void A_lone_slash_is_not_a_comment()
    {
        Assert.Equal([new JsonStringToken(4, 7, false, "1")], Tokens("[/x,\"v\"]", withPaths: true));
        Assert.Equal([new JsonStringToken(0, 3, false, string.Empty)], Tokens("\"a\" /", withPaths: true));
    }

    [Fact]
    public void Escaped_keys_are_decoded_for_the_path()
    {
        Assert.Equal(["\n\r\t\b\f\"\\/xy", "\n\r\t\b\f\"\\/xy"], Paths("{\"\\n\\r\\t\\b\\f\\\"\\\\\\/xy\":\"v\"}"));
        Assert.Equal(["\nab"], Paths("{\"\\nab\":1}"));
        Assert.Equal(["Ab"], Paths("{\"\\u0041b\":1}"));
    }

    [Fact]
    public void A_short_or_bad_unicode_escape_in_a_key_is_kept_as_its_letters()
    {
        Assert.Equal(["u004"], Paths("{\"\\u004\":1}"));
        Assert.Equal(["uZZZZ"], Paths("{\"\\uZZZZ\":1}"));
    }

    [Fact]
    public void A_key_cut_off_after_a_backslash_keeps_the_backslash()
    {
        // Unterminated: the last character is taken for the closing quote, so the key is "a\".
        Assert.Equal(["a\\"], Paths("{\"a\\x"));
    }

    [Fact]
    public void A_span_inside_a_value_is_substituted_with_json_string_escaping()
    {
        const string text = "{\"k\":\"a${x}b\"}";
        var start = text.IndexOf('$');
        Assert.Equal(new Site(SiteKind.Substitute, EscapeContext.JsonString, start, start + 4), JsonLayout.Scan(text, false).Classify(start, start + 4, wholeToken: false));
    }

    [Fact]
    public void Every_string_of_a_long_document_is_found()
    {
        const string text = "[\"a0\",\"a1\",\"a2\",\"a3\",\"a4\",\"a5\",\"a6\"]";
        var layout = JsonLayout.Scan(text, false);
        for (var n = 0; n < 7; n++)
        {
            var start = text.IndexOf("a" + n, StringComparison.Ordinal);
            Assert.Equal(new Site(SiteKind.Substitute, EscapeContext.JsonString, start, start + 2), layout.Classify(start, start + 2, false));
        }
    }

    [Fact]
    public void The_opening_quote_and_the_place_after_the_closing_quote_are_not_inside_the_string()
    {
        const string text = "{\"k\": \"v\"  }";
        var layout = JsonLayout.Scan(text, false);
        var open = text.IndexOf("\"v", StringComparison.Ordinal);
        var notInString = Site.Forbid("it is not inside a JSON string");
        Assert.Equal(notInString, layout.Classify(open, open + 1, false));
        Assert.Equal(notInString, layout.Classify(open + 3, open + 4, false));
    }

    [Fact]
    public void A_span_running_past_the_closing_quote_overruns_its_string()
    {
        const string text = "{\"k\":\"abc\"}";
        var start = text.IndexOf('a');
        var layout = JsonLayout.Scan(text, false);
        Assert.Equal(Site.Overrun("its JSON string"), layout.Classify(start, start + 4, false));
        Assert.Equal(Site.Overrun("its JSON string"), layout.Classify(start, start + 5, false));
        Assert.Equal(SiteKind.Substitute, layout.Classify(start, start + 3, false).Kind);
    }

    [Fact]
    public void A_span_in_a_property_name_is_forbidden_with_its_reason()
    {
        const string text = "{\"key\":\"v\"}";
        Assert.Equal(
            Site.Forbid("it is inside a JSON property name; a secret must not add or rename a key"),
            JsonLayout.Scan(text, false).Classify(2, 4, false));
    }

    [Fact]
    public void The_json_modifier_takes_the_whole_token_or_is_refused_with_SSB1007()
    {
        const string text = "{\"k\":\"${x}\",\"m\":\"a${y}\"}";
        var layout = JsonLayout.Scan(text, false);
        var whole = text.IndexOf("${x}", StringComparison.Ordinal);
        Assert.Equal(new Site(SiteKind.Substitute, EscapeContext.JsonValue, whole - 1, whole + 5), layout.Classify(whole, whole + 4, wholeToken: true));

        var part = text.IndexOf("${y}", StringComparison.Ordinal);
        var refused = layout.Classify(part, part + 4, wholeToken: true);
        Assert.Equal(SiteKind.Forbidden, refused.Kind);
        Assert.Equal("the 'json' modifier needs the placeholder to be the whole JSON string", refused.Reason);
        Assert.Equal("SSB1007", refused.Code?.Id);
    }

    [Fact]
    public void A_comment_is_a_comment_from_its_first_character_up_to_its_end()
    {
        const string text = "[//c\n\"v\"]";
        var layout = JsonLayout.Scan(text, false);
        Assert.Equal(Site.InComment(), layout.Classify(1, 2, false));
        Assert.Equal(Site.InComment(), layout.Classify(3, 4, false));
        Assert.Equal(Site.Forbid("it is not inside a JSON string"), layout.Classify(4, 5, false));
    }
}

using SecretStore.Resolution.Formats;

namespace SecretStore.Tests.Resolution.Formats;

/// <summary>
/// The XML lexer on its own: the element paths and attribute spans it records, where comments, CDATA sections,
/// processing instructions and end tags stop, the exact site and reason <see cref="XmlLayout.Classify"/> gives a
/// span, and the attribute decoding used to match mapping keys. Unterminated constructs sit at offset 0 on
/// purpose: a lexer that jumped backwards fails there instead of looping.
/// </summary>
public sealed class XmlLayoutTests
{
    private const string Markup = "it is inside XML markup (a tag name, attribute name, declaration or processing instruction)";

    private static List<string> Paths(string text) => [.. XmlLayout.Scan(text).Elements.Select(e => e.Path)];

    private static Site Classify(string text, string marker, int length)
    {
        var start = text.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(start >= 0, marker);
        return XmlLayout.Scan(text).Classify(start, start + length, wholeToken: false);
    }

    [Fact]
    public void Start_tags_are_recorded_with_their_paths_from_the_root()
    {
        Assert.Equal(
            ["configuration", "configuration/appSettings", "configuration/appSettings/add", "configuration/other"],
            Paths("<configuration><appSettings><add key=\"k\" value=\"v\"/></appSettings><other></other></configuration>"));
    }

    [Fact]
    public void Attributes_are_recorded_with_their_value_spans()
    {
        const string text = "<a b =\"v\" c= 'w'/>";
        var element = Assert.Single(XmlLayout.Scan(text).Elements);
        Assert.Equal("a", element.Path);
        Assert.Equal([new XmlAttributeSpan("b", 7, 8), new XmlAttributeSpan("c", 14, 15)], element.Attributes);
    }

    [Fact]
    public void A_terminated_comment_ends_at_its_close_and_an_unterminated_one_runs_to_the_end()
    {
        Assert.Equal(["a", "a/b"], Paths("<a><!-- <x> --><b/></a>"));
        Assert.Empty(Paths("<!-- <b>"));
    }

    [Fact]
    public void A_cdata_section_hides_markup_and_lexing_resumes_after_it()
    {
        Assert.Equal(["a", "a/c"], Paths("<a><![CDATA[<b>]]><c/></a>"));
        Assert.Empty(Paths("<![CDATA[ <b>"));
    }

    [Fact]
    public void The_cdata_content_starts_after_the_opening_and_an_unterminated_one_runs_to_the_end()
    {
        const string text = "<a><![CDATA[xy]]></a>";
        var x = text.IndexOf('x');
        var layout = XmlLayout.Scan(text);
        Assert.Equal(new Site(SiteKind.Substitute, EscapeContext.XmlCData, x, x + 2), layout.Classify(x, x + 2, false));
        Assert.Equal(Site.Forbid(Markup), layout.Classify(x - 1, x, false));

        Assert.Equal(new Site(SiteKind.Substitute, EscapeContext.XmlCData, 10, 11), XmlLayout.Scan("<![CDATA[ x").Classify(10, 11, false));
    }

    [Fact]
    public void A_processing_instruction_is_markup_up_to_its_close()
    {
        Assert.Equal(Site.Forbid(Markup), Classify("<?pi abc?><a/>", "b", 1));
        Assert.Equal(["a"], Paths("<?xml version=\"1.0\"?><a/>"));
    }

    [Fact]
    public void An_end_tag_is_markup_up_to_its_close()
    {
        // "<r>x</r>": the 'r' of the end tag (offset 6) is markup.
        Assert.Equal(Site.Forbid(Markup), XmlLayout.Scan("<r>x</r>").Classify(6, 7, false));
        Assert.Equal(["a", "b"], Paths("<a></a><b/>"));
    }

    [Fact]
    public void A_self_closing_tag_is_not_an_ancestor_and_an_attribute_without_value_stops_the_tag()
    {
        Assert.Equal(["c"], Paths("<a b><c/>"));
        Assert.Empty(Paths("<a/"));
        Assert.Empty(Paths("<a b "));
        Assert.Empty(Paths("<a b= "));
        Assert.Empty(Paths("<a b="));
        Assert.Empty(Paths("<a b=x1x/>"));
    }

    [Fact]
    public void Lexing_resumes_after_an_attribute_name_without_a_value()
    {
        // "<a b c>": 'b' has no '=', so the tag is abandoned at 'c'; 'b' stays markup.
        Assert.Equal(Site.Forbid(Markup), Classify("<a b c>", "b", 1));
        Assert.Equal(new Site(SiteKind.Substitute, EscapeContext.XmlText, 5, 6), XmlLayout.Scan("<a b c>").Classify(5, 6, false));
    }

    [Fact]
    public void The_attribute_value_starts_after_its_opening_quote()
    {
        const string text = "<a b=\"v\"/>";
        var layout = XmlLayout.Scan(text);
        Assert.Equal(Site.Forbid(Markup), layout.Classify(5, 6, false));
        Assert.Equal(Site.Forbid(Markup), layout.Classify(4, 5, false));
        Assert.Equal(new Site(SiteKind.Substitute, EscapeContext.XmlAttribute, 6, 7), layout.Classify(6, 7, false));
    }

    [Fact]
    public void The_closing_quote_is_not_inside_the_attribute_value()
    {
        Assert.Equal(Site.Forbid(Markup), XmlLayout.Scan("<a b=\"v\"/>").Classify(7, 8, false));
    }

    [Fact]
    public void Spans_running_past_an_attribute_value_or_a_cdata_section_overrun_them()
    {
        Assert.Equal(Site.Overrun("its XML attribute value"), XmlLayout.Scan("<a b=\"v\"/>").Classify(6, 8, false));
        Assert.Equal(Site.Overrun("its CDATA section"), XmlLayout.Scan("<a><![CDATA[x]]></a>").Classify(12, 14, false));
    }

    [Fact]
    public void The_json_modifier_is_refused_in_xml_with_SSB1007()
    {
        var site = XmlLayout.Scan("<a>x</a>").Classify(3, 4, wholeToken: true);
        Assert.Equal(SiteKind.Forbidden, site.Kind);
        Assert.Equal("the 'json' modifier applies to whole JSON string tokens only", site.Reason);
        Assert.Equal("SSB1007", site.Code?.Id);
    }

    [Fact]
    public void Every_region_of_a_long_document_is_found()
    {
        const string text = "<r><a v=\"1\">t2</a><b v=\"3\">t4</b><c v=\"5\">t6</c></r>";
        var layout = XmlLayout.Scan(text);
        foreach (var value in new[] { "1", "3", "5" })
        {
            var at = text.IndexOf(value, StringComparison.Ordinal);
            Assert.Equal(new Site(SiteKind.Substitute, EscapeContext.XmlAttribute, at, at + 1), layout.Classify(at, at + 1, false));
        }

        foreach (var value in new[] { "t2", "t4", "t6" })
        {
            var at = text.IndexOf(value, StringComparison.Ordinal);
            Assert.Equal(new Site(SiteKind.Substitute, EscapeContext.XmlText, at, at + 2), layout.Classify(at, at + 2, false));
        }
    }

    [Fact]
    public void Attribute_values_are_decoded_for_matching_keys()
    {
        // The value starts with one plain character: a decoder that stepped backwards fails there instead of looping.
        const string text = "<add key=\"a&amp;&lt;&gt;&quot;&apos;&#x41;&#66;&bogus;&12;&;xamp;&\"/>";
        var span = Assert.Single(Assert.Single(XmlLayout.Scan(text).Elements).Attributes);
        Assert.Equal("a&<>\"'AB&bogus;&12;&;xamp;&", XmlLayout.DecodeAttribute(text, span));
    }

    [Fact]
    public void An_attribute_value_without_references_is_returned_as_it_is()
    {
        const string text = "<add key=\"a;b\"/>";
        var span = Assert.Single(Assert.Single(XmlLayout.Scan(text).Elements).Attributes);
        Assert.Equal("a;b", XmlLayout.DecodeAttribute(text, span));
    }
}

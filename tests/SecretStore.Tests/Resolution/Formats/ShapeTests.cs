using System.Text.Json;
using SecretStore.Resolution.Formats;

namespace SecretStore.Tests.Resolution.Formats;

/// <summary>
/// The structure checks on their own: the JSON parse position and the configuration path of the first
/// difference, the exact XML shape list (elements with attribute names, end tags, comments, CDATA, processing
/// instructions) and its failures, and the format picked for a file.
/// </summary>
public sealed class ShapeTests
{
    private static readonly HashSet<string> NoWildcards = [];

    private static string? Difference(string input, string output)
    {
        using var a = JsonDocument.Parse(input);
        using var b = JsonDocument.Parse(output);
        return JsonShape.FindDifference(a.RootElement, b.RootElement, NoWildcards);
    }

    [Fact]
    public void A_json_parse_failure_gives_the_one_based_line_and_column()
    {
        var document = JsonShape.TryParse("{\n  \"a\": x\n}", out var line, out var column);
        Assert.Null(document);
        Assert.Equal(2, line);
        Assert.Equal(8, column);
    }

    [Fact]
    public void True_and_false_are_one_kind_but_other_kinds_differ_at_the_root()
    {
        Assert.Null(Difference("true", "false"));
        Assert.Null(Difference("{\"a\":false}", "{\"a\":true}"));
        Assert.Equal("(root)", Difference("\"a\"", "1"));
        Assert.Equal("(root)", Difference("[1]", "[1,2]"));
    }

    [Fact]
    public void A_nested_difference_is_reported_at_its_configuration_path()
    {
        Assert.Equal("a:b", Difference("{\"a\":{\"b\":1}}", "{\"a\":{\"b\":\"x\"}}"));
        Assert.Equal("a:1", Difference("{\"a\":[1,2]}", "{\"a\":[1,{}]}"));
    }

    [Fact]
    public void The_xml_shape_lists_elements_with_their_attribute_names_and_the_other_nodes()
    {
        var shape = XmlShape.TryRead("<r><e x=\"1\" y=\"2\"/><!--c--><![CDATA[d]]><?pi v?><f>text</f></r>", out var line, out var column, out var dtd);
        Assert.Equal(["<|r", "<|e/ |x |y", "Comment", "CDATA", "ProcessingInstruction", "<|f", "</", "</"], shape);
        Assert.Equal((0, 0, false), (line, column, dtd));
    }

    [Fact]
    public void The_xml_shape_names_namespaces()
    {
        var shape = XmlShape.TryRead("<p:r xmlns:p=\"urn:p\" p:a=\"1\"/>", out _, out _, out _);
        Assert.Equal(["<urn:p|r/ http://www.w3.org/2000/xmlns/|p urn:p|a"], shape);
    }

    [Fact]
    public void Malformed_xml_gives_the_parser_position_and_no_dtd_flag()
    {
        Assert.Null(XmlShape.TryRead("<a>\n<b></a>", out var line, out var column, out var dtd));
        Assert.Equal((2, 6, false), (line, column, dtd));
    }

    [Fact]
    public void A_character_xml_forbids_is_refused()
    {
        Assert.Null(XmlShape.TryRead("<a>&#1;</a>", out var line, out _, out var dtd));
        Assert.Equal((1, false), (line, dtd));
    }

    [Fact]
    public void A_dtd_is_refused_and_flagged()
    {
        Assert.Null(XmlShape.TryRead("<!DOCTYPE a []><a/>", out _, out _, out var dtd));
        Assert.True(dtd);
    }

    [Theory]
    [InlineData("a.json", "<x/>", FileFormat.Json)]
    [InlineData("a.JSONC", "<x/>", FileFormat.Json)]
    [InlineData("a.XML", "x", FileFormat.Xml)]
    [InlineData("web.config", "x", FileFormat.Xml)]
    [InlineData("a.txt", "x", FileFormat.PlainText)]
    [InlineData("a.txt", "<x/>", FileFormat.Xml)]
    public void The_format_comes_from_the_extension_then_the_first_character(string path, string text, FileFormat expected)
    {
        Assert.Equal(expected, FileFormatDetector.Detect(path, text));
    }
}

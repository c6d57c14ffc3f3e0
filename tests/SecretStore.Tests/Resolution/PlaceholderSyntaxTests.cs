using SecretStore.Diagnostics;
using SecretStore.Resolution;
using static SecretStore.Tests.Resolution.ResolverHarness;

namespace SecretStore.Tests.Resolution;

public sealed class PlaceholderSyntaxTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("X=#{secret:Db\n", "SSB1001", 1, 3)]
    [InlineData("a\nX=#{secret:App/Db", "SSB1001", 2, 3)]
    [InlineData("X=#{secret:Db #{secret:Db}", "SSB1001", 1, 3)]
    [InlineData("X=#{secret:Db|jsn}", "SSB1002", 1, 3)]
    [InlineData("X=#{secret:Db|raw|raw}", "SSB1002", 1, 3)]
    [InlineData("X=#{secret:Db|json|base64}", "SSB1002", 1, 3)]
    [InlineData("X=#{secret:Db| raw}", "SSB1002", 1, 3)]
    [InlineData("X=#{secret: Db}", "SSB1003", 1, 3)]
    [InlineData("X=#{secret:Db }", "SSB1003", 1, 3)]
    [InlineData("X=#{secret:App /Db}", "SSB1003", 1, 3)]
    [InlineData("X=#{secret:a/b/c}", "SSB1003", 1, 3)]
    [InlineData("X=#{secret:/Db}", "SSB1003", 1, 3)]
    [InlineData("X=#{secret:App/}", "SSB1003", 1, 3)]
    [InlineData("X=#{secret:}", "SSB1004", 1, 3)]
    public async Task Malformed_placeholder_is_a_located_error_naming_the_placeholder(string content, string code, int line, int column)
    {
        var path = _folder.Write("x.txt", content);
        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "v"), [path]);
        var error = SingleError(result);
        Assert.Equal((code, path, line, column), (error.Code.Id, error.FilePath, error.Line, error.Column));
        Assert.Contains("#{secret:", error.Message, StringComparison.Ordinal);
        Assert.Equal(content, _folder.Read("x.txt"));
    }

    [Theory]
    [InlineData("a.json", "{\"a\": \"#{secret:Db\", \"b\": \"x}\"}", 1, 8)]
    [InlineData("a.xml", "<a b=\"#{secret:Db\" c=\"}\"/>", 1, 7)]
    [InlineData("a.xml", "<a><![CDATA[#{secret:Db]]>}</a>", 1, 13)]
    public async Task Placeholder_not_closed_inside_its_string_or_attribute_is_unterminated(string name, string content, int line, int column)
    {
        var path = _folder.Write(name, content);
        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "v"), [path]);
        var error = SingleError(result);
        Assert.Equal(("SSB1001", line, column), (error.Code.Id, error.Line, error.Column));
        Assert.DoesNotContain("\"b\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_error_is_reported_not_just_the_first()
    {
        var path = _folder.Write("x.txt", "A=#{secret:Db|nope}\nB=#{secret: Db}\nC=#{secret:Missing}\nD=#{secret:Db\n");
        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "v"), [path]);
        Assert.Equal(["SSB1002", "SSB1003", "SSB1001", "SSB2001"], result.Diagnostics.Select(d => d.Code.Id).ToArray());
        Assert.Equal([1, 2, 4, 3], result.Diagnostics.Select(d => d.Line).ToArray());
    }

    [Fact]
    public async Task Name_without_application_and_no_default_application_is_an_error()
    {
        var path = _folder.Write("x.txt", "A=#{secret:Db}");
        var result = await new SecretResolver(new InMemorySecretStore()).ResolveAsync(new ResolveRequest { Files = [path] });
        Assert.Equal("SSB1003", SingleError(result).Code.Id);
    }

    [Fact]
    public async Task Escaped_separators_belong_to_the_name()
    {
        var store = new InMemorySecretStore().With("My App", "a/b}c|d\\e", "value");
        var path = _folder.Write("x.txt", @"A=#{secret:My App/a\/b\}c\|d\\e}");
        var result = await RunAsync(store, [path]);
        AssertSucceeded(result);
        Assert.Equal("A=value", _folder.Read("x.txt"));
    }

    [Fact]
    public async Task Double_hash_is_a_literal_placeholder_and_is_not_resolved()
    {
        var store = new InMemorySecretStore().With(App, "Db", "value");
        var path = _folder.Write("x.txt", "A=##{secret:Db}\nB=#{secret:Db}\nC=#{other}\n");
        var result = await RunAsync(store, [path]);
        AssertSucceeded(result);
        Assert.Equal("A=#{secret:Db}\nB=value\nC=#{other}\n", _folder.Read("x.txt"));
        Assert.Equal(1, result.PlaceholderCount);
    }

    [Fact]
    public async Task Placeholders_in_json_and_xml_comments_are_left_alone_even_when_malformed()
    {
        var store = new InMemorySecretStore().With(App, "Db", "value");
        var json = _folder.Write("a.json", "{\n  // use #{secret:Db} or #{secret:Broken\n  /* #{secret:X|bad} */ \"a\": \"#{secret:Db}\"\n}");
        var xml = _folder.Write("b.config", "<c><!-- #{secret:Db|bad} --><a v=\"#{secret:Db}\"/></c>");
        var result = await RunAsync(store, [json, xml]);
        AssertSucceeded(result);
        Assert.Equal("{\n  // use #{secret:Db} or #{secret:Broken\n  /* #{secret:X|bad} */ \"a\": \"value\"\n}", _folder.Read("a.json"));
        Assert.Equal("<c><!-- #{secret:Db|bad} --><a v=\"value\"/></c>", _folder.Read("b.config"));
    }

    [Theory]
    [InlineData("a.json", "{\"#{secret:Db}\": 1}")]
    [InlineData("a.json", "{\"a\": #{secret:Db}}")]
    [InlineData("a.xml", "<a #{secret:Db}=\"1\"/>")]
    [InlineData("a.xml", "<#{secret:Db}/>")]
    [InlineData("a.xml", "<?xml version=\"1.0\"?><?pi #{secret:Db}?><a/>")]
    public async Task Placeholder_where_no_value_can_be_written_safely_is_refused(string name, string content)
    {
        var path = _folder.Write(name, content);
        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "value"), [path]);
        Assert.Equal("SSB1005", SingleError(result).Code.Id);
        Assert.Equal(content, _folder.Read(name));
    }

    [Theory]
    [InlineData("a.json", "{\"a\": \"x#{secret:Db|json}\"}")]
    [InlineData("a.xml", "<a>#{secret:Db|json}</a>")]
    public async Task Json_modifier_outside_a_whole_json_string_token_is_refused(string name, string content)
    {
        var path = _folder.Write(name, content);
        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "1"), [path]);
        Assert.Equal("SSB1007", SingleError(result).Code.Id);
    }

    [Theory]
    [InlineData("X=#{secret}", 3)]
    [InlineData("X=#{secret |raw}", 3)]
    [InlineData("a\nX=#{secret", 3)]
    public async Task Marker_without_colon_and_name_is_a_stray_placeholder(string content, int column)
    {
        var path = _folder.Write("x.txt", content);
        var error = SingleError(await RunAsync(new InMemorySecretStore(), [path]));
        Assert.Equal(("SSB1004", column), (error.Code.Id, error.Column));
    }

    [Fact]
    public async Task Other_tools_tokens_that_merely_start_with_secret_are_left_alone()
    {
        var path = _folder.Write("x.txt", "A=#{secretKey} B=#{secret_2} C=##{secret}");
        var result = await RunAsync(new InMemorySecretStore(), [path]);
        AssertSucceeded(result);
        Assert.Equal("A=#{secretKey} B=#{secret_2} C=#{secret}", _folder.Read("x.txt"));
    }

    [Fact]
    public async Task Json_modifier_replaces_the_whole_string_token_with_the_parsed_value()
    {
        var store = new InMemorySecretStore().With(App, "Port", "5432").With(App, "Hosts", "[\"a\", \"b\"]").With(App, "Obj", "{\"x\": true}").With(App, "Flag", "false");
        var path = _folder.Write("appsettings.json", "{\"Port\": \"#{secret:Port|json}\", \"Hosts\": \"#{secret:Hosts|json}\", \"O\": \"#{secret:Obj|json}\", \"F\": \"#{secret:Flag|json}\"}");
        var result = await RunAsync(store, [path]);
        AssertSucceeded(result);
        Assert.Equal("{\"Port\": 5432, \"Hosts\": [\"a\", \"b\"], \"O\": {\"x\": true}, \"F\": false}", _folder.Read("appsettings.json"));
    }

    [Fact]
    public async Task Json_modifier_with_a_value_that_is_not_json_is_an_error()
    {
        var path = _folder.Write("appsettings.json", "{\"Port\": \"#{secret:Port|json}\"}");
        var result = await RunAsync(new InMemorySecretStore().With(App, "Port", "54 32"), [path]);
        var error = SingleError(result);
        Assert.Equal(("SSB1007", 1, 11), (error.Code.Id, error.Line, error.Column));
    }

    [Fact]
    public async Task Raw_modifier_that_would_add_a_json_key_fails_the_shape_check()
    {
        var path = _folder.Write("appsettings.json", "{\"A\": \"#{secret:V|raw}\"}");
        var original = _folder.Read("appsettings.json");
        var result = await RunAsync(new InMemorySecretStore().With(App, "V", "x\", \"Injected\": \"y"), [path]);
        var error = SingleError(result);
        Assert.Equal(("SSB1008", 1, 8), (error.Code.Id, error.Line, error.Column));
        Assert.Contains("#{secret:V|raw}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Injected", error.Message, StringComparison.Ordinal);
        Assert.Equal(original, _folder.Read("appsettings.json"));
    }

    [Fact]
    public async Task Raw_modifier_that_would_add_an_xml_element_fails_the_shape_check()
    {
        var path = _folder.Write("a.xml", "<a><b>#{secret:V|raw}</b></a>");
        var result = await RunAsync(new InMemorySecretStore().With(App, "V", "</b><c>x</c><b>"), [path]);
        Assert.Equal("SSB1008", SingleError(result).Code.Id);
    }

    [Fact]
    public async Task Raw_modifier_in_xml_that_keeps_the_shape_is_written_verbatim()
    {
        var path = _folder.Write("a.xml", "<a><b>#{secret:V|raw}</b></a>");
        var result = await RunAsync(new InMemorySecretStore().With(App, "V", "x &amp; y"), [path]);
        AssertSucceeded(result);
        Assert.Equal("<a><b>x &amp; y</b></a>", _folder.Read("a.xml"));
    }

    [Fact]
    public async Task Raw_multi_line_value_in_plain_text_uses_the_file_line_ending()
    {
        var path = _folder.Write("cert.txt", "head\r\n#{secret:Cert|raw}\r\ntail\r\n");
        var result = await RunAsync(new InMemorySecretStore().With(App, "Cert", "-----BEGIN-----\nAAAA\n-----END-----"), [path]);
        AssertSucceeded(result);
        Assert.Equal("head\r\n-----BEGIN-----\r\nAAAA\r\n-----END-----\r\ntail\r\n", _folder.Read("cert.txt"));
    }

    [Fact]
    public async Task Value_that_looks_like_a_placeholder_is_never_resolved_and_is_refused_with_SSB1019()
    {
        var store = new InMemorySecretStore().With(App, "A", "#{secret:B}").With(App, "B", "leaked");
        var path = _folder.Write("x.txt", "A=#{secret:A}");
        var result = await RunAsync(store, [path]);
        Assert.Equal("SSB1019", SingleError(result).Code.Id);
        Assert.Equal("A=#{secret:A}", _folder.Read("x.txt"));
        Assert.Equal([new SecretStore.Secrets.SecretId(App, "A")], store.GetManyCalls.Single());
    }

    [Fact]
    public async Task Xml_with_a_dtd_is_refused()
    {
        var path = _folder.Write("a.xml", "<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY x \"y\">]>\n<a>#{secret:V}</a>");
        var result = await RunAsync(new InMemorySecretStore().With(App, "V", "v"), [path]);
        var error = SingleError(result);
        Assert.Equal(("SSB1016", 2, 1), (error.Code.Id, error.Line, error.Column));
    }

    [Fact]
    public async Task Files_without_secret_placeholders_are_not_checked_at_all()
    {
        var dtd = _folder.Write("a.xml", "<!DOCTYPE a><a>#{octopus}</a>");
        var broken = _folder.Write("b.json", "{ not json #{x} ");
        var result = await RunAsync(new InMemorySecretStore(), [dtd, broken]);
        AssertSucceeded(result);
        Assert.Equal(0, result.PlaceholderCount);
    }

    [Fact]
    public async Task Invalid_json_input_is_reported_as_an_invalid_document()
    {
        var path = _folder.Write("a.json", "{\"a\": \"#{secret:V}\",,}");
        var result = await RunAsync(new InMemorySecretStore().With(App, "V", "v"), [path]);
        Assert.Equal("SSB1012", SingleError(result).Code.Id);
    }

    [Fact]
    public async Task Xml_detected_by_content_gets_xml_escaping()
    {
        var path = _folder.Write("template.tmpl", "<a v=\"#{secret:V}\"/>");
        var result = await RunAsync(new InMemorySecretStore().With(App, "V", "a\"<&"), [path]);
        AssertSucceeded(result);
        Assert.Equal("<a v=\"a&quot;&lt;&amp;\"/>", _folder.Read("template.tmpl"));
    }

    [Fact]
    public void Diagnostic_format_names_file_line_column_and_placeholder()
    {
        var d = new Diagnostic(DiagnosticCodes.SecretNotFound, DiagnosticSeverity.Error, "Placeholder '#{secret:App/Db|optional}': secret 'App/Db' was not found.", "a.json", 3, 9);
        Assert.Equal($"a.json(3,9): error SSB2001: Placeholder '#{{secret:App/Db|optional}}': secret 'App/Db' was not found. Fix: {DiagnosticCodes.SecretNotFound.Fix}", d.ToString());
    }
}

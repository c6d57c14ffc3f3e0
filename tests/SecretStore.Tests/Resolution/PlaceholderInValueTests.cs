using System.Text.Json;
using System.Xml.Linq;
using SecretStore.Resolution;
using static SecretStore.Tests.Resolution.ResolverHarness;

namespace SecretStore.Tests.Resolution;

/// <summary>Issue 12 item 10: a value holding placeholder text must not expand when the written file is resolved again.</summary>
public sealed class PlaceholderInValueTests : IDisposable
{
    private const string AdminToken = "admin-token-9c41e";
    private const string Planted = "#{secret:billing/AdminToken}";
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private static InMemorySecretStore Store(string value) =>
        new InMemorySecretStore().With(App, "Note", value).With("billing", "AdminToken", AdminToken).With(App, "Hash", "#");

    [Theory]
    [InlineData("a.json", "{\"n\": \"#{secret:Note}\"}", Planted)]
    [InlineData("b.json", "{\"n\": \"#{secret:Note|raw}\"}", Planted)]
    [InlineData("c.json", "{\"n\": \"#{secret:Note|json}\"}", "{\"x\": \"#{secret:billing/AdminToken}\"}")]
    [InlineData("d.json", "{\"n\": \"#{secret:Note}\"}", "x##{secret:billing/AdminToken}")]
    [InlineData("e.json", "{\"n\": \"#{secret:Note}\"}", "#{secret}")]
    [InlineData("f.config", "<c><add key=\"k\" value=\"#{secret:Note}\" /></c>", Planted)]
    [InlineData("g.xml", "<c>#{secret:Note}</c>", Planted)]
    [InlineData("h.xml", "<c><![CDATA[#{secret:Note}]]></c>", Planted)]
    [InlineData("i.txt", "TOKEN=#{secret:Note}\n", Planted)]
    [InlineData("j.txt", "TOKEN=#{secret:Note|raw}\n", Planted)]
    public async Task Value_holding_placeholder_text_is_refused_with_SSB1019_and_nothing_is_written(string name, string content, string value)
    {
        var path = _folder.Write(name, content);
        var bystander = _folder.Write("other.json", "{\"t\": \"#{secret:billing/AdminToken}\"}");

        var result = await RunAsync(Store(value), [bystander, path]);

        var error = SingleError(result);
        Assert.Equal("SSB1019", error.Code.Id);
        Assert.Equal(path, error.FilePath);
        Assert.DoesNotContain(AdminToken, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("billing/AdminToken", error.Message, StringComparison.Ordinal);
        Assert.Equal(content, _folder.Read(name));
        Assert.Equal("{\"t\": \"#{secret:billing/AdminToken}\"}", _folder.Read("other.json"));
        Assert.Equal(0, result.FilesWritten);
    }

    [Fact]
    public async Task A_value_that_completes_a_placeholder_with_the_text_beside_it_is_refused_with_SSB1019()
    {
        // "#" from the store and "{secret:billing/AdminToken}" from the file read "#{secret:billing/AdminToken}" on the next pass.
        var path = _folder.Write("a.json", "{\"n\": \"#{secret:Hash}{secret:billing/AdminToken}\"}");

        var result = await RunAsync(Store("unused"), [path]);

        Assert.Equal("SSB1019", SingleError(result).Code.Id);
    }

    [Fact]
    public async Task A_mapped_value_holding_placeholder_text_is_refused_with_SSB1019()
    {
        var path = _folder.Write("appsettings.json", "{\"ConnectionStrings\": {\"Default\": \"x\"}}");

        var result = await RunAsync(Store(Planted), [path], configure: r => new ResolveRequest
        {
            Files = r.Files,
            DefaultApplication = App,
            Mappings = [new SecretMapping { ConfigurationPath = "ConnectionStrings:Default", Secret = "Note" }],
        });

        Assert.Equal("SSB1019", SingleError(result).Code.Id);
        Assert.Equal("{\"ConnectionStrings\": {\"Default\": \"x\"}}", _folder.Read("appsettings.json"));
    }

    [Fact]
    public async Task Another_tools_token_in_a_value_is_not_placeholder_text()
    {
        var path = _folder.Write("a.json", "{\"n\": \"#{secret:Note}\"}");

        var result = await RunAsync(Store("#{secretKey} stays"), [path]);

        AssertSucceeded(result);
        Assert.Equal("{\"n\": \"#{secretKey} stays\"}", _folder.Read("a.json"));
    }

    [Fact]
    public async Task Literal_in_json_writes_each_hash_as_u0023_the_parsed_value_is_exact_and_a_second_pass_finds_nothing()
    {
        var path = _folder.Write("a.json", "{\"n\": \"#{secret:Note|literal}\"}");
        var store = Store(Planted);

        var first = await RunAsync(store, [path]);
        AssertSucceeded(first);
        var written = _folder.Read("a.json");
        Assert.DoesNotContain("#{secret", written, StringComparison.Ordinal);
        Assert.Contains("\\u0023{secret:billing/AdminToken}", written, StringComparison.Ordinal);
        using (var document = JsonDocument.Parse(written))
        {
            Assert.Equal(Planted, document.RootElement.GetProperty("n").GetString());
        }

        var second = await RunAsync(store, [path]);
        AssertSucceeded(second);
        Assert.Equal(0, second.FilesWritten);
        Assert.Equal(written, _folder.Read("a.json"));
        Assert.DoesNotContain(AdminToken, written, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Literal_with_json_modifier_escapes_hashes_inside_json_strings_of_the_value()
    {
        var path = _folder.Write("a.json", "{\"m\": \"#{secret:Note|json|literal}\"}");

        var result = await RunAsync(Store("{\"x\": \"#{secret:billing/AdminToken}\"}"), [path]);

        AssertSucceeded(result);
        using var document = JsonDocument.Parse(_folder.Read("a.json"));
        Assert.Equal(Planted, document.RootElement.GetProperty("m").GetProperty("x").GetString());
        Assert.DoesNotContain("#{secret", _folder.Read("a.json"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Literal_in_xml_writes_each_hash_as_a_character_reference_and_the_parsed_values_are_exact()
    {
        var path = _folder.Write("web.config", "<c><add key=\"k\" value=\"#{secret:Note|literal}\" /><t>#{secret:Note|literal}</t></c>");

        var result = await RunAsync(Store(Planted), [path]);

        AssertSucceeded(result);
        var written = _folder.Read("web.config");
        Assert.DoesNotContain("#{secret", written, StringComparison.Ordinal);
        var document = XDocument.Parse(written);
        Assert.Equal(Planted, document.Root!.Element("add")!.Attribute("value")!.Value);
        Assert.Equal(Planted, document.Root!.Element("t")!.Value);
    }

    [Theory]
    [InlineData("a.txt", "TOKEN=#{secret:Note|literal}\n")]
    [InlineData("b.xml", "<c><![CDATA[#{secret:Note|literal}]]></c>")]
    public async Task Literal_where_the_format_has_no_escape_for_a_hash_is_refused_with_SSB1019(string name, string content)
    {
        var path = _folder.Write(name, content);

        var result = await RunAsync(Store("pass#word"), [path]);

        Assert.Equal("SSB1019", SingleError(result).Code.Id);
        Assert.Equal(content, _folder.Read(name));
    }

    [Fact]
    public async Task Literal_in_plain_text_without_a_hash_in_the_value_writes_it_unchanged()
    {
        var path = _folder.Write("a.txt", "TOKEN=#{secret:Note|literal}\n");

        var result = await RunAsync(Store("plain-value"), [path]);

        AssertSucceeded(result);
        Assert.Equal("TOKEN=plain-value\n", _folder.Read("a.txt"));
    }
}

using SecretStore.Resolution;
using static SecretStore.Tests.Resolution.ResolverHarness;

namespace SecretStore.Tests.Resolution.Formats;

/// <summary>
/// The format layer through the real resolver: mappings that find their key only once it is decoded, written
/// byte for byte, and raw values refused with SSB1008 when they would add an XML attribute or comment.
/// </summary>
public sealed class FormatRewriteTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private static Func<ResolveRequest, ResolveRequest> WithMapping(string configurationPath, string secret) =>
        r => new ResolveRequest { Files = r.Files, DefaultApplication = App, Mappings = [new SecretMapping { ConfigurationPath = configurationPath, Secret = secret }] };

    [Fact]
    public async Task A_json_mapping_matches_a_key_written_with_an_escape()
    {
        var path = _folder.Write("appsettings.json", "{\"\\u0041pi\": \"old\", \"Other\": \"old\"}\n");
        var result = await RunAsync(new InMemorySecretStore().With(App, "Key", "new"), [path], configure: WithMapping("Api", "Key"));
        AssertSucceeded(result);
        Assert.Equal("{\"\\u0041pi\": \"new\", \"Other\": \"old\"}\n", _folder.Read("appsettings.json"));
    }

    [Fact]
    public async Task A_web_config_mapping_matches_a_key_written_with_a_character_reference()
    {
        const string template = "<configuration>\n  <appSettings>\n    <add key=\"A&#112;i\" value=\"old\" />\n    <add key=\"Other\" value=\"old\" />\n  </appSettings>\n</configuration>\n";
        var path = _folder.Write("web.config", template);
        var result = await RunAsync(new InMemorySecretStore().With(App, "Key", "a<b"), [path], configure: WithMapping("Api", "Key"));
        AssertSucceeded(result);
        Assert.Equal(template.Replace("value=\"old\" />\n    <add key=\"Other\"", "value=\"a&lt;b\" />\n    <add key=\"Other\"", StringComparison.Ordinal), _folder.Read("web.config"));
    }

    [Fact]
    public async Task A_raw_value_that_adds_an_xml_attribute_fails_the_shape_check()
    {
        const string template = "<a v=\"#{secret:V|raw}\"/>";
        var path = _folder.Write("a.xml", template);
        var result = await RunAsync(new InMemorySecretStore().With(App, "V", "x\" w=\"y"), [path]);
        var error = SingleError(result);
        Assert.Equal("SSB1008", error.Code.Id);
        Assert.Contains("Resolving the file would change its shape: elements, attributes, comments or CDATA sections differ.", error.Message, StringComparison.Ordinal);
        Assert.Equal(template, _folder.Read("a.xml"));
    }

    [Fact]
    public async Task A_raw_value_that_adds_an_xml_comment_fails_the_shape_check()
    {
        const string template = "<a><b>#{secret:V|raw}</b></a>";
        var path = _folder.Write("a.xml", template);
        var result = await RunAsync(new InMemorySecretStore().With(App, "V", "x<!--y-->"), [path]);
        Assert.Equal("SSB1008", SingleError(result).Code.Id);
        Assert.Equal(template, _folder.Read("a.xml"));
    }
}

using System.Text.Json;
using System.Xml.Linq;
using SecretStore.Resolution;
using SecretStore.Resolution.Reporting;
using static SecretStore.Tests.Resolution.ResolverHarness;

namespace SecretStore.Tests.Resolution;

public sealed class StructuredMappingTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private static Func<ResolveRequest, ResolveRequest> WithMappings(params SecretMapping[] mappings) =>
        r => new ResolveRequest { Files = r.Files, DefaultApplication = App, Mappings = mappings };

    [Fact]
    public async Task Json_mapping_replaces_the_string_value_at_the_configuration_path()
    {
        var store = new InMemorySecretStore().With(App, "Db", "Server=x;Password=\"p\\w\"");
        const string template = "{\n  \"ConnectionStrings\": {\n    \"Default\": \"Server=localhost\" // dev\n  },\n  \"Items\": [\"a\", \"b\"]\n}\n";
        var path = _folder.Write("appsettings.json", template);
        var result = await RunAsync(store, [path], configure: WithMappings(
            new SecretMapping { ConfigurationPath = "connectionstrings:default", Secret = "Db" },
            new SecretMapping { ConfigurationPath = "Items:1", Secret = "App/Db", File = "appsettings*.json" }));
        AssertSucceeded(result);
        var output = _folder.Read("appsettings.json");
        using var doc = JsonDocument.Parse(output, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        Assert.Equal("Server=x;Password=\"p\\w\"", doc.RootElement.GetProperty("ConnectionStrings").GetProperty("Default").GetString());
        Assert.Equal("Server=x;Password=\"p\\w\"", doc.RootElement.GetProperty("Items")[1].GetString());
        Assert.EndsWith("\" // dev\n  },\n  \"Items\": [\"a\", \"Server=x;Password=\\\"p\\\\w\\\"\"]\n}\n", output, StringComparison.Ordinal);
        Assert.All(result.Report.Files[0].Placeholders, p => Assert.Equal((PlaceholderSource.Mapping, PlaceholderOutcome.Resolved), (p.Source, p.Outcome)));
        Assert.Equal(2, result.PlaceholderCount);
    }

    [Fact]
    public async Task Web_config_mapping_targets_connection_strings_and_app_settings()
    {
        var store = new InMemorySecretStore().With(App, "Db", "Server=x;Password=a&b\"c").With(App, "Key", "k<1>");
        const string template = "<?xml version=\"1.0\"?>\r\n<configuration>\r\n  <connectionStrings>\r\n    <add name=\"Default\" connectionString=\"placeholder\" providerName=\"System.Data.SqlClient\" />\r\n  </connectionStrings>\r\n  <appSettings>\r\n    <add key=\"ApiKey\" value=\"\" />\r\n  </appSettings>\r\n</configuration>\r\n";
        var path = _folder.Write("web.config", template);
        var result = await RunAsync(store, [path], configure: WithMappings(
            new SecretMapping { ConfigurationPath = "ConnectionStrings:Default", Secret = "Db" },
            new SecretMapping { ConfigurationPath = "ApiKey", Secret = "Key" }));
        AssertSucceeded(result);
        var doc = XDocument.Parse(_folder.Read("web.config"));
        Assert.Equal("Server=x;Password=a&b\"c", doc.Root!.Element("connectionStrings")!.Element("add")!.Attribute("connectionString")!.Value);
        Assert.Equal("k<1>", doc.Root!.Element("appSettings")!.Element("add")!.Attribute("value")!.Value);
        Assert.Contains("providerName=\"System.Data.SqlClient\" />\r\n", _folder.Read("web.config"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mapped_path_that_does_not_exist_is_an_error()
    {
        var path = _folder.Write("appsettings.json", "{\"ConnectionStrings\": {\"Other\": \"x\"}}");
        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "v"), [path], configure: WithMappings(new SecretMapping { ConfigurationPath = "ConnectionStrings:Default", Secret = "Db" }));
        Assert.Equal("SSB1014", SingleError(result).Code.Id);
        Assert.Equal("{\"ConnectionStrings\": {\"Other\": \"x\"}}", _folder.Read("appsettings.json"));
    }

    [Fact]
    public async Task Mapping_for_a_selected_file_that_lacks_the_path_is_an_error_for_that_file()
    {
        var a = _folder.Write("appsettings.json", "{\"A\": \"x\"}");
        var b = _folder.Write("appsettings.Production.json", "{\"B\": \"x\"}");
        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "v"), [a, b], configure: WithMappings(new SecretMapping { ConfigurationPath = "A", Secret = "Db", File = "appsettings*.json" }));
        var error = SingleError(result);
        Assert.Equal(("SSB1014", b), (error.Code.Id, error.FilePath));
    }

    [Fact]
    public async Task Mapping_secret_that_is_missing_is_an_error_with_the_mapping_named()
    {
        var path = _folder.Write("appsettings.json", "{\"A\": \"x\"}");
        var result = await RunAsync(new InMemorySecretStore(), [path], configure: WithMappings(new SecretMapping { ConfigurationPath = "A", Secret = "Gone" }));
        var error = SingleError(result);
        Assert.Equal(("SSB2001", 1, 8), (error.Code.Id, error.Line, error.Column));
        Assert.Contains("'A'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_mapping_is_an_invalid_argument()
    {
        var path = _folder.Write("appsettings.json", "{\"A\": \"x\"}");
        var result = await RunAsync(new InMemorySecretStore(), [path], configure: WithMappings(new SecretMapping { ConfigurationPath = "A", Secret = "a/b/c" }));
        Assert.Equal("SSB0001", SingleError(result).Code.Id);
    }
}

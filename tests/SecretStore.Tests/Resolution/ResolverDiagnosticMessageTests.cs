using SecretStore.Diagnostics;
using SecretStore.Resolution;
using static SecretStore.Tests.Resolution.ResolverHarness;

namespace SecretStore.Tests.Resolution;

/// <summary>
/// The exact SSB codes and messages of the resolver's own diagnostics (arguments, mappings, store failures): they
/// name the file, placeholder or mapping, never a value.
/// </summary>
public sealed class ResolverDiagnosticMessageTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task An_empty_listed_path_is_SSB0001_and_the_other_files_are_still_analyzed(string empty)
    {
        var path = _folder.Write("a.txt", "A=#{secret:Db}");

        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "v"), [empty, path], ResolveMode.Verify);

        var error = SingleError(result);
        Assert.Equal(("SSB0001", "An empty file path was listed."), (error.Code.Id, error.Message));
        Assert.Equal([path], result.Report.Files.Select(f => f.Path));
    }

    [Fact]
    public async Task A_mapping_that_matches_nothing_is_SSB1014_naming_the_path_and_the_secret()
    {
        var path = _folder.Write("appsettings.json", "{\"A\": \"x\"}");

        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "v"), [path], configure: r => new() { Files = r.Files, DefaultApplication = App, Mappings = [new SecretMapping { ConfigurationPath = "Missing:Path", Secret = "Db" }] });

        var error = SingleError(result);
        Assert.Equal(("SSB1014", "Mapping 'Missing:Path' -> 'App/Db' matched no string value in any listed JSON, XML, INI or YAML file."), (error.Code.Id, error.Message));
    }

    [Fact]
    public async Task Required_placeholders_missing_everywhere_is_SSB1010_counting_the_listed_files()
    {
        var files = new[] { _folder.Write("a.json", "{\"a\": 1}"), _folder.Write("b.txt", "plain") };

        var result = await RunAsync(new InMemorySecretStore(), files, configure: r => new() { Files = r.Files, DefaultApplication = App, RequirePlaceholders = true });

        var error = SingleError(result);
        Assert.Equal(("SSB1010", "None of the 2 listed file(s) holds a secret placeholder or mapped value, and at least one was required."), (error.Code.Id, error.Message));
    }

    [Theory]
    [InlineData("", "Db", "has no configuration path")]
    [InlineData("A", null, "names a secret that is empty; write Application/Name or Name")]
    [InlineData("A", "/Db", "names a secret that has an empty application or name, whitespace at the edge of one, or a lone UTF-16 surrogate")]
    [InlineData("A", "App/", "names a secret that has an empty application or name, whitespace at the edge of one, or a lone UTF-16 surrogate")]
    [InlineData("A", "App/Db/Extra", "names a secret that has more than one '/'; write Application/Name, and escape a '/' that belongs to a name as '\\/'")]
    public async Task An_incomplete_mapping_is_SSB0001_naming_its_path_secret_and_what_is_wrong(string configurationPath, string? secret, string problem)
    {
        var path = _folder.Write("appsettings.json", "{\"A\": \"x\"}");

        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "v"), [path], ResolveMode.Verify, r => new() { Files = r.Files, DefaultApplication = App, Mode = ResolveMode.Verify, Mappings = [new SecretMapping { ConfigurationPath = configurationPath, Secret = secret! }] });

        var error = SingleError(result);
        Assert.Equal(("SSB0001", $"Mapping '{configurationPath}' -> '{secret}' {problem}."), (error.Code.Id, error.Message));
    }

    [Fact]
    public async Task A_coded_store_failure_names_the_application_the_count_and_the_first_placeholder_and_its_detail()
    {
        var store = new InMemorySecretStore().With(App, "Db", "v");
        store.FailingApplications[App] = new SecretStoreException(DiagnosticCodes.AccessDenied, "Access denied to application 'App'.");
        var path = _folder.Write("a.txt", "A=#{secret:Db}\nB=#{secret:Key}");

        var result = await RunAsync(store, [path]);

        var error = SingleError(result);
        Assert.Equal(("SSB2007", path, 1, 3), (error.Code.Id, error.FilePath, error.Line, error.Column));
        Assert.Equal("Secrets of application 'App' (2 named, first: placeholder #{secret:Db}) could not be read: Access denied to application 'App'.", error.Message);
    }

    [Fact]
    public async Task A_store_failure_without_diagnostics_gives_its_codes_title_as_the_detail()
    {
        var store = new InMemorySecretStore().With(App, "Db", "v");
        store.FailingApplications[App] = new SecretStoreException([]);
        var path = _folder.Write("a.txt", "A=#{secret:Db}");

        var result = await RunAsync(store, [path]);

        var error = SingleError(result);
        Assert.Equal(("SSB0099", "Secrets of application 'App' (1 named, first: placeholder #{secret:Db}) could not be read: Unexpected internal error"), (error.Code.Id, error.Message));
        Assert.Equal("A=#{secret:Db}", _folder.Read("a.txt"));
    }

    [Fact]
    public async Task An_unexpected_store_exception_is_SSB2005_naming_only_its_type()
    {
        var store = new InMemorySecretStore();
        store.FailingApplications[App] = new InvalidOperationException("hunter2");
        var path = _folder.Write("a.txt", "A=#{secret:Db}");

        var result = await RunAsync(store, [path]);

        var error = SingleError(result);
        Assert.Equal(("SSB2005", path, "Secrets of application 'App' could not be read (InvalidOperationException)."), (error.Code.Id, error.FilePath, error.Message));
    }
}

using SecretStore.Resolution;
using static SecretStore.Tests.Resolution.ResolverHarness;

namespace SecretStore.Tests.Resolution;

/// <summary>Issue 12 item 4: a symbolic link to a folder inside the listed folder must not carry a write outside it.</summary>
public sealed class LinkedFolderTests : IDisposable
{
    private const string Json = "{\"Db\": \"#{secret:Db}\"}";
    private readonly TempDirectory _publish = new();
    private readonly TempDirectory _elsewhere = new();

    public void Dispose()
    {
        _publish.Dispose();
        _elsewhere.Dispose();
    }

    private InMemorySecretStore Store { get; } = new InMemorySecretStore().With(App, "Db", "s3cr3t-value");

    [Fact]
    public void Glob_does_not_descend_into_a_symbolic_link_to_a_folder()
    {
        _publish.Write("appsettings.json", Json);
        _publish.Write("real/appsettings.json", Json);
        _elsewhere.Write("appsettings.json", Json);
        Directory.CreateSymbolicLink(_publish.Combine("sub"), _elsewhere.Path);

        var files = FileGlobs.Expand(_publish.Path, ["**/appsettings.json"]);

        Assert.Equal([_publish.Combine("appsettings.json"), _publish.Combine("real/appsettings.json")], files.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Glob_does_not_descend_into_a_link_nested_below_a_real_folder()
    {
        _elsewhere.Write("deep/web.config", "<a/>");
        _publish.Write("a/b/web.config", "<a/>");
        Directory.CreateSymbolicLink(_publish.Combine("a/b/c"), _elsewhere.Path);

        var files = FileGlobs.Expand(_publish.Path, ["**/*.config"]);

        Assert.Equal([_publish.Combine("a/b/web.config")], files);
    }

    [Fact]
    public async Task Explicit_path_through_a_symbolic_link_to_a_folder_is_refused_with_SSB1018_and_no_file_is_written()
    {
        var inside = _publish.Write("appsettings.json", Json);
        _elsewhere.Write("appsettings.json", Json);
        Directory.CreateSymbolicLink(_publish.Combine("sub"), _elsewhere.Path);

        var result = await RunAsync(Store, [inside, _publish.Combine("sub/appsettings.json")], configure: r => new ResolveRequest
        {
            Files = r.Files,
            DefaultApplication = r.DefaultApplication,
            BaseDirectory = _publish.Path,
        });

        var error = SingleError(result);
        Assert.Equal("SSB1018", error.Code.Id);
        Assert.Contains(_publish.Combine("sub"), error.Message, StringComparison.Ordinal);
        Assert.Equal(Json, _elsewhere.Read("appsettings.json"));
        Assert.Equal(Json, _publish.Read("appsettings.json"));
        Assert.Equal(0, result.FilesWritten);
    }

    [Fact]
    public async Task Absolute_path_beside_the_working_folder_through_a_planted_link_is_refused_with_SSB1018()
    {
        // Red team: from a working folder beside the target's tree (the sources folder next to
        // $(Pipeline.Workspace)/site), an absolute path through a planted link wrote outside the tree.
        _elsewhere.Write("appsettings.json", Json);
        Directory.CreateDirectory(_publish.Combine("pl"));
        Directory.CreateDirectory(_publish.Combine("cwd"));
        Directory.CreateSymbolicLink(_publish.Combine("pl/sub"), _elsewhere.Path);

        var result = await RunAsync(Store, [_publish.Combine("pl/sub/appsettings.json")], configure: r => new ResolveRequest
        {
            Files = r.Files,
            DefaultApplication = r.DefaultApplication,
            BaseDirectory = _publish.Combine("cwd"),
        });

        var error = SingleError(result);
        Assert.Equal("SSB1018", error.Code.Id);
        Assert.Equal(Json, _elsewhere.Read("appsettings.json"));
        Assert.Equal(0, result.FilesWritten);
    }

    [Fact]
    public async Task A_link_deeper_in_an_explicit_path_is_refused_with_SSB1018()
    {
        _elsewhere.Write("x/appsettings.json", Json);
        Directory.CreateDirectory(_publish.Combine("a"));
        Directory.CreateSymbolicLink(_publish.Combine("a/b"), _elsewhere.Path);

        var result = await RunAsync(Store, [_publish.Combine("a/b/x/appsettings.json")], configure: r => new ResolveRequest
        {
            Files = r.Files,
            DefaultApplication = r.DefaultApplication,
            BaseDirectory = _publish.Path,
        });

        Assert.Equal("SSB1018", SingleError(result).Code.Id);
        Assert.Equal(Json, _elsewhere.Read("x/appsettings.json"));
    }

    [Fact]
    public async Task A_link_above_the_listed_folder_is_the_users_layout_and_is_followed()
    {
        _elsewhere.Write("site/appsettings.json", Json);
        var linkedPublish = _publish.Combine("publish");
        Directory.CreateSymbolicLink(linkedPublish, _elsewhere.Combine("site"));

        var files = FileGlobs.Expand(linkedPublish, ["**/appsettings.json"]);
        var result = await RunAsync(Store, files, configure: r => new ResolveRequest
        {
            Files = r.Files,
            DefaultApplication = r.DefaultApplication,
            BaseDirectory = linkedPublish,
        });

        AssertSucceeded(result);
        Assert.Equal("{\"Db\": \"s3cr3t-value\"}", _elsewhere.Read("site/appsettings.json"));
    }
}

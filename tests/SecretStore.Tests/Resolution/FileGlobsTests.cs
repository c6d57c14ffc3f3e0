using SecretStore.Resolution;

namespace SecretStore.Tests.Resolution;

public sealed class FileGlobsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Globs_expand_on_disk_and_plain_paths_are_kept_even_when_missing()
    {
        _folder.Write("appsettings.json", "{}");
        _folder.Write("appsettings.Production.json", "{}");
        _folder.Write("sub/deep/web.config", "<a/>");
        _folder.Write("sub/other.txt", "x");
        var files = FileGlobs.Expand(_folder.Path, ["appsettings*.json", "**/*.config", "missing.json", "appsettings.json"]);
        Assert.Equal(
            [_folder.File("appsettings.Production.json"), _folder.File("appsettings.json"), Path.GetFullPath(_folder.File("sub/deep/web.config")), _folder.File("missing.json")],
            files);
    }

    [Fact]
    public void Exclusions_remove_matched_files()
    {
        _folder.Write("a.json", "{}");
        _folder.Write("b.json", "{}");
        var files = FileGlobs.Expand(_folder.Path, ["*.json", "!b.json"]);
        Assert.Equal([_folder.File("a.json")], files);
    }

    [Fact]
    public void Glob_under_a_missing_folder_matches_nothing()
    {
        Assert.Empty(FileGlobs.Expand(_folder.Path, ["nope/**/*.json"]));
    }
}

using SecretStore.Resolution;

namespace SecretStore.Tests.Resolution;

public sealed class FileGlobsTests : IDisposable
{
    private readonly TempDirectory _folder = new();

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
            [_folder.Combine("appsettings.Production.json"), _folder.Combine("appsettings.json"), Path.GetFullPath(_folder.Combine("sub/deep/web.config")), _folder.Combine("missing.json")],
            files);
    }

    [Fact]
    public void Exclusions_remove_matched_files()
    {
        _folder.Write("a.json", "{}");
        _folder.Write("b.json", "{}");
        var files = FileGlobs.Expand(_folder.Path, ["*.json", "!b.json"]);
        Assert.Equal([_folder.Combine("a.json")], files);
    }

    [Fact]
    public void Glob_under_a_missing_folder_matches_nothing()
    {
        Assert.Empty(FileGlobs.Expand(_folder.Path, ["nope/**/*.json"]));
    }

    [Fact]
    public void Each_glob_that_matches_no_file_on_disk_is_reported_once_but_never_a_plain_path_or_an_exclusion()
    {
        _folder.Write("a.json", "{}");
        var unmatched = new List<string>();

        var files = FileGlobs.Expand(_folder.Path, ["*.json", "nope/*.json", "missing.json", "!*.xml", "*.ini", "!a.json", "a.*"], unmatched);

        Assert.Equal([_folder.Combine("missing.json")], files);
        Assert.Equal(["nope/*.json", "*.ini"], unmatched);
    }

    [Fact]
    public void Null_arguments_are_refused_by_name()
    {
        Assert.Equal("baseDirectory", Assert.Throws<ArgumentNullException>(() => FileGlobs.Expand(null!, [])).ParamName);
        Assert.Equal("patternsOrPaths", Assert.Throws<ArgumentNullException>(() => FileGlobs.Expand(_folder.Path, null!)).ParamName);
    }

    [Fact]
    public void Paths_differing_only_in_case_are_different_files_on_linux()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        _folder.Write("a.json", "{}");
        _folder.Write("A.json", "{}");
        Assert.Equal([_folder.Combine("a.json"), _folder.Combine("A.json")], FileGlobs.Expand(_folder.Path, ["a.json", "A.json"]));
        Assert.Equal([_folder.Combine("a.json")], FileGlobs.Expand(_folder.Path, ["*.json", "!A.json"]));
    }

    [Fact]
    public void Excluding_a_missing_plain_path_does_not_drop_it_from_the_list()
    {
        Assert.Equal([_folder.Combine("missing.json")], FileGlobs.Expand(_folder.Path, ["missing.json", "!missing.json"]));
    }

    [Fact]
    public void A_glob_starting_at_the_file_system_root_is_not_matched_in_the_base_folder()
    {
        var extension = "ssb" + Guid.NewGuid().ToString("N")[..8];
        _folder.Write("probe." + extension, "{}");
        Assert.Empty(FileGlobs.Expand(_folder.Path, ["/*." + extension]));
    }

    [Fact]
    public void A_glob_root_that_is_a_link_is_walked()
    {
        using var elsewhere = new TempDirectory();
        elsewhere.Write("sub/keep.txt", "x");
        elsewhere.Write("appsettings.json", "{}");
        Directory.CreateSymbolicLink(_folder.Combine("link"), elsewhere.Path);

        Assert.Equal([_folder.Combine("link/appsettings.json")], FileGlobs.Expand(_folder.Path, ["link/*.json"]));
    }
}

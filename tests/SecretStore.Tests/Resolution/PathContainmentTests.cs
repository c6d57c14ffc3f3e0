using SecretStore.Resolution.Files;

namespace SecretStore.Tests.Resolution;

/// <summary>The folder a target counts as listed in, and the linked folder between that folder and the target.</summary>
public sealed class PathContainmentTests : IDisposable
{
    private readonly TempDirectory _folder = new();
    private readonly TempDirectory _elsewhere = new();

    public void Dispose()
    {
        _folder.Dispose();
        _elsewhere.Dispose();
    }

    [Fact]
    public void A_path_under_the_base_folder_counts_as_listed_in_the_base_folder()
    {
        Assert.Equal("/srv/publish", PathContainment.RootOf("/srv/publish/sub/appsettings.json", "/srv/publish"));
        Assert.Equal("/srv/publish", PathContainment.RootOf("/srv/publish/appsettings.json", "/srv/publish/"));
    }

    [Fact]
    public void A_path_beside_the_base_folder_counts_as_listed_in_the_deepest_folder_holding_both()
    {
        // "/srv/publishing" only shares a prefix of characters with "/srv/publish", not a folder.
        Assert.Equal("/srv", PathContainment.RootOf("/srv/publishing/appsettings.json", "/srv/publish"));
        Assert.Equal("/srv/work", PathContainment.RootOf("/srv/work/site/web.config", "/srv/work/sources/app"));
    }

    [Fact]
    public void Path_case_matters_on_linux()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // case-insensitive file systems elsewhere
        }

        Assert.Equal("/srv", PathContainment.RootOf("/srv/PUBLISH/appsettings.json", "/srv/publish"));
    }

    [Fact]
    public void A_path_sharing_only_the_file_system_root_counts_as_listed_in_its_own_folder()
    {
        Assert.Equal("/opt/site/config", PathContainment.RootOf("/opt/site/config/appsettings.json", "/srv/publish"));
    }

    [Fact]
    public void A_base_folder_that_is_the_file_system_root_holds_every_absolute_path()
    {
        Assert.Equal("/", PathContainment.RootOf("/etc/site/appsettings.json", "/"));
    }

    [Fact]
    public void Real_folders_below_the_root_are_not_links()
    {
        var target = _folder.Write("real/sub/appsettings.json", "{}");
        Assert.Null(PathContainment.FindLinkedFolder(_folder.Path, target));
    }

    [Fact]
    public void A_symbolic_link_to_a_folder_below_the_root_is_found_outermost_first()
    {
        _elsewhere.Write("inner/appsettings.json", "{}");
        Directory.CreateSymbolicLink(_folder.Combine("real"), _elsewhere.Path);
        var target = _folder.Combine("real/inner/appsettings.json");

        Assert.Equal(_folder.Combine("real"), PathContainment.FindLinkedFolder(_folder.Path, target));
    }

    [Fact]
    public void A_dangling_symbolic_link_to_a_folder_is_still_a_link()
    {
        Directory.CreateSymbolicLink(_folder.Combine("gone"), _elsewhere.Combine("missing"));
        var target = _folder.Combine("gone/appsettings.json");

        Assert.Equal(_folder.Combine("gone"), PathContainment.FindLinkedFolder(_folder.Path, target));
    }

    [Fact]
    public void The_root_folder_itself_and_folders_beside_it_are_not_searched()
    {
        Directory.CreateSymbolicLink(_folder.Combine("link"), _elsewhere.Path);
        _elsewhere.Write("appsettings.json", "{}");

        Assert.Null(PathContainment.FindLinkedFolder(_folder.Combine("link"), _folder.Combine("link/appsettings.json")));
        Assert.Null(PathContainment.FindLinkedFolder(_folder.Combine("lin"), _folder.Combine("link/appsettings.json")));
    }

    [Fact]
    public void Below_the_file_system_root_every_folder_is_searched()
    {
        if (!OperatingSystem.IsLinux() || new DirectoryInfo(Path.GetTempPath()).LinkTarget is not null)
        {
            return; // the link looked for must be the outermost one
        }

        Directory.CreateSymbolicLink(_folder.Combine("link"), _elsewhere.Path);

        Assert.Equal(_folder.Combine("link"), PathContainment.FindLinkedFolder("/", _folder.Combine("link/sub/appsettings.json")));
    }

    [Fact]
    public void An_empty_root_holds_no_relative_folder()
    {
        Assert.Null(PathContainment.FindLinkedFolder("", "a/b/appsettings.json"));
    }
}

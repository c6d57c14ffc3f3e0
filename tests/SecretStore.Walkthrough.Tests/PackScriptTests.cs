using System.Text.RegularExpressions;
using SecretStore.Testing;
using SecretStore.Testing.Processes;

namespace SecretStore.Walkthrough.Tests;

/// <summary>build/pack.sh: every package, one version, from git; a release cannot ship an action that installs another tool.</summary>
[Collection(LocalFeedCollection.Name)]
public sealed partial class PackScriptTests(LocalFeed feed)
{
    [Fact]
    public void Packs_every_package_with_the_one_version_it_prints()
    {
        var packages = Directory.GetFiles(feed.FeedDirectory, "*.nupkg").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        var expected = LocalFeed.Packages.Select(id => $"{id}.{feed.Version}.nupkg").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, packages);
    }

    [Fact]
    public async Task The_version_is_derived_from_git_tags()
    {
        var describe = await ToolProcess.RunAsync("git", ["describe", "--tags", "--abbrev=0", "--match", "v[0-9]*"], RepositoryRoot.Path, TimeSpan.FromMinutes(1));
        if (describe.Succeeded)
        {
            // After a release tag vX.Y.Z: the tag itself on its commit, else the next patch as an alpha with the height.
            var tag = describe.StandardOutput.Trim()[1..];
            Assert.True(feed.Version == tag || feed.Version.StartsWith(NextPatch(tag) + "-alpha.0.", StringComparison.Ordinal), $"tag v{tag}, packed {feed.Version}");
        }
        else
        {
            // No version tag yet (a fresh clone of main): MinVer's 0.1 minimum, an alpha numbered by the commit height.
            Assert.Matches(Untagged(), feed.Version);
        }
    }

    [Fact]
    public async Task A_tagged_release_whose_action_installs_another_version_is_refused()
    {
        using var clone = new TempDirectory("ssb-release-");
        var git = await ToolProcess.RunAsync("git", ["clone", "--quiet", "--no-hardlinks", RepositoryRoot.Path, clone.Path], clone.Path, TimeSpan.FromMinutes(2));
        Assert.True(git.Succeeded, git.ToString());
        // The script under test, not the committed one (they differ only while a change is being made).
        File.Copy(RepositoryRoot.Combine("build", "pack.sh"), clone.Combine("build", "pack.sh"), overwrite: true);
        var tag = await ToolProcess.RunAsync("git", ["-c", "user.name=t", "-c", "user.email=t@t", "tag", "v97.0.0"], clone.Path, TimeSpan.FromMinutes(1));
        Assert.True(tag.Succeeded, tag.ToString());

        var pack = await ToolProcess.RunAsync("bash", [clone.Combine("build", "pack.sh"), "--output", clone.Combine("out"), "--build-dir", clone.Combine("pack-build")], clone.Path, TimeSpan.FromMinutes(5), feed.Environment);

        Assert.False(pack.Succeeded, pack.ToString());
        Assert.Contains("action.yml installs tool version '0.1.0' by default, but this release is 97.0.0", pack.StandardError, StringComparison.Ordinal);
        Assert.Empty(Directory.Exists(clone.Combine("out")) ? Directory.GetFiles(clone.Combine("out"), "*.nupkg") : []);
    }

    private static string NextPatch(string version)
    {
        var core = version.Split('-')[0].Split('.');
        return $"{core[0]}.{core[1]}.{int.Parse(core[2], System.Globalization.CultureInfo.InvariantCulture) + 1}";
    }

    [GeneratedRegex(@"^0\.1\.0-alpha\.0\.\d+$")]
    private static partial Regex Untagged();
}

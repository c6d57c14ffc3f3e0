using SecretStore.Testing;
using SecretStore.Testing.Processes;

namespace SecretStore.Walkthrough.Tests;

/// <summary>docs/install.md's "Install from a local feed" block, run as it stands in a fresh `dotnet new web` project.</summary>
[Collection(LocalFeedCollection.Name)]
public sealed class InstallDocTests(LocalFeed feed)
{
    [Fact]
    public async Task The_install_block_of_the_docs_installs_the_package_the_tool_and_the_addin()
    {
        var shell = new UserShell(feed, feed.NewWorkspace("install-doc"));
        await shell.Ok("new", "web", "--name", "Shop", "--output", "Shop");
        var app = shell.In("Shop");
        app.Write("appsettings.json", "{\n  \"ConnectionStrings\": { \"Default\": \"#{secret:Shop/Db}\" }\n}\n");
        var script = Path.Combine(shell.Directory, "install.sh");
        File.WriteAllText(script, InstallBlock());

        var environment = new Dictionary<string, string?>(feed.Environment) { ["FEED"] = feed.FeedDirectory, ["VERSION"] = feed.Version };
        var run = await ToolProcess.RunAsync("bash", ["-euo", "pipefail", script], app.Directory, TimeSpan.FromMinutes(10), environment);

        Assert.True(run.Succeeded, run.ToString());
        // The tool prints its version (with the commit after '+'), the addin found the placeholder, both from the feed.
        Assert.Contains(feed.Version + "+", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("needs Shop/Db", run.Output, StringComparison.Ordinal);
        Assert.Contains($"<PackageReference Include=\"SecretStore.Build\" Version=\"{feed.Version}\"", app.Read("Shop.csproj"), StringComparison.Ordinal);
        Assert.Contains($"\"version\": \"{feed.Version}\"", app.Read("dotnet-tools.json"), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(feed.Environment["NUGET_PACKAGES"]!, "secretstore.build", feed.Version, "secretstore.build.nuspec")));
    }

    [Fact]
    public void The_install_block_shows_the_three_ways_a_feed_is_named()
    {
        // Issue 14: a nuget.config with the folder, `dotnet tool install --add-source`, `#addin` with a source.
        var block = InstallBlock();
        Assert.Contains("<add key=\"secretstore-local\" value=\"$FEED\" />", block, StringComparison.Ordinal);
        Assert.Contains("dotnet tool install SecretStore.Tool --version \"$VERSION\" --add-source \"$FEED\"", block, StringComparison.Ordinal);
        Assert.Contains("#addin nuget:file://$FEED/?package=Cake.SecretStore&version=$VERSION", block, StringComparison.Ordinal);
    }

    /// <summary>The bash between the install-example markers of docs/install.md, without its code fence.</summary>
    internal static string InstallBlock()
    {
        var text = File.ReadAllText(RepositoryRoot.Combine("docs", "install.md"));
        const string start = "<!-- install-example:start -->", end = "<!-- install-example:end -->";
        var from = text.IndexOf(start, StringComparison.Ordinal);
        var to = text.IndexOf(end, StringComparison.Ordinal);
        Assert.True(from >= 0 && to > from, "docs/install.md lost its install-example markers");
        var lines = text[(from + start.Length)..to].Split('\n').Where(l => !l.StartsWith("```", StringComparison.Ordinal));
        return string.Join('\n', lines);
    }
}

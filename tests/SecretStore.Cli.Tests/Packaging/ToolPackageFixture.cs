using SecretStore.Cli.Tests.Infrastructure;

namespace SecretStore.Cli.Tests.Packaging;

/// <summary>
/// Packs the tool once (<c>dotnet pack</c> into its own artifacts folder, a unique prerelease version) into a local folder
/// feed, with a nuget.config that knows only that feed, so installs never reach a public registry.
/// </summary>
public sealed class ToolPackageFixture : IAsyncLifetime
{
    public TempDirectory Folder { get; } = new();

    public string Feed => Folder.Combine("feed");

    /// <summary>A folder whose nuget.config lists only <see cref="Feed"/>: run installs from here.</summary>
    public string InstallRoot => Folder.Combine("install");

    public string Version { get; } = "0.0.1-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Keeps the test's packages out of the user's NuGet cache and lets the apphost find the runtime.</summary>
    public Dictionary<string, string> Environment => new()
    {
        ["NUGET_PACKAGES"] = Folder.Combine("nuget-packages"),
        ["DOTNET_ROOT"] = Path.GetDirectoryName(RealPath(ResolveHost()))!,
    };

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Feed);
        Directory.CreateDirectory(InstallRoot);
        File.WriteAllText(
            Path.Combine(InstallRoot, "nuget.config"),
            $"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <packageSources>\n    <clear />\n    <add key=\"local\" value=\"{Feed}\" />\n  </packageSources>\n</configuration>\n");
        await PackAsync(Feed, Version);
    }

    /// <summary>Packs the built tool as <paramref name="version"/> into the folder feed <paramref name="feed"/>.</summary>
    public async Task PackAsync(string feed, string version)
    {
        var project = Path.Combine(CliProcess.RepositoryRoot, "src", "SecretStore.Cli", "SecretStore.Cli.csproj");
        var pack = await CliProcess.RunProcessAsync(
            CliProcess.DotnetHost,
            // Built apart (--artifacts-path), not --no-build: the linux-x64 ReadyToRun package needs its own RID build, and
            // the build the tests run from stays untouched.
            ["pack", project, "-c", CliProcess.Configuration, "-o", feed, "--artifacts-path", Path.Combine(Folder.Path, "pack-build"), "-p:Version=" + version, "-nologo", "-nodeReuse:false"],
            Folder.Path,
            Environment,
            timeout: TimeSpan.FromMinutes(10));
        Assert.True(pack.ExitCode == 0, "dotnet pack failed: " + pack);
        foreach (var id in new[] { "SecretStore.Tool", "SecretStore.Tool.linux-x64", "SecretStore.Tool.any" })
        {
            Assert.True(File.Exists(Path.Combine(feed, $"{id}.{version}.nupkg")), $"no {id} package in the feed: " + pack);
        }
    }

    public Task DisposeAsync()
    {
        Folder.Dispose();
        return Task.CompletedTask;
    }

    // /usr/bin/dotnet is often a link into the real install folder, which is what DOTNET_ROOT must name.
    private static string RealPath(string path) =>
        File.Exists(path) ? new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path) : path;

    private static string ResolveHost()
    {
        var host = CliProcess.DotnetHost;
        if (Path.IsPathRooted(host))
        {
            return host;
        }

        var path = System.Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(Path.PathSeparator).Select(p => Path.Combine(p, host)).FirstOrDefault(File.Exists) ?? host;
    }
}

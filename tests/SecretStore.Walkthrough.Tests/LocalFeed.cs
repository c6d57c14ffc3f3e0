using System.Text.RegularExpressions;
using SecretStore.Testing;
using SecretStore.Testing.Processes;

namespace SecretStore.Walkthrough.Tests;

/// <summary>
/// Runs build/pack.sh once per test run into a temp folder feed, as a user would before following docs/install.md,
/// and gives every child process its own NuGet cache: the git-derived version repeats from run to run on one commit,
/// so a cache shared with earlier runs could hand back a package packed from other code.
/// </summary>
public sealed partial class LocalFeed : IAsyncLifetime
{
    public static readonly string[] Packages = ["SecretStore", "SecretStore.Aws", "SecretStore.Build", "Cake.SecretStore", "SecretStore.Tool", "SecretStore.Tool.linux-x64", "SecretStore.Tool.any", "SecretStore.Extensions.Configuration", "SecretStore.PostgreSql"];

    public TempDirectory Folder { get; } = new("ssb-walkthrough-");

    public string FeedDirectory => Folder.Combine("feed");

    /// <summary>The version build/pack.sh printed (and gave every package).</summary>
    public string Version { get; private set; } = string.Empty;

    /// <summary>What build/pack.sh printed, for failure messages.</summary>
    public string PackOutput { get; private set; } = string.Empty;

    /// <summary>
    /// The environment of every user command: this run's NuGet cache and its own .NET CLI home, as on a fresh machine.
    /// The CLI home matters: `dotnet tool run` remembers where it found each tool version (toolResolverCache), and
    /// an earlier run of the same commit would point it at that run's deleted cache.
    /// </summary>
    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?>
    {
        ["DOTNET_CLI_HOME"] = Folder.Combine("home"),
        ["NUGET_PACKAGES"] = Folder.Combine("nuget-packages"),
        ["NUGET_HTTP_CACHE_PATH"] = Folder.Combine("nuget-http-cache"),
    };

    public async Task InitializeAsync()
    {
        var pack = await ToolProcess.RunAsync(
            "bash",
            [RepositoryRoot.Combine("build", "pack.sh"), "--output", FeedDirectory, "--build-dir", Folder.Combine("pack-build")],
            RepositoryRoot.Path,
            TimeSpan.FromMinutes(10));
        PackOutput = pack.Output;
        if (!pack.Succeeded)
        {
            throw new InvalidOperationException("build/pack.sh failed: " + pack);
        }

        Version = pack.StandardOutput.TrimEnd().Split('\n')[^1].Trim();
        if (!SemVer().IsMatch(Version))
        {
            throw new InvalidOperationException($"build/pack.sh did not end with a version: {pack}");
        }
    }

    public Task DisposeAsync()
    {
        Folder.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>A fresh folder outside the repository for one test's apps.</summary>
    public string NewWorkspace(string name)
    {
        var path = Folder.Combine("work", name);
        Directory.CreateDirectory(path);
        return path;
    }

    [GeneratedRegex(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$")]
    private static partial Regex SemVer();
}

/// <summary>The walkthrough tests share one feed and run one after another (each publish uses both cores).</summary>
[CollectionDefinition(Name)]
public sealed class LocalFeedCollection : ICollectionFixture<LocalFeed>
{
    public const string Name = "Local feed";
}

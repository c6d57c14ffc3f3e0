using System.Globalization;

namespace SecretStore.Build.Tests.Infrastructure;

/// <summary>
/// Packs src/SecretStore.Build once per test run into a local folder feed, with a version no earlier run
/// used, so that a package cached by an earlier run can never stand in for the code under test.
/// </summary>
public sealed class PackageFeed : IAsyncLifetime
{
    public string RunDirectory { get; } = Path.Combine(Path.GetTempPath(), "secretstore-build-tests", Guid.NewGuid().ToString("N")[..12]);

    public string FeedDirectory => Path.Combine(RunDirectory, "feed");

    /// <summary>The global packages folder of this run: restores never touch the user's cache.</summary>
    public string PackagesDirectory => Path.Combine(RunDirectory, "packages");

    public string Version { get; } = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

    public string PackagePath => Path.Combine(FeedDirectory, $"SecretStore.Build.{Version}.nupkg");

    private int _projects;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(FeedDirectory);
        var pack = await DotNet.RunAsync(RepositoryPaths.Root,
        [
            // Its own artifacts folder: packing never rewrites the repository's bin/ and obj/, which other
            // test projects of the same `dotnet test` run may be using.
            "pack", RepositoryPaths.PackageProject, "-c", "Release", "-o", FeedDirectory,
            "--artifacts-path", Path.Combine(RunDirectory, "artifacts"), $"-p:Version={Version}", "-nodeReuse:false",
        ]);
        if (!pack.Succeeded || !File.Exists(PackagePath))
        {
            throw new InvalidOperationException($"Packing SecretStore.Build failed.{Environment.NewLine}{pack}");
        }
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(RunDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a finishing process; the temp folder is cleaned by the OS eventually.
        }

        return Task.CompletedTask;
    }

    /// <summary>A fresh folder for one test's projects and store.</summary>
    public string NewWorkDirectory(string name)
    {
        var path = Path.Combine(RunDirectory, $"{Interlocked.Increment(ref _projects):D2}-{name}");
        Directory.CreateDirectory(path);
        return path;
    }
}

/// <summary>All package tests share one packed feed and run one after another (publishes use both cores).</summary>
[CollectionDefinition(Name)]
public sealed class PackageCollection : ICollectionFixture<PackageFeed>
{
    public const string Name = "SecretStore.Build package";
}

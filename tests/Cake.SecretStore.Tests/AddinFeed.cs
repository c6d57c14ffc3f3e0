using System.Globalization;
using SecretStore.Testing.Processes;

namespace Cake.SecretStore.Tests;

/// <summary>
/// Packs src/Cake.SecretStore once per test run into a folder feed, with a version no earlier run used, so
/// Cake's addin cache can never hand back a stale build.
/// </summary>
public sealed class AddinFeed : IDisposable
{
    public AddinFeed()
    {
        RepositoryRoot = global::SecretStore.Testing.RepositoryRoot.Path;
        FeedDirectory = Directory.CreateTempSubdirectory("cake-secretstore-feed-").FullName;
        Version = "0.0.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
        var project = Path.Combine(RepositoryRoot, "src", "Cake.SecretStore", "Cake.SecretStore.csproj");
        // Its own artifacts folder: a pack with another Version rebuilds the engine with another assembly version,
        // which must never overwrite the repository's bin/ while other test projects run from it in parallel.
        ArtifactsDirectory = Directory.CreateTempSubdirectory("cake-secretstore-artifacts-").FullName;
        var result = ProcessRunner.Run("dotnet", ["pack", project, "-c", "Release", "-o", FeedDirectory, "--artifacts-path", ArtifactsDirectory, $"-p:Version={Version}", "-nologo", "-nodeReuse:false"], RepositoryRoot, TimeSpan.FromMinutes(5));
        if (result.ExitCode != 0 || !File.Exists(Path.Combine(FeedDirectory, $"Cake.SecretStore.{Version}.nupkg")))
        {
            throw new InvalidOperationException($"dotnet pack failed ({result.ExitCode}):\n{result.Output}");
        }
    }

    public string RepositoryRoot { get; }

    public string FeedDirectory { get; }

    /// <summary>Where the pack builds (never the repository's bin/ and obj/).</summary>
    public string ArtifactsDirectory { get; }

    public string Version { get; }

    /// <summary>The directive that loads this run's package from the folder feed.</summary>
    public string AddinDirective => $"#addin nuget:{new Uri(FeedDirectory + Path.DirectorySeparatorChar).AbsoluteUri}?package=Cake.SecretStore&version={Version}";

    public void Dispose()
    {
        Directory.Delete(FeedDirectory, recursive: true);
        Directory.Delete(ArtifactsDirectory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class CakeCollection : ICollectionFixture<AddinFeed>
{
    public const string Name = "Cake runner";
}

internal sealed record ProcessResult(int ExitCode, string Output);

/// <summary>The Cake tests' synchronous face of the shared <see cref="ToolProcess"/>: both streams, interleaved.</summary>
internal static class ProcessRunner
{
    public static ProcessResult Run(string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var variables = (environment ?? new Dictionary<string, string>()).ToDictionary(p => p.Key, p => (string?)p.Value, StringComparer.Ordinal);
        var result = ToolProcess.RunAsync(fileName, [.. arguments], workingDirectory, timeout, variables).GetAwaiter().GetResult();
        return new ProcessResult(result.ExitCode, result.Output);
    }
}

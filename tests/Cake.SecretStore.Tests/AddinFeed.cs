using System.Diagnostics;
using System.Globalization;

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

internal static class ProcessRunner
{
    public static ProcessResult Run(string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";

        // Plain text: ANSI colour codes would split values and names, and hide them from the assertions.
        info.Environment["NO_COLOR"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{fileName} did not start.");
        var output = new System.Text.StringBuilder();
        var sync = new object();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (sync) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (sync) { output.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} did not finish within {timeout}:\n{output}");
        }

        process.WaitForExit();
        lock (sync)
        {
            return new ProcessResult(process.ExitCode, output.ToString());
        }
    }
}

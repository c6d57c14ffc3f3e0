using SecretStore.Aws;
using System.Diagnostics;
using System.Globalization;
using SecretStore.Benchmarks.Support;
using SecretStore.Configuration;
using SecretStore.Resolution;
using SecretStore.Stores;

namespace SecretStore.Benchmarks.Tool;

/// <summary>
/// Where the time of one <c>secretstore resolve</c>-like run goes, phase by phase, first (cold: JIT, first
/// use) and second (warm) time in the same process: runtime start, keyring load, fetch + decrypt, resolver.
/// A profiling aid for docs/benchmarks.md; it prints timings only.
/// </summary>
public static class Phases
{
    /// <summary>Runs the phases over the files in <paramref name="folder"/> with the file store in <paramref name="storeDir"/>.</summary>
    public static async Task RunAsync(string folder, string storeDir, int resolverLoops = 0)
    {
        var sinceStart = DateTime.Now - Process.GetCurrentProcess().StartTime;
        Report("process start to Main (runtime + host)", sinceStart.TotalMilliseconds);
        var settings = new StoreSettings { FilePath = Path.Combine(storeDir, "secrets.json"), KeyringPath = Path.Combine(storeDir, "keyring") };
        var files = FileGlobs.Expand(folder, ["*.json", "*.config"]);
        for (var pass = 1; pass <= 2; pass++)
        {
            var watch = Stopwatch.StartNew();
            using var store = SecretStoreFactory.Default.Open(settings);
            Report($"pass {pass}: open store (keyring PEM import)", watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            var secrets = await store.GetManyAsync(BenchData.Ids(100));
            Report($"pass {pass}: get-many of {secrets.Count} (file read, {secrets.Count} signature checks, {secrets.Count} RSA unwraps, AES-GCM)", watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            var plain = new SecretResolver(new PlainSecretStore(secrets.Values.Select(s => (s.Name, s.Value))));
            var result = await plain.ResolveAsync(new ResolveRequest { Files = files, DefaultApplication = Workload.Application, Mode = ResolveMode.Verify });
            Report($"pass {pass}: resolver over {result.FilesScanned} files, {result.PlaceholderCount} placeholders (values in memory, no write)", watch.Elapsed.TotalMilliseconds);
            if (pass == 2 && resolverLoops > 0)
            {
                // A steady loop for a sampling profiler (dotnet-trace) to look at.
                watch.Restart();
                for (var i = 0; i < resolverLoops; i++)
                {
                    await plain.ResolveAsync(new ResolveRequest { Files = files, DefaultApplication = Workload.Application, Mode = ResolveMode.Verify });
                }

                Report($"resolver loop: {resolverLoops} runs, per run", watch.Elapsed.TotalMilliseconds / resolverLoops);
            }
        }
    }

    private static void Report(string what, double milliseconds) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{milliseconds,8:0.0} ms  {what}"));
}

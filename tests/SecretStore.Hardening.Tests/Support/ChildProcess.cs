using SecretStore.Aws;
using SecretStore.Configuration;
using SecretStore.Resolution;
using SecretStore.Stores;

namespace SecretStore.Hardening.Tests.Support;

/// <summary>
/// Commands a test runs in a child process of this assembly (<c>dotnet SecretStore.Hardening.Tests.dll &lt;command&gt; ...</c>),
/// so that it can be killed with SIGKILL mid-way.
/// </summary>
public static class ChildProcess
{
    public const string Resolve = "resolve";

    /// <summary>Marker the child prints once it is about to resolve (start-up is done).</summary>
    public const string Ready = "ready";

    /// <summary>Marker the child prints when the resolver is about to write files (values fetched, files rendered).</summary>
    public const string Writing = "writing";

    /// <summary>Prefix of the marker the child prints when it has paused at the requested write-phase step.</summary>
    public const string Paused = "paused";

    /// <summary>Pause after the k-th temp file is written (no target replaced yet).</summary>
    public const string AfterTemps = "temps";

    /// <summary>Pause before the rename that would replace a target when k targets are already replaced.</summary>
    public const string BeforeRename = "renames";

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is [Resolve, var keyring, var store, var folder, .. var pause] && pause.Length is 0 or 2)
        {
            // What `secretstore resolve` does: one file store, one engine call over every file of the folder.
            using var secrets = SecretStoreFactory.Default.Open(new StoreSettings { FilePath = store, KeyringPath = keyring });
            var files = Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal).ToList();
            await Console.Out.WriteLineAsync(Ready);
            await Console.Out.FlushAsync();
            var result = await new SecretResolver(secrets).ResolveAsync(new ResolveRequest
            {
                Files = files,
                DefaultApplication = "acme-web",
                BeforeWrite = _ =>
                {
                    Console.Out.WriteLine(Writing);
                    Console.Out.Flush();
                },
                Probe = pause is [var step, var count] ? PauseAt(step, int.Parse(count, System.Globalization.CultureInfo.InvariantCulture)) : null,
            });
            return result.Succeeded ? 0 : 1;
        }

        await Console.Error.WriteLineAsync("usage: SecretStore.Hardening.Tests.dll resolve <keyring> <store file> <folder> [temps|renames <k>]");
        return 2;
    }

    /// <summary>
    /// Stops the write phase at a known step and says so on stdout, then waits to be killed: the test kills at exactly
    /// that point instead of guessing with a timer (which on a loaded machine lands anywhere, or after the end).
    /// </summary>
    private static WritePhaseProbe PauseAt(string step, int k)
    {
        void Hold(string target, int count)
        {
            Console.Out.WriteLine($"{Paused} {step} {count} {Path.GetFileName(target)}");
            Console.Out.Flush();
            Thread.Sleep(Timeout.Infinite);
        }

        return step switch
        {
            AfterTemps => new WritePhaseProbe { TempWritten = (target, temps) => { if (temps == k) { Hold(target, temps); } } },
            BeforeRename => new WritePhaseProbe { Committing = (target, replaced) => { if (replaced == k) { Hold(target, replaced); } } },
            _ => throw new ArgumentException($"Unknown write-phase step '{step}'.", nameof(step)),
        };
    }
}

using System.Diagnostics;
using System.Text;
using SecretStore.Hardening.Tests.Support;
using SecretStore.Secrets;
using Xunit.Abstractions;

namespace SecretStore.Hardening.Tests.Kill;

/// <summary>
/// A resolver process over 100 files killed with SIGKILL at random points: each file is afterwards either its old
/// bytes or its complete new bytes, never a mix or a truncation. Leftovers a kill cannot clean up are only the
/// owner-only temporary files beside the targets.
/// </summary>
public sealed class KillDuringResolveTests(KeyringFixture keyring, ITestOutputHelper output) : IClassFixture<KeyringFixture>, IDisposable
{
    private const int FileCount = 100;
    private const int Kills = 9;
    private const string Value = "kill-canary Password=\"p<&>\" 0123456789";
    private readonly TempTree _tree = new();
    private bool _cli;

    public void Dispose() => _tree.Dispose();

    [Theory]
    [InlineData("engine")]
    [InlineData("cli")]
    public async Task Every_file_is_old_or_complete_new_bytes_after_SIGKILL_at_random_points(string host)
    {
        _cli = host == "cli";
        var storePath = Path.Combine(_tree.Path, "secrets.json");
        using (var store = keyring.OpenFileStore(storePath))
        {
            await store.SetAsync(new SecretId("acme-web", "Db"), Value);
        }

        var folder = Path.Combine(_tree.Path, "publish");
        var reference = Path.Combine(_tree.Path, "reference");
        var old = WriteTemplates(folder);
        WriteTemplates(reference);
        var fullRun = await RunChildAsync(reference, storePath, killAfter: null);
        var expected = Directory.GetFiles(reference, "*.json").ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
        Assert.All(expected, e => Assert.NotEqual(old[e.Key], e.Value));

        var random = new Random(8);
        int allOld = 0, allNew = 0, mixed = 0, leftovers = 0;
        for (var kill = 0; kill < Kills; kill++)
        {
            // Half the runs start from the old files, half from what the previous kill left (a retried build).
            if (kill % 2 == 0)
            {
                RestoreTemplates(folder, old);
            }

            // Three kinds of kill point: a random time into the write phase, after k temp files exist (writing), and
            // after the renames have started (committing: temp files going away again).
            var k = random.Next(1, FileCount + 1);
            var seenAll = false;
            Func<string, bool>? killWhen = (kill % 3) switch
            {
                0 => null,
                1 => temps => Temps(temps) >= k,
                _ => temps =>
                {
                    var count = Temps(temps);
                    seenAll |= count == FileCount;
                    return seenAll && count < FileCount;
                },
            };
            var delay = kill % 3 == 0 ? TimeSpan.FromMilliseconds(random.Next(0, (int)fullRun.TotalMilliseconds + 1)) : TimeSpan.MaxValue;
            await RunChildAsync(folder, storePath, delay, killWhen);

            int newer = 0;
            foreach (var (name, oldBytes) in old)
            {
                var bytes = File.ReadAllBytes(Path.Combine(folder, name));
                var isOld = bytes.AsSpan().SequenceEqual(oldBytes);
                var isNew = bytes.AsSpan().SequenceEqual(expected[name]);
                Assert.True(isOld || isNew, $"kill {kill} after {delay.TotalMilliseconds} ms: {name} is neither the old nor the complete new bytes");
                newer += isNew ? 1 : 0;
            }

            var temps = Directory.GetFiles(folder).Where(f => !old.ContainsKey(Path.GetFileName(f))).ToList();
            Assert.All(temps, t => Assert.Matches(@"^\.f\d{3}\.json\.[0-9a-f]{32}\.tmp$", Path.GetFileName(t)));
            foreach (var temp in temps)
            {
                // Resolved content before its rename: owner-only, like the store file.
                if (!OperatingSystem.IsWindows())
                {
                    Assert.Equal(UnixFileMode.None, OwnerOnlyViolations(temp));
                }
            }

            leftovers = temps.Count;
            if (newer == 0)
            {
                allOld++;
            }
            else if (newer == FileCount)
            {
                allNew++;
            }
            else
            {
                mixed++;
            }
        }

        // The next complete run leaves every file resolved and removes what the killed runs left behind.
        await RunChildAsync(folder, storePath, killAfter: null);
        Assert.All(expected, e => Assert.Equal(e.Value, File.ReadAllBytes(Path.Combine(folder, e.Key))));
        Assert.Equal(FileCount, Directory.GetFiles(folder).Length);
        output.WriteLine($"{host}: write phase {fullRun.TotalMilliseconds:F0} ms; {Kills} kills: {allOld} all old, {allNew} all new, {mixed} mixed; {leftovers} temp files left by the last kill, 0 after the next complete run");
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static UnixFileMode OwnerOnlyViolations(string path) =>
        File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead);

    private static Dictionary<string, byte[]> WriteTemplates(string folder)
    {
        Directory.CreateDirectory(folder);
        var files = new Dictionary<string, byte[]>();
        for (var i = 0; i < FileCount; i++)
        {
            // ~60 KB each, so that writing and syncing 100 of them takes a while.
            var text = new StringBuilder("{\n  \"ConnectionStrings\": { \"Db\": \"#{secret:Db}\" },\n  \"Padding\": [\n");
            for (var line = 0; line < 1500; line++)
            {
                text.Append($"    \"file {i} line {line} ........................\",\n");
            }

            text.Append("    \"end\"\n  ]\n}\n");
            var name = $"f{i:000}.json";
            files[name] = Encoding.UTF8.GetBytes(text.ToString());
            File.WriteAllBytes(Path.Combine(folder, name), files[name]);
        }

        return files;
    }

    private static void RestoreTemplates(string folder, Dictionary<string, byte[]> files)
    {
        foreach (var (name, bytes) in files)
        {
            File.WriteAllBytes(Path.Combine(folder, name), bytes);
        }
    }

    private static int Temps(string folder) => Directory.EnumerateFiles(folder, ".*.tmp").Count();

    private async Task<TimeSpan> RunChildAsync(string folder, string storePath, TimeSpan? killAfter, Func<string, bool>? killWhen = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        // engine: this assembly as a child host around one SecretResolver call; cli: `secretstore resolve` itself.
        string[] arguments = _cli
            ? [Support.Cli.Dll, "resolve", "*.json", "--app", "acme-web", "--store", "file:" + storePath, "--keyring", keyring.KeyringPath]
            : [typeof(ChildProcess).Assembly.Location, ChildProcess.Resolve, keyring.KeyringPath, storePath, folder];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("SECRETSTORE_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        using var child = Process.Start(start)!;
        var stderr = child.StandardError.ReadToEndAsync();
        if (!_cli)
        {
            // Time from "writing" (values fetched, outputs rendered): the window in which files are written.
            Assert.Equal(ChildProcess.Ready, await child.StandardOutput.ReadLineAsync());
            Assert.Equal(ChildProcess.Writing, await child.StandardOutput.ReadLineAsync());
        }
        else
        {
            // The CLI prints the written files at the end; drain stdout so it never blocks. Time counts from start.
            _ = child.StandardOutput.ReadToEndAsync();
        }

        var watch = Stopwatch.StartNew();
        if (killAfter is { } delay)
        {
            while (!child.HasExited && watch.Elapsed < delay && !(killWhen?.Invoke(folder) ?? false))
            {
                // Spin while a folder predicate decides (renames take microseconds); sleep for a timed kill.
                if (killWhen is null)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(1));
                }
                else
                {
                    await Task.Yield();
                }
            }

            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
            return watch.Elapsed;
        }

        await child.WaitForExitAsync();
        Assert.True(child.ExitCode == 0, $"child exit {child.ExitCode}: {await stderr}");
        return watch.Elapsed;
    }
}

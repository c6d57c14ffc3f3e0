using System.Diagnostics;
using System.Text;
using SecretStore.Hardening.Tests.Support;
using SecretStore.Secrets;
using Xunit.Abstractions;

namespace SecretStore.Hardening.Tests.Kill;

/// <summary>
/// A resolver process over 100 files killed with SIGKILL inside its write phase: each file is afterwards either its
/// old bytes or its complete new bytes, never a mix or a truncation; before the first rename no target is replaced
/// at all. Leftovers a kill cannot clean up are only the owner-only temporary files beside the targets.
/// </summary>
public sealed class KillDuringResolveTests(KeyringFixture keyring, ITestOutputHelper output) : IClassFixture<KeyringFixture>, IDisposable
{
    private const int FileCount = 100;
    private const string Value = "kill-canary Password=\"p<&>\" 0123456789";
    private readonly TempDirectory _tree = new();

    // Where the engine host pauses before it is killed: after k temp files (nothing renamed yet), or before the rename
    // that follows k renames. The last two start from what the previous kill left (a retried build).
    private static readonly (string Step, int K, bool Retry)[] EnginePlan =
    [
        (ChildProcess.AfterTemps, 1, false), (ChildProcess.AfterTemps, 50, false), (ChildProcess.AfterTemps, FileCount, false),
        (ChildProcess.BeforeRename, 0, false), (ChildProcess.BeforeRename, 1, false), (ChildProcess.BeforeRename, 50, false),
        (ChildProcess.BeforeRename, FileCount - 1, false), (ChildProcess.AfterTemps, 1, true), (ChildProcess.BeforeRename, 0, true),
    ];

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task Engine_killed_at_known_write_phase_steps_replaces_no_target_before_the_renames_and_each_kill_landed()
    {
        var (storePath, folder, old, expected) = await PrepareAsync(cli: false);
        int landedWriting = 0, landedRenaming = 0, mixedBeforeRenames = 0;
        foreach (var (step, k, retry) in EnginePlan)
        {
            if (!retry)
            {
                RestoreTemplates(folder, old);
            }

            var before = old.Keys.ToDictionary(name => name, name => File.ReadAllBytes(Path.Combine(folder, name)));
            var pending = before.Where(f => !f.Value.AsSpan().SequenceEqual(expected[f.Key])).Select(f => f.Key).Order(StringComparer.Ordinal).ToList();
            var tempsBefore = Temps(folder);
            var paused = await RunChildAsync(folder, storePath, cli: false, pause: (step, k));

            // The child stopped exactly where asked and was killed there: the kill landed inside the write phase.
            var target = pending[Math.Min(step == ChildProcess.AfterTemps ? k - 1 : k, pending.Count - 1)];
            Assert.Equal($"{ChildProcess.Paused} {step} {k} {target}", paused);
            var replaced = AssertOldOrNew(folder, old, expected, $"{step} {k}").Where(n => !before[n].AsSpan().SequenceEqual(expected[n])).ToList();
            if (step == ChildProcess.AfterTemps)
            {
                landedWriting++;
                mixedBeforeRenames += replaced.Count > 0 ? 1 : 0;
                Assert.Equal(tempsBefore + k, Temps(folder));
            }
            else
            {
                landedRenaming++;
                Assert.Equal(pending.Take(k), replaced);
                Assert.Equal(tempsBefore + pending.Count - k, Temps(folder));
            }

            AssertLeftoversOwnerOnly(folder, old);
        }

        Assert.Equal((EnginePlan.Count(p => p.Step == ChildProcess.AfterTemps), EnginePlan.Count(p => p.Step == ChildProcess.BeforeRename)), (landedWriting, landedRenaming));
        Assert.True(landedWriting >= 4 && landedRenaming >= 4, $"{landedWriting} kills while writing temps, {landedRenaming} while renaming");
        Assert.Equal(0, mixedBeforeRenames);

        await AssertNextCompleteRunResolvesEverythingAsync(folder, storePath, expected, cli: false);
        output.WriteLine($"engine: {landedWriting} kills while temps were written (all old every time), {landedRenaming} between renames (exactly the renamed files new)");
    }

    [Fact]
    public async Task Cli_killed_while_temps_exist_or_renames_run_leaves_every_file_old_or_complete_new()
    {
        // `secretstore resolve` itself has no seam to pause in (the engine test above pins the landing points), so
        // the kill follows what the folder shows: k temp files exist, or renames have begun. Each run is checked.
        var (storePath, folder, old, expected) = await PrepareAsync(cli: true);
        var random = new Random(8);
        int allOld = 0, allNew = 0, partial = 0;
        for (var kill = 0; kill < 6; kill++)
        {
            if (kill % 2 == 0)
            {
                RestoreTemplates(folder, old);
            }

            var k = random.Next(1, FileCount + 1);
            var seenAll = false;
            Func<string, bool> killWhen = (kill % 2) == 0
                ? temps => Temps(temps) >= k
                : temps =>
                {
                    var count = Temps(temps);
                    seenAll |= count == FileCount;
                    return seenAll && count < FileCount;
                };
            await RunChildAsync(folder, storePath, cli: true, killWhen: killWhen);
            var newer = AssertOldOrNew(folder, old, expected, $"cli kill {kill}").Count;
            AssertLeftoversOwnerOnly(folder, old);
            (allOld, allNew, partial) = newer switch
            {
                0 => (allOld + 1, allNew, partial),
                FileCount => (allOld, allNew + 1, partial),
                _ => (allOld, allNew, partial + 1),
            };
        }

        await AssertNextCompleteRunResolvesEverythingAsync(folder, storePath, expected, cli: true);
        output.WriteLine($"cli: 6 kills: {allOld} all old, {allNew} all new, {partial} during the renames");
    }

    private async Task<(string StorePath, string Folder, Dictionary<string, byte[]> Old, Dictionary<string, byte[]> Expected)> PrepareAsync(bool cli)
    {
        var storePath = Path.Combine(_tree.Path, "secrets.json");
        using (var store = keyring.OpenFileStore(storePath))
        {
            await store.SetAsync(new SecretId("acme-web", "Db"), Value);
        }

        var folder = Path.Combine(_tree.Path, "publish");
        var reference = Path.Combine(_tree.Path, "reference");
        var old = WriteTemplates(folder);
        WriteTemplates(reference);
        await RunChildAsync(reference, storePath, cli);
        var expected = Directory.GetFiles(reference, "*.json").ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
        Assert.All(expected, e => Assert.NotEqual(old[e.Key], e.Value));
        return (storePath, folder, old, expected);
    }

    /// <summary>Asserts each file is its old or its complete new bytes; returns the names of the new ones.</summary>
    private static List<string> AssertOldOrNew(string folder, Dictionary<string, byte[]> old, Dictionary<string, byte[]> expected, string when)
    {
        var newer = new List<string>();
        foreach (var (name, oldBytes) in old.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var bytes = File.ReadAllBytes(Path.Combine(folder, name));
            var isNew = bytes.AsSpan().SequenceEqual(expected[name]);
            Assert.True(isNew || bytes.AsSpan().SequenceEqual(oldBytes), $"{when}: {name} is neither the old nor the complete new bytes");
            if (isNew)
            {
                newer.Add(name);
            }
        }

        return newer;
    }

    private static void AssertLeftoversOwnerOnly(string folder, Dictionary<string, byte[]> old)
    {
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
    }

    private async Task AssertNextCompleteRunResolvesEverythingAsync(string folder, string storePath, Dictionary<string, byte[]> expected, bool cli)
    {
        // The next complete run leaves every file resolved and removes what the killed runs left behind.
        await RunChildAsync(folder, storePath, cli);
        Assert.All(expected, e => Assert.Equal(e.Value, File.ReadAllBytes(Path.Combine(folder, e.Key))));
        Assert.Equal(FileCount, Directory.GetFiles(folder).Length);
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

    /// <summary>
    /// Runs one resolve in a child process. With <paramref name="pause"/> (engine host only) the child stops at that
    /// write-phase step and is killed there; returns its pause marker. With <paramref name="killWhen"/> it is killed
    /// as soon as the folder satisfies the predicate. Otherwise it must run to the end and succeed.
    /// </summary>
    private async Task<string?> RunChildAsync(string folder, string storePath, bool cli, (string Step, int K)? pause = null, Func<string, bool>? killWhen = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        // engine: this assembly as a child host around one SecretResolver call; cli: `secretstore resolve` itself.
        string[] arguments = cli
            ? [Support.Cli.Dll, "resolve", "*.json", "--app", "acme-web", "--store", "file:" + storePath, "--keyring", keyring.KeyringPath]
            : [typeof(ChildProcess).Assembly.Location, ChildProcess.Resolve, keyring.KeyringPath, storePath, folder, .. pause is { } p ? new[] { p.Step, p.K.ToString(System.Globalization.CultureInfo.InvariantCulture) } : []];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("SECRETSTORE_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        using var child = Process.Start(start)!;
        try
        {
            var stderr = child.StandardError.ReadToEndAsync();
            string? paused = null;
            if (!cli)
            {
                Assert.Equal(ChildProcess.Ready, await child.StandardOutput.ReadLineAsync());
                Assert.Equal(ChildProcess.Writing, await child.StandardOutput.ReadLineAsync());
                if (pause is not null)
                {
                    // An event, not a timer: the line comes when the child has reached the step (null if it never does).
                    paused = await child.StandardOutput.ReadLineAsync();
                    if (paused is null)
                    {
                        // Only now: stderr ends when the child does, and a paused child does not end by itself.
                        Assert.Fail($"the child ended without pausing at {pause}: {await stderr}");
                    }
                }
            }
            else
            {
                // The CLI prints the written files at the end; drain stdout so it never blocks.
                _ = child.StandardOutput.ReadToEndAsync();
            }

            if (killWhen is not null)
            {
                // Spin while the folder predicate decides (renames take microseconds).
                while (!child.HasExited && !killWhen(folder))
                {
                    await Task.Yield();
                }
            }

            if (pause is not null || killWhen is not null)
            {
                child.Kill(entireProcessTree: true);
                await child.WaitForExitAsync();
                return paused;
            }

            await child.WaitForExitAsync();
            Assert.True(child.ExitCode == 0, $"child exit {child.ExitCode}: {await stderr}");
            return null;
        }
        finally
        {
            // A failed assertion must not leave a paused child behind (it would hold the test host open).
            if (!child.HasExited)
            {
                child.Kill(entireProcessTree: true);
            }
        }
    }
}

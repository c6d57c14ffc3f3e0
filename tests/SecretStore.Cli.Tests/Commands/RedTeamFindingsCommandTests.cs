using SecretStore.Cli.Tests.Infrastructure;

namespace SecretStore.Cli.Tests.Commands;

/// <summary>
/// Attacks a red team made against the installed tool, with only the tool and docs/security.md in hand, that
/// worked before their fixes. Each test replays one of them through the real tool process.
/// </summary>
public sealed class RedTeamFindingsCommandTests : IDisposable
{
    private const UnixFileMode File644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private readonly FileStoreSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task A_reader_secret_passed_where_the_variable_name_belongs_is_refused_with_SSB0003_without_repeating_it()
    {
        await _sandbox.SetAsync("shop/Db", "db-password-5e1d");
        var export = await _sandbox.RunAsync("keys", "export-reader", _sandbox.KeyringPath);
        Assert.True(export.ExitCode == 0, export.ToString());
        var readerSecret = export.Stdout.Trim();

        // `--private-key-env "$READER_KEY"` instead of `--private-key-env READER_KEY`: the error used to quote it whole.
        var get = await _sandbox.RunAsync("get", "shop/Db", "--private-key-env", readerSecret);

        Assert.NotEqual(0, get.ExitCode);
        Assert.Contains("error SSB0003", get.Stderr, StringComparison.Ordinal);
        var body = readerSecret.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => !line.StartsWith("-----", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(body);
        foreach (var line in body)
        {
            Assert.DoesNotContain(line[..Math.Min(24, line.Length)], get.Stderr + get.Stdout, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("SECRETSTORE READER KEY", get.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Set_and_resolve_under_umask_000_write_the_store_and_the_report_644_and_the_lock_600()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var store = _sandbox.Folder.Combine("new-store.json");
        var set = await CliProcess.RunProcessAsync(
            "/bin/sh",
            ["-c", "umask 000 && printf '%s' value-4c2a | exec \"$0\" \"$@\"", CliProcess.DotnetHost, CliProcess.CliDll, "set", "shop/Db", "--store", "file:" + store, "--keyring", _sandbox.KeyringPath],
            _sandbox.Folder.Path);
        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Equal(File644, File.GetUnixFileMode(store));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store + ".lock"));

        File.WriteAllText(_sandbox.Folder.Combine("appsettings.json"), "{\"Db\":\"#{secret:shop/Db}\"}");
        var report = _sandbox.Folder.Combine("report.json");
        var resolve = await CliProcess.RunProcessAsync(
            "/bin/sh",
            ["-c", "umask 000 && exec \"$0\" \"$@\"", CliProcess.DotnetHost, CliProcess.CliDll, "resolve", "appsettings.json", "--store", "file:" + store, "--keyring", _sandbox.KeyringPath, "--report", report],
            _sandbox.Folder.Path);
        Assert.True(resolve.ExitCode == 0, resolve.ToString());
        Assert.Equal(File644, File.GetUnixFileMode(report));
    }

    [Fact]
    public async Task A_local_user_who_may_only_read_the_store_cannot_hold_its_lock_and_block_every_writer()
    {
        // Red team: the lock was 644 and flock works on a descriptor opened for reading, so any local user could
        // hold it (`flock -s store.json.lock sleep …`) and every set failed after 30 s with SSB2005.
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists("/usr/bin/setpriv") || !File.Exists("/usr/bin/flock"))
        {
            return;
        }

        File.SetUnixFileMode(_sandbox.Folder.Path, (UnixFileMode)0b111_101_101);
        var folder = _sandbox.Folder.Combine("shared");
        Directory.CreateDirectory(folder);
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        var store = Path.Combine(folder, "secrets.json");
        var set = await _sandbox.RunWithInputAsync("value-9e1f", "set", "shop/Db", "--store", "file:" + store);
        Assert.True(set.ExitCode == 0, set.ToString());

        // A lock left readable by an earlier version is narrowed by the next writer, too.
        File.SetUnixFileMode(store + ".lock", File644);
        var again = await _sandbox.RunWithInputAsync("value-0b7d", "set", "shop/Db", "--store", "file:" + store);
        Assert.True(again.ExitCode == 0, again.ToString());

        var hold = await CliProcess.RunProcessAsync(
            "/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/flock", "--nonblock", "--shared", store + ".lock", "true"], folder);
        var read = await CliProcess.RunProcessAsync(
            "/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "/bin/cat", store], folder);

        Assert.True(read.ExitCode == 0, "control: the other user can read the store: " + read);
        Assert.True(hold.ExitCode != 0, "the other user could take the lock: " + hold);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store + ".lock"));
    }
}

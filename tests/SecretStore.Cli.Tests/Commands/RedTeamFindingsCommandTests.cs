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
    [Theory]
    [InlineData("true", "True")]
    [InlineData("false", "True")]
    [InlineData("true", "true")]
    public async Task Variables_of_both_CI_systems_make_get_and_resolve_refuse_with_SSB0007_before_reading_any_value(string githubActions, string tfBuild)
    {
        // Red team (RT.10): an earlier Azure step set GITHUB_ACTIONS=true, the tool masked for GitHub, and the Azure
        // log showed "::add-mask::<value>" in clear. No order of the two systems' commands is safe for both.
        const string Value = "CnryRT-both-ci-61";
        await _sandbox.SetAsync("shop/Db", Value);
        var json = _sandbox.Folder.Write("app.json", "{\"a\":\"#{secret:shop/Db}\"}");
        var both = new Dictionary<string, string> { ["GITHUB_ACTIONS"] = githubActions, ["TF_BUILD"] = tfBuild };

        var resolve = await _sandbox.RunWithEnvironmentAsync(both, "resolve", "app.json");
        var get = await _sandbox.RunWithEnvironmentAsync(both, "get", "shop/Db");

        foreach (var result in new[] { resolve, get })
        {
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("error SSB0007: Both GITHUB_ACTIONS and TF_BUILD are set, so it is unknown which CI system reads the mask commands;", result.Stderr, StringComparison.Ordinal);
            Assert.Empty(result.StdoutBytes);
            ValueScanner.AssertNoValue(result, Value);
        }

        Assert.Equal("{\"a\":\"#{secret:shop/Db}\"}", File.ReadAllText(json));

        // Either variable alone still masks for its system; verify and required read no value and still run.
        var verify = await _sandbox.RunWithEnvironmentAsync(both, "verify", "app.json");
        Assert.True(verify.ExitCode == 0, verify.ToString());
    }

    [Fact]
    public async Task Init_and_keys_init_under_umask_000_write_the_settings_file_and_each_gitignore_644_and_the_next_command_accepts_them()
    {
        // Red team (RT.11): they were 666, so any local user could drop *.private.pem from a .gitignore, and the
        // tool refused its own world-writable secretstore.json (SSB1021) on the next command.
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var project = _sandbox.Folder.Combine("project");
        Directory.CreateDirectory(project);
        var init = await CliProcess.RunProcessAsync("/bin/sh", ["-c", "umask 000 && exec \"$0\" \"$@\"", CliProcess.DotnetHost, CliProcess.CliDll, "init"], project);
        var keys = await CliProcess.RunProcessAsync("/bin/sh", ["-c", "umask 000 && exec \"$0\" \"$@\"", CliProcess.DotnetHost, CliProcess.CliDll, "keys", "init", "other-keyring"], project);

        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.True(keys.ExitCode == 0, keys.ToString());
        foreach (var file in new[] { "secretstore.json", ".secretstore/.gitignore", "other-keyring/.gitignore" })
        {
            Assert.True(File644 == File.GetUnixFileMode(Path.Combine(project, file)), $"{file}: {File.GetUnixFileMode(Path.Combine(project, file))}");
        }

        var set = await CliProcess.RunProcessAsync("/bin/sh", ["-c", "printf '%s' value-umask-7 | exec \"$0\" \"$@\"", CliProcess.DotnetHost, CliProcess.CliDll, "set", "App/A"], project);
        Assert.True(set.ExitCode == 0, set.ToString());
    }

    [Fact]
    public async Task DOTNET_STARTUP_HOOKS_set_by_an_earlier_step_is_ignored_so_no_foreign_code_runs_in_the_tool()
    {
        // Red team (RT.12): an exported DOTNET_STARTUP_HOOKS ran the attacker's assembly inside get/resolve, next to the
        // reader secret and the values. With hooks on, the runtime loads the named assembly before Main, so a missing
        // one crashes the process; with them off (StartupHookSupport=false) the variable is ignored.
        await _sandbox.SetAsync("shop/Db", "value-hooks-3");

        var get = await _sandbox.RunWithEnvironmentAsync(new Dictionary<string, string> { ["DOTNET_STARTUP_HOOKS"] = _sandbox.Folder.Combine("hook.dll") }, "get", "shop/Db");

        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal("value-hooks-3", get.Stdout);
        Assert.DoesNotContain("Startup hook", get.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, "SSB0001", "")]
    [InlineData(1, "SSB1009", "*.json", "!*.json")]
    [InlineData(1, "SSB1009", "app.json", "!app.json")]
    [InlineData(2, "SSB0001", "!app.json")]
    public async Task A_file_list_that_finds_nothing_to_resolve_fails_instead_of_exiting_0_with_a_warning(int exitCode, string code, params string[] files)
    {
        // Red team (RT.13): an empty argument (an unset $FILES), exclusions only, or exclusions that take away every
        // file exited 0 with warning SSB1023, so a publish shipped its placeholders with a green step.
        await _sandbox.SetAsync("shop/Db", "value-nothing-5");
        var json = _sandbox.Folder.Write("app.json", "{\"a\":\"#{secret:shop/Db}\"}");

        var result = await _sandbox.RunAsync(["resolve", .. files]);

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Contains($"error {code}: ", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("SSB1023", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.StdoutBytes);
        Assert.Equal("{\"a\":\"#{secret:shop/Db}\"}", File.ReadAllText(json));
    }

    [Theory]
    [InlineData("resolve", "app.json", "--map", "a=CnryRT-23/x/")]
    [InlineData("resolve", "app.json", "--CnryRT-23")]
    [InlineData("verify", "--CnryRT-23", "app.json")]
    public async Task A_bad_map_or_an_unknown_option_in_the_file_list_is_a_usage_error_that_does_not_repeat_the_text(params string[] args)
    {
        // Red team (RT.14): both were quoted (a mapping's secret in the resolver's error, an unknown option as a
        // missing file in SSB1009) and exited 1.
        _sandbox.Folder.Write("app.json", "{\"a\":\"x\"}");

        var result = await _sandbox.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error SSB0001: ", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("CnryRT-23", result.Stderr + result.Stdout, StringComparison.Ordinal);
    }
    [Fact]
    public async Task A_report_path_that_is_a_dangling_link_is_replaced_by_the_report_instead_of_failing_after_the_files_were_written()
    {
        // Red team (RT.15): --report at a dangling symbolic link was SSB1015 (FileNotFoundException) after the targets
        // had been written: exit 1 with the files changed.
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await _sandbox.SetAsync("shop/Db", "value-report-link-9");
        var json = _sandbox.Folder.Write("app.json", "{\"a\":\"#{secret:shop/Db}\"}");
        var report = _sandbox.Folder.Combine("report.json");
        var nowhere = _sandbox.Folder.Combine("nowhere", "target.json");
        File.CreateSymbolicLink(report, nowhere);

        var result = await _sandbox.RunAsync("resolve", "app.json", "--report", report);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Null(new FileInfo(report).LinkTarget);
        Assert.Contains("\"succeeded\": true", File.ReadAllText(report), StringComparison.Ordinal);
        Assert.False(File.Exists(nowhere));
        Assert.Equal("{\"a\":\"value-report-link-9\"}", File.ReadAllText(json));
    }
}

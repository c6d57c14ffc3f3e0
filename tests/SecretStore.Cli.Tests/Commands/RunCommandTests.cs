using System.Diagnostics;
using System.Text;
using SecretStore.Cli.Tests.Ci;
using SecretStore.Cli.Tests.Infrastructure;
using SecretStore.Testing.Keyrings;
using SecretStore.Testing.Processes;
using SecretStore.Variables;

namespace SecretStore.Cli.Tests.Commands;

/// <summary><c>secretstore run</c> with a real child process (<see cref="EnvProbe"/>), from the file store.</summary>
public sealed class RunCommandTests : IDisposable
{
    private const string DbValue = "Server=db;Password=it's \"$x\" \\ ;]%\nsecond line";
    private const string TokenValue = "tok-Cnry-12345";
    private readonly FileStoreSandbox _sandbox = new();
    private readonly EnvProbe _probe;

    public RunCommandTests()
    {
        var folder = _sandbox.Folder.Combine("probe");
        Directory.CreateDirectory(folder);
        _probe = new EnvProbe(folder);
    }

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task The_child_gets_every_secret_of_the_app_under_the_dotnet_name_and_run_exits_with_its_exit_code()
    {
        await SeedAsync();

        var run = await _sandbox.RunAsync(["run", "--app", "shop", "--", .. _probe.Command("exit:7", "ConnectionStrings__Default", "Api__Token")]);

        Assert.True(run.ExitCode == 7, run.ToString());
        Assert.Equal(EnvProbe.Hash(DbValue), EnvProbe.Reported(run.Stdout, "ConnectionStrings__Default"));
        Assert.Equal(EnvProbe.Hash(TokenValue), EnvProbe.Reported(run.Stdout, "Api__Token"));
        ValueScanner.AssertNoValue(run, DbValue, TokenValue);
    }

    [Fact]
    public async Task Map_and_prefix_choose_names_and_pristine_keeps_only_the_documented_set_and_the_secrets()
    {
        await SeedAsync();

        var run = await _sandbox.RunAsync(["run", "--pristine", "--map", "DB=shop/ConnectionStrings.Default", "--app", "shop", "--prefix", "SHOP_", "--", .. _probe.Command("exit:0", "DB", "SHOP_Api__Token", "SECRETSTORE_STORE")]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(EnvProbe.Hash(DbValue), EnvProbe.Reported(run.Stdout, "DB"));
        Assert.Equal(EnvProbe.Hash(TokenValue), EnvProbe.Reported(run.Stdout, "SHOP_Api__Token"));
        Assert.Equal("unset", EnvProbe.Reported(run.Stdout, "SECRETSTORE_STORE"));
        var names = EnvProbe.Names(run.Stdout);
        Assert.Subset(new HashSet<string>([.. ChildEnvironment.PristineNames, "DB", "SHOP_Api__Token", "SHOP_ConnectionStrings__Default"]), names.ToHashSet());
        Assert.Contains("PATH", names);
    }

    [Fact]
    public async Task A_secret_replaces_a_variable_that_is_set_with_warning_SSB4005_and_no_clobber_keeps_the_variable()
    {
        await SeedAsync();
        var preset = new Dictionary<string, string> { ["Api__Token"] = "from-the-caller" };

        var replaced = await _sandbox.RunWithEnvironmentAsync(preset, ["run", "--app", "shop", "--", .. _probe.Command("exit:0", "Api__Token")]);
        var kept = await _sandbox.RunWithEnvironmentAsync(preset, ["run", "--app", "shop", "--no-clobber", "--", .. _probe.Command("exit:0", "Api__Token")]);

        Assert.Equal(EnvProbe.Hash(TokenValue), EnvProbe.Reported(replaced.Stdout, "Api__Token"));
        Assert.Contains("warning SSB4005: Variable 'Api__Token' is already set; secret 'shop/Api.Token' replaces it", replaced.Stderr, StringComparison.Ordinal);
        Assert.Equal(EnvProbe.Hash("from-the-caller"), EnvProbe.Reported(kept.Stdout, "Api__Token"));
        Assert.Contains("--no-clobber keeps it", kept.Stderr, StringComparison.Ordinal);
        ValueScanner.AssertNoValue(replaced, TokenValue, "from-the-caller");
    }

    [Fact]
    public async Task A_missing_secret_fails_before_the_child_starts_and_strict_false_starts_it_with_warning_SSB4007()
    {
        await SeedAsync();

        var strict = await _sandbox.RunAsync(["run", "--map", "DB=shop/Missing", "--map", "T=shop/Api.Token", "--", .. _probe.Command("exit:0", "T")]);
        var startedAfterStrict = _probe.Started;
        var lenient = await _sandbox.RunAsync(["run", "--strict", "false", "--map", "DB=shop/Missing", "--map", "T=shop/Api.Token", "--", .. _probe.Command("exit:0", "DB", "T")]);

        Assert.Equal(1, strict.ExitCode);
        Assert.Contains("error SSB2001: Secret 'shop/Missing' was not found", strict.Stderr, StringComparison.Ordinal);
        Assert.False(startedAfterStrict, "the child was started although a secret was missing");
        Assert.True(lenient.ExitCode == 0, lenient.ToString());
        Assert.Contains("warning SSB4007", lenient.Stderr, StringComparison.Ordinal);
        Assert.Equal("unset", EnvProbe.Reported(lenient.Stdout, "DB"));
    }

    [Theory]
    [InlineData("no-such-command-ssb", 127)]
    [InlineData("./not-executable.sh", 126)]
    public async Task A_command_that_is_not_found_or_not_executable_exits_127_or_126_with_SSB4004_and_hands_on_nothing(string command, int exitCode)
    {
        await SeedAsync();
        await File.WriteAllTextAsync(_sandbox.Folder.Combine("not-executable.sh"), "#!/bin/sh\necho started\n");

        var run = await _sandbox.RunWithEnvironmentAsync(new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true" }, "run", "--app", "shop", "--", command);

        Assert.True(run.ExitCode == exitCode, run.ToString());
        Assert.Contains("error SSB4004", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("::add-mask::", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.StdoutBytes);
    }

    [Fact]
    public async Task Two_secrets_for_one_variable_and_a_value_with_NUL_fail_with_coded_errors_and_start_nothing()
    {
        await SeedAsync();
        await _sandbox.SetAsync("shop/Binary", "before\0Cnry-after");

        var duplicate = await _sandbox.RunAsync(["run", "--map", "Api__Token=shop/ConnectionStrings.Default", "--app", "shop", "--", .. _probe.Command("exit:0")]);
        var nul = await _sandbox.RunAsync(["run", "--map", "BIN=shop/Binary", "--", .. _probe.Command("exit:0")]);

        Assert.Equal(1, duplicate.ExitCode);
        Assert.Contains("error SSB4002: Variable 'Api__Token' is mapped to two secrets", duplicate.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, nul.ExitCode);
        Assert.Contains("error SSB4003: The value of 'shop/Binary' (variable 'BIN') holds a NUL character", nul.Stderr, StringComparison.Ordinal);
        Assert.False(_probe.Started);
        ValueScanner.AssertNoValue(nul, "Cnry-after");
    }

    [Fact]
    public async Task A_child_ended_by_a_signal_gives_128_plus_the_signal()
    {
        await SeedAsync();

        var run = await _sandbox.RunAsync(["run", "--app", "shop", "--", .. _probe.Command("self-kill")]);

        Assert.True(run.ExitCode == 128 + 15, run.ToString());
    }

    [Fact]
    public async Task SIGTERM_sent_to_secretstore_reaches_the_child_and_run_exits_with_the_childs_code()
    {
        await SeedAsync();
        var start = new ProcessStartInfo(CliProcess.DotnetHost) { WorkingDirectory = _sandbox.Folder.Path, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in (string[])[CliProcess.CliDll, "run", "--app", "shop", "--", .. _probe.Command("wait-for-term")])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in _sandbox.Environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var waited = Stopwatch.StartNew();
        while (!_probe.Started && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(50);
        }

        Assert.True(_probe.Started, "the child did not start");
        await Task.Delay(300);
        _ = Kill(process.Id, 15);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 42, $"exit {process.ExitCode}\n{await stdout}\n{await stderr}");
        Assert.True(_probe.GotTerm, "the child did not get SIGTERM");
    }

    [Theory]
    [InlineData("GITHUB_ACTIONS", "true", CiOutput.GitHubPrefix)]
    [InlineData("TF_BUILD", "True", CiOutput.AzurePrefix)]
    public async Task In_a_CI_run_every_value_and_line_is_masked_on_stderr_before_the_child_writes_anything(string variable, string setting, string prefix)
    {
        await SeedAsync();

        var run = await _sandbox.RunWithEnvironmentAsync(new Dictionary<string, string> { [variable] = setting }, ["run", "--app", "shop", "--", .. _probe.Command("exit:0", "Api__Token")]);

        Assert.True(run.ExitCode == 0, run.ToString());
        var masks = CiOutput.AssertMasksFirstOnStderr(run, prefix, DbValue, TokenValue, "second line");
        Assert.Contains(masks, m => m.EndsWith("second line", StringComparison.Ordinal));
        Assert.Contains(prefix + Convert.ToBase64String(Encoding.UTF8.GetBytes(TokenValue)), masks);
        Assert.StartsWith("child-started", run.Stderr.Split('\n').SkipWhile(l => l.StartsWith(prefix, StringComparison.Ordinal)).First(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_variable_holding_the_private_key_never_reaches_the_child_even_without_pristine()
    {
        await SeedAsync();
        var readerSecret = ForgedKeyringAttack.StripPrivateKeys(_sandbox.KeyringPath, FileStoreSandbox.KeyId);
        var environment = new Dictionary<string, string> { ["DEPLOY_READER_KEY"] = readerSecret };

        var run = await _sandbox.RunWithEnvironmentAsync(environment, ["run", "--private-key-env", "DEPLOY_READER_KEY", "--app", "shop", "--", .. _probe.Command("exit:0", "Api__Token", "DEPLOY_READER_KEY")]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(EnvProbe.Hash(TokenValue), EnvProbe.Reported(run.Stdout, "Api__Token"));
        Assert.Equal("unset", EnvProbe.Reported(run.Stdout, "DEPLOY_READER_KEY"));
        Assert.DoesNotContain("DEPLOY_READER_KEY", EnvProbe.Names(run.Stdout));
        ValueScanner.AssertNoValue(run, TokenValue, readerSecret);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("export")]
    public async Task Variables_of_both_CI_systems_make_run_and_export_refuse_with_SSB0007_before_reading_any_value(string verb)
    {
        await SeedAsync();
        var both = new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true", ["TF_BUILD"] = "True" };
        string[] tail = verb == "run" ? ["--", .. _probe.Command("exit:0")] : ["--format", "json"];

        var result = await _sandbox.RunWithEnvironmentAsync(both, [verb, "--app", "shop", .. tail]);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("error SSB0007", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.StdoutBytes);
        Assert.False(_probe.Started);
        ValueScanner.AssertNoValue(result, DbValue, TokenValue);
    }

    private async Task SeedAsync()
    {
        await _sandbox.SetAsync("shop/ConnectionStrings.Default", DbValue);
        await _sandbox.SetAsync("shop/Api.Token", TokenValue);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
}

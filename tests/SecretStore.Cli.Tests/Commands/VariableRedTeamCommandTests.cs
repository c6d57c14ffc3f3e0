using System.Diagnostics;
using SecretStore.Cli.Tests.Infrastructure;
using SecretStore.Testing.Logs;
using SecretStore.Testing.Processes;

namespace SecretStore.Cli.Tests.Commands;

/// <summary>
/// The fifth red-team round (the installed tool and docs/security.md only) on <c>run</c> and <c>export</c>: every
/// attack that worked (RT.18a–f in docs/security.md) and every hazard that was fixed, each failing before its fix.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class VariableRedTeamCommandTests : IDisposable
{
    private const string Value = "Cnry-short-5f1e";
    private readonly FileStoreSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)]
    public async Task RT18a_append_to_a_file_others_may_read_leaves_it_owner_only(UnixFileMode mode)
    {
        await _sandbox.SetAsync("ci/S", Value);
        var file = _sandbox.Folder.Combine("runner-env");
        await File.WriteAllTextAsync(file, "OLD=1\n");
        File.SetUnixFileMode(file, mode);

        var export = await _sandbox.RunAsync("export", "--map", "X=ci/S", "-o", file, "--append");

        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal("OLD=1\nX='" + Value + "'\n", await File.ReadAllTextAsync(file));
    }

    [Theory]
    [InlineData("symbolic link", false)]
    [InlineData("symbolic link", true)]
    [InlineData("dangling link", false)]
    [InlineData("dangling link", true)]
    [InlineData("hard link", true)]
    [InlineData("fifo", false)]
    [InlineData("fifo", true)]
    public async Task RT18b_a_link_a_hard_link_or_a_fifo_at_the_output_path_is_refused_and_nothing_is_written_anywhere(string planted, bool append)
    {
        await _sandbox.SetAsync("ci/S", Value);
        var victim = _sandbox.Folder.Combine("victim");
        await File.WriteAllTextAsync(victim, "victim\n");
        var output = _sandbox.Folder.Combine("out.env");
        var outside = _sandbox.Folder.Combine("made-by-link");
        switch (planted)
        {
            case "symbolic link": File.CreateSymbolicLink(output, victim); break;
            case "dangling link": File.CreateSymbolicLink(output, outside); break;
            case "hard link": Assert.Equal(0, (await CliProcess.RunProcessAsync("ln", [victim, output], _sandbox.Folder.Path)).ExitCode); break;
            default: Assert.Equal(0, (await CliProcess.RunProcessAsync("mkfifo", [output], _sandbox.Folder.Path)).ExitCode); break;
        }

        var before = File.ResolveLinkTarget(output, returnFinalTarget: false)?.FullName;
        string[] args = append ? ["export", "--map", "X=ci/S", "-o", output, "--append"] : ["export", "--map", "X=ci/S", "-o", output];
        var export = await _sandbox.RunAsync(args);

        Assert.True(export.ExitCode == 1, export.ToString());
        Assert.Contains("error SSB1015", export.Stderr, StringComparison.Ordinal);
        Assert.Equal("victim\n", await File.ReadAllTextAsync(victim));
        Assert.False(File.Exists(outside), "the export created the file a dangling link pointed at");
        Assert.Equal(before, File.ResolveLinkTarget(output, returnFinalTarget: false)?.FullName);
        ValueScanner.AssertNoValue(export, Value);
    }

    [Fact]
    public async Task RT18c_append_after_a_last_line_without_a_line_break_starts_on_a_line_of_its_own()
    {
        await _sandbox.SetAsync("ci/S", Value);
        var github = _sandbox.Folder.Combine("github_env");
        var dotenv = _sandbox.Folder.Combine("de.env");
        await File.WriteAllTextAsync(github, "FOO=bar");
        await File.WriteAllTextAsync(dotenv, "A=1");

        var first = await _sandbox.RunAsync("export", "--map", "X=ci/S", "--format", "github-env", "-o", github, "--append");
        var second = await _sandbox.RunAsync("export", "--map", "X=ci/S", "-o", dotenv, "--append");

        Assert.True(first.ExitCode == 0 && second.ExitCode == 0, first + "\n" + second);
        var variables = GitHubEnvFileParser.Parse(await File.ReadAllTextAsync(github));
        Assert.Equal("bar", variables["FOO"]);
        Assert.Equal(Value, variables["X"]);
        var bash = await CliProcess.RunProcessAsync("/bin/bash", ["-c", "set -a; . ./de.env; printf '%s|%s' \"$A\" \"${X-unset}\""], _sandbox.Folder.Path);
        Assert.Equal("1|" + Value, bash.Stdout);
    }

    [Theory]
    [InlineData("Cnry-c1\rCnry-c2")]
    [InlineData("Cnry-a\\")]
    public async Task RT18d_e_dotenv_refuses_a_carriage_return_and_a_trailing_backslash_that_node_and_npm_dotenv_read_differently(string value)
    {
        await _sandbox.SetAsync("ci/V", value);
        var file = _sandbox.Folder.Combine("v.env");

        var export = await _sandbox.RunAsync("export", "--map", "V=ci/V", "-o", file);

        Assert.True(export.ExitCode == 1, export.ToString());
        Assert.Contains("error SSB4003", export.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
        ValueScanner.AssertNoValue(export, value, "Cnry-c1", "Cnry-c2");
    }

    [Fact]
    public async Task RT18f_strict_false_does_not_pass_an_inherited_value_for_a_missing_secret()
    {
        var probe = new EnvProbe(Directory.CreateDirectory(_sandbox.Folder.Combine("probe")).FullName);
        await _sandbox.SetAsync("ci/S", Value);

        var run = await _sandbox.RunWithEnvironmentAsync(
            new Dictionary<string, string> { ["X"] = "Cnry-attacker" },
            ["run", "--strict", "false", "--map", "X=ci/Nope", "--map", "S=ci/S", "--", .. probe.Command("exit:0", "X", "S")]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("unset", EnvProbe.Reported(run.Stdout, "X"));
        Assert.Equal(EnvProbe.Hash(Value), EnvProbe.Reported(run.Stdout, "S"));
        Assert.Contains("warning SSB4007", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hazard_an_empty_output_or_a_json_append_is_a_usage_error_and_prints_no_value()
    {
        await _sandbox.SetAsync("ci/S", Value);

        var empty = await _sandbox.RunAsync("export", "--map", "X=ci/S", "-o", string.Empty);
        var json = await _sandbox.RunAsync("export", "--map", "X=ci/S", "--format", "json", "-o", _sandbox.Folder.Combine("j.json"), "--append");

        Assert.True(empty.ExitCode == 2, empty.ToString());
        Assert.Empty(empty.StdoutBytes);
        Assert.True(json.ExitCode == 2, json.ToString());
        Assert.False(File.Exists(_sandbox.Folder.Combine("j.json")));
    }

    [Fact]
    public async Task Hazard_run_without_double_dash_is_a_usage_error_so_the_commands_options_are_never_taken_for_its_own()
    {
        var probe = new EnvProbe(Directory.CreateDirectory(_sandbox.Folder.Combine("probe")).FullName);
        await _sandbox.SetAsync("ci/S", Value);

        var run = await _sandbox.RunAsync(["run", "--map", "X=ci/S", .. probe.Command("exit:0", "X"), "--map", "Y=ci/S"]);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("after '--'", run.Stderr, StringComparison.Ordinal);
        Assert.False(probe.Started);
    }

    [Fact]
    public async Task Hazard_an_empty_command_is_127_with_SSB4004_and_a_too_large_environment_says_so()
    {
        await _sandbox.SetAsync("ci/S", Value);
        await _sandbox.SetAsync("ci/Big", "Cnry-big" + new string('x', 200_000));

        var empty = await _sandbox.RunAsync("run", "--map", "X=ci/S", "--", string.Empty);
        var big = await _sandbox.RunAsync("run", "--map", "X=ci/Big", "--", "true");

        Assert.True(empty.ExitCode == 127, empty.ToString());
        Assert.Contains("error SSB4004: The command is empty", empty.Stderr, StringComparison.Ordinal);
        Assert.True(big.ExitCode == 126, big.ToString());
        Assert.Contains("E2BIG", big.Stderr, StringComparison.Ordinal);
        ValueScanner.AssertNoValue(big, "Cnry-big");
    }

    [Fact]
    public async Task Hazard_SIGUSR1_sent_to_secretstore_reaches_the_child_instead_of_orphaning_it()
    {
        await _sandbox.SetAsync("ci/S", Value);
        var marker = _sandbox.Folder.Combine("got-usr1");
        var script = "trap 'touch \"" + marker + "\"; exit 5' USR1; touch \"" + marker + ".started\"; while :; do sleep 0.05; done";
        var start = new ProcessStartInfo(CliProcess.DotnetHost) { WorkingDirectory = _sandbox.Folder.Path, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in (string[])[CliProcess.CliDll, "run", "--map", "X=ci/S", "--", "/bin/bash", "-c", script])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in _sandbox.Environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var waited = Stopwatch.StartNew();
        while (!File.Exists(marker + ".started") && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(50);
        }

        await Task.Delay(300);
        Assert.Equal(0, Kill(process.Id, 10));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 5, $"exit {process.ExitCode}\n{await stderr}");
        Assert.True(File.Exists(marker), "the child did not get SIGUSR1");
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
}

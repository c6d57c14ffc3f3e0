using System.Text;
using SecretStore.Cli.Tests.Infrastructure;

namespace SecretStore.Cli.Tests.Commands;

/// <summary>Issue 14 item 6: the CLI's paper cuts a new user hits in the first hour.</summary>
public sealed class PaperCutCommandTests : IDisposable
{
    private readonly FileStoreSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Theory]
    [InlineData(new[] { "st", "shop/Db" }, "secretstore set", "secretstore --help")]
    [InlineData(new[] { "Get", "shop/Db" }, "secretstore get", "secretstore --help")]
    [InlineData(new[] { "reslove", "a.json" }, "secretstore resolve", "secretstore --help")]
    [InlineData(new[] { "keys", "lst", "kr" }, "secretstore keys list", "secretstore keys --help")]
    public async Task A_near_miss_command_is_exit_2_with_did_you_mean(string[] args, string meant, string help)
    {
        var result = await _sandbox.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"error SSB0001: Did you mean '{meant}'? ('{help}' lists the commands.)", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_far_from_every_command_gets_no_suggestion_and_is_never_repeated()
    {
        var result = await _sandbox.RunAsync("hunter2-typed-by-mistake");

        Assert.Equal(2, result.ExitCode);
        Assert.DoesNotContain("Did you mean", result.Stderr, StringComparison.Ordinal);
        ValueScanner.AssertNoValue(result, "hunter2-typed-by-mistake");
    }

    [Fact]
    public async Task Rewrap_on_a_terminal_draws_a_progress_bar_on_stderr_and_a_redirected_run_gets_none()
    {
        foreach (var name in new[] { "A", "B", "C" })
        {
            await _sandbox.SetAsync("shop/" + name, "progress-value-" + name);
        }

        // A real pseudo-terminal (util-linux script): stdout and stderr are a TTY, as in a developer's shell.
        static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
        var command = string.Join(' ', new[] { CliProcess.DotnetHost, CliProcess.CliDll, "rewrap", "shop" }.Select(Quote));
        var terminal = await CliProcess.RunProcessAsync("script", ["-qefc", command, "/dev/null"], _sandbox.Folder.Path, _sandbox.Environment);
        var redirected = await _sandbox.RunAsync("rewrap", "shop");

        Assert.True(terminal.ExitCode == 0, terminal.ToString());
        Assert.Contains("\rRewrapping [" + new string('#', 20) + "] 3/3", terminal.Stdout, StringComparison.Ordinal);
        Assert.Contains("\r" + new string(' ', "Rewrapping [] 3/3".Length + 20) + "\r", terminal.Stdout, StringComparison.Ordinal);
        Assert.True(redirected.ExitCode == 0, redirected.ToString());
        Assert.DoesNotContain("Rewrapping [", redirected.Stderr + redirected.Stdout, StringComparison.Ordinal);
        ValueScanner.AssertNoValue(terminal, "progress-value-A", "progress-value-B", "progress-value-C");
    }

    [Theory]
    [InlineData(0, 10, "[--------------------] 0/10")]
    [InlineData(5, 10, "[##########----------] 5/10")]
    [InlineData(1, 3, "[######--------------] 1/3")]
    [InlineData(3, 3, "[####################] 3/3")]
    public void The_bar_fills_in_proportion(int value, int total, string expected)
    {
        Assert.Equal("Importing " + expected, SecretStore.Cli.Hosting.TerminalProgress.Line("Importing", value, total));
    }

    [Fact]
    public async Task List_without_an_application_lists_the_applications_once_each_in_order()
    {
        await _sandbox.SetAsync("shop/Db", "value-one");
        await _sandbox.SetAsync("shop/Token", "value-two");
        await _sandbox.SetAsync("billing/Key", "value-three");

        var apps = await _sandbox.RunAsync("list");
        var shop = await _sandbox.RunAsync("list", "shop");

        Assert.True(apps.ExitCode == 0, apps.ToString());
        Assert.Equal("billing\nshop\n", apps.Stdout);
        Assert.StartsWith("Db\t", shop.Stdout, StringComparison.Ordinal);
        ValueScanner.AssertNoValue(apps, "value-one", "value-two", "value-three");
    }

    [Theory]
    [InlineData("echo-value\n")]
    [InlineData("crlf-value\r\n")]
    public async Task Set_of_a_piped_value_ending_in_a_line_break_warns_SSB2018_and_stores_it_as_read(string piped)
    {
        var set = await _sandbox.RunWithInputAsync(piped, "set", "shop/Token");
        var get = await _sandbox.RunAsync("get", "shop/Token");

        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Contains("warning SSB2018: The value read from standard input for 'shop/Token' ends with a line break", set.Stderr, StringComparison.Ordinal);
        Assert.Contains("printf '%s' \"$VALUE\", or pass --trim-newline", set.Stderr, StringComparison.Ordinal);
        Assert.Equal(Encoding.UTF8.GetBytes(piped), get.StdoutBytes);
        ValueScanner.AssertNoValue(set, piped.TrimEnd());
    }

    [Fact]
    public async Task Set_with_printf_or_trim_newline_has_no_warning()
    {
        var printf = await _sandbox.RunWithInputAsync("printf-value", "set", "shop/A");
        var trimmed = await _sandbox.RunWithInputAsync("echo-value\n", "set", "shop/B", "--trim-newline");
        var get = await _sandbox.RunAsync("get", "shop/B");

        Assert.True(printf.ExitCode == 0 && trimmed.ExitCode == 0, printf + "\n" + trimmed);
        Assert.DoesNotContain("SSB2018", printf.Stderr + trimmed.Stderr, StringComparison.Ordinal);
        Assert.Equal("echo-value"u8.ToArray(), get.StdoutBytes);
    }
}

using System.Text;
using System.Text.Json;
using SecretStore.Cli.Tests.Ci;
using SecretStore.Cli.Tests.Infrastructure;
using SecretStore.Testing.Processes;
using SecretStore.Testing.Logs;

namespace SecretStore.Cli.Tests.Commands;

/// <summary>
/// <c>secretstore export</c> from the file store: each format read back by its consumer's own reader where one runs
/// here (bash for shell and dotenv, System.Text.Json, line-for-line models of the GitHub runner and the Azure agent),
/// the file owner-only, a terminal refused, and refusals that write nothing.
/// </summary>
public sealed class ExportCommandTests : IDisposable
{
    // Every character a format must carry exactly: quotes of both kinds, $, a backtick, a backslash, '=', ';', ']',
    // '%' and a line break.
    private const string DbValue = "Server=db;Password=it's \"$x\" `y` \\ ;]%AZP25 %\nsecond line";
    private const string TokenValue = "tok-Cnry-12345";

    // What dotenv can carry: no single quote together with a double quote, backslash, $ or backtick (docs/cli.md).
    private const string DotenvValue = "Server=db;Password=\"$x\" `y` \\n \\ ;]%\nsecond line";
    private const string DotenvApostrophe = "it's Cnry";

    private readonly FileStoreSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Shell_format_sourced_by_bash_gives_the_exact_values_and_the_file_is_owner_only()
    {
        await SeedAsync(DbValue);
        var file = _sandbox.Folder.Combine("secrets.sh");

        var export = await _sandbox.RunAsync("export", "--app", "shop", "--format", "shell", "--output", file);

        Assert.True(export.ExitCode == 0, export.ToString());
        AssertOwnerOnly(file);
        var read = await BashHashesAsync(". " + file, "ConnectionStrings__Default", "Api__Token");
        Assert.Equal(EnvProbe.Hash(DbValue), read["ConnectionStrings__Default"]);
        Assert.Equal(EnvProbe.Hash(TokenValue), read["Api__Token"]);
        Assert.Contains("SecretStore export: 2 variable(s) as shell written to", export.Stderr, StringComparison.Ordinal);
        ValueScanner.AssertNoValue(export, DbValue, TokenValue, "second line");
    }

    [Fact]
    public async Task Dotenv_read_by_bash_set_a_gives_the_exact_values()
    {
        await SeedAsync(DotenvValue);
        await _sandbox.SetAsync("shop/Quote", DotenvApostrophe);
        var file = _sandbox.Folder.Combine(".env");

        var export = await _sandbox.RunAsync("export", "--app", "shop", "--output", file);

        Assert.True(export.ExitCode == 0, export.ToString());
        AssertOwnerOnly(file);
        var read = await BashHashesAsync("set -a; . " + file + "; set +a", "ConnectionStrings__Default", "Api__Token", "Quote");
        Assert.Equal(EnvProbe.Hash(DotenvValue), read["ConnectionStrings__Default"]);
        Assert.Equal(EnvProbe.Hash(TokenValue), read["Api__Token"]);
        Assert.Equal(EnvProbe.Hash(DotenvApostrophe), read["Quote"]);
    }

    [Fact]
    public async Task Json_on_a_pipe_parses_back_to_the_exact_values_and_stdout_is_the_document_alone()
    {
        await SeedAsync(DbValue);

        var export = await _sandbox.RunAsync("export", "--app", "shop", "--format", "json");

        Assert.True(export.ExitCode == 0, export.ToString());
        var values = JsonSerializer.Deserialize<Dictionary<string, string>>(export.StdoutBytes)!;
        Assert.Equal(new Dictionary<string, string> { ["Api__Token"] = TokenValue, ["ConnectionStrings__Default"] = DbValue }, values);
        ValueScanner.AssertNoValue(export.Stderr, "stderr", DbValue, TokenValue, "second line");
    }

    [Fact]
    public async Task Github_env_appended_to_the_runners_file_keeps_what_was_there_and_the_runner_reads_the_exact_values_masked_first()
    {
        await SeedAsync(DbValue);
        var file = _sandbox.Folder.Combine("github_env");
        await File.WriteAllTextAsync(file, "EARLIER=kept\n");

        var export = await _sandbox.RunWithEnvironmentAsync(
            new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true" },
            "export", "--app", "shop", "--format", "github-env", "--output", file, "--append");

        Assert.True(export.ExitCode == 0, export.ToString());
        var variables = GitHubEnvFileParser.Parse(await File.ReadAllTextAsync(file));
        Assert.Equal("kept", variables["EARLIER"]);
        Assert.Equal(DbValue, variables["ConnectionStrings__Default"]);
        Assert.Equal(TokenValue, variables["Api__Token"]);
        CiOutput.AssertMasksFirstOnStderr(export, CiOutput.GitHubPrefix, DbValue, TokenValue, "second line");
        Assert.Contains("added to", export.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AzureAgentModel.Behaviours), MemberType = typeof(AzureAgentModel))]
    public async Task Azure_variables_set_the_exact_values_with_percent_decoding_on_and_every_value_is_a_secret(string behaviour)
    {
        await SeedAsync(DbValue);

        var export = await _sandbox.RunWithEnvironmentAsync(
            new Dictionary<string, string> { ["TF_BUILD"] = "True" },
            "export", "--app", "shop", "--format", "azure-variables");

        Assert.True(export.ExitCode == 0, export.ToString());
        var agent = AzureAgentModel.For(behaviour);
        foreach (var line in export.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            agent.ProcessLine(line);
        }

        Assert.Equal(2, agent.Variables.Count);
        Assert.Equal(TokenValue, agent.Variables["Api__Token"]);
        if (behaviour == "decoding")
        {
            // The documented exactness: the agent's default (DECODE_PERCENTS on) reads every value back exactly.
            Assert.Equal(DbValue, agent.Variables["ConnectionStrings__Default"]);
        }

        Assert.Contains(TokenValue, agent.Secrets);
        Assert.Equal("***", agent.Mask(TokenValue));
        // stdout is the setvariable commands, values included by design: the agent reads them and shows none.
        CiOutput.AssertMasksFirstOnStderr(export, CiOutput.AzurePrefix, stdoutIsTheValue: true, DbValue, TokenValue);
    }

    [Fact]
    public async Task Replacing_a_readable_file_leaves_an_owner_only_file_with_the_new_content_alone()
    {
        await SeedAsync(DbValue);
        var file = _sandbox.Folder.Combine("out.json");
        await File.WriteAllTextAsync(file, "{\"OLD\":\"stale\"}");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        var export = await _sandbox.RunAsync("export", "--map", "T=shop/Api.Token", "--format", "json", "-o", file);

        Assert.True(export.ExitCode == 0, export.ToString());
        AssertOwnerOnly(file);
        Assert.Equal(new Dictionary<string, string> { ["T"] = TokenValue }, JsonSerializer.Deserialize<Dictionary<string, string>>(await File.ReadAllBytesAsync(file)));
    }

    [Fact]
    public async Task Appending_creates_a_missing_file_owner_only()
    {
        await SeedAsync(DbValue);
        var file = _sandbox.Folder.Combine("new.env");

        var export = await _sandbox.RunAsync("export", "--map", "T=shop/Api.Token", "-o", file, "--append");

        Assert.True(export.ExitCode == 0, export.ToString());
        AssertOwnerOnly(file);
        Assert.Equal("T='" + TokenValue + "'\n", await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task Standard_output_on_a_terminal_is_refused_with_SSB4006_before_anything_is_read_and_force_shows_the_values()
    {
        await SeedAsync(DbValue);

        var refused = await InTerminalAsync("export", "--map", "T=shop/Api.Token");
        var forced = await InTerminalAsync("export", "--map", "T=shop/Api.Token", "--force");

        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Contains("SSB4006", refused.Stdout, StringComparison.Ordinal);
        ValueScanner.AssertNoValue(refused, TokenValue);
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Contains("T='" + TokenValue + "'", forced.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--format", "yaml")]
    [InlineData("--append")]
    public async Task An_unknown_format_or_append_without_output_is_a_usage_error(params string[] extra)
    {
        await SeedAsync(DbValue);

        var export = await _sandbox.RunAsync(["export", "--app", "shop", .. extra]);

        Assert.True(export.ExitCode == 2, export.ToString());
        Assert.Empty(export.StdoutBytes);
    }

    [Theory]
    [InlineData("dotenv", "SSB4003")]
    [InlineData("github-env", "SSB4003")]
    public async Task A_value_the_format_cannot_carry_exactly_is_refused_and_no_file_is_written(string format, string code)
    {
        // dotenv: a single quote with a double quote, $ and a backslash; github-env: a carriage return.
        await SeedAsync(format == "dotenv" ? DbValue : "line\r\nCnry-two");
        var file = _sandbox.Folder.Combine("refused.env");

        var export = await _sandbox.RunAsync("export", "--app", "shop", "--format", format, "--output", file);

        Assert.True(export.ExitCode == 1, export.ToString());
        Assert.Contains("error " + code, export.Stderr, StringComparison.Ordinal);
        Assert.Contains("shop/ConnectionStrings.Default", export.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(file), "a refused export wrote the file");
        Assert.Empty(Directory.GetFiles(_sandbox.Folder.Path, "refused.env*"));
        ValueScanner.AssertNoValue(export, DbValue, "Cnry-two");
    }

    [Fact]
    public async Task A_missing_secret_fails_with_SSB2001_and_an_existing_file_is_left_untouched()
    {
        await SeedAsync(DbValue);
        var file = _sandbox.Folder.Combine("kept.env");
        await File.WriteAllTextAsync(file, "OLD=1\n");

        var export = await _sandbox.RunAsync("export", "--map", "T=shop/Api.Token", "--map", "M=shop/Missing", "-o", file);

        Assert.True(export.ExitCode == 1, export.ToString());
        Assert.Contains("error SSB2001", export.Stderr, StringComparison.Ordinal);
        Assert.Equal("OLD=1\n", await File.ReadAllTextAsync(file));
    }

    private static void AssertOwnerOnly(string file)
    {
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    /// <summary>bash reads the file its own way (<paramref name="load"/>) and prints the SHA-256 of each variable, never a value.</summary>
    private async Task<Dictionary<string, string>> BashHashesAsync(string load, params string[] names)
    {
        var script = new StringBuilder("set -eu; ").Append(load).Append('\n');
        foreach (var name in names)
        {
            script.Append("printf '%s=%s\\n' ").Append(name).Append(" \"$(printf '%s' \"${").Append(name).Append("}\" | sha256sum | cut -c1-64)\"\n");
        }

        var run = await CliProcess.RunProcessAsync("/bin/bash", ["-c", script.ToString()], _sandbox.Folder.Path);
        Assert.True(run.ExitCode == 0, run.ToString());
        return run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
    }

    /// <summary>The tool with a pseudo-terminal as its stdout (util-linux <c>script</c>); both streams arrive on stdout.</summary>
    private Task<ProcessResult> InTerminalAsync(params string[] args)
    {
        var command = string.Join(' ', new[] { CliProcess.DotnetHost, CliProcess.CliDll }.Concat(args).Select(Variables.Export.ExportWriter.ShellQuote));
        return CliProcess.RunProcessAsync("script", ["-qec", command, "/dev/null"], _sandbox.Folder.Path, _sandbox.Environment);
    }

    private async Task SeedAsync(string dbValue)
    {
        await _sandbox.SetAsync("shop/ConnectionStrings.Default", dbValue);
        await _sandbox.SetAsync("shop/Api.Token", TokenValue);
    }
}

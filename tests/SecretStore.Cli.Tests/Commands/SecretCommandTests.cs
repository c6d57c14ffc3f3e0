using System.Text;
using SecretStore.Cli.Tests.Ci;
using SecretStore.Cli.Tests.Infrastructure;

namespace SecretStore.Cli.Tests.Commands;

public sealed class SecretCommandTests : IDisposable
{
    private const string Value = "pä$$w0rd;]%\"<&>\n second line\n";
    private readonly FileStoreSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Set_then_get_round_trips_stdin_and_get_writes_exactly_the_value_bytes()
    {
        var set = await _sandbox.RunWithInputAsync(Value, "set", "shop/Db");
        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Equal("shop/Db\trevision 1\tV2\tprimary\n", set.Stdout);
        ValueScanner.AssertNoValue(set, Value);

        var get = await _sandbox.RunAsync("get", "shop/Db");
        Assert.True(get.ExitCode == 0, get.ToString());

        // The trailing line break is the value's own; get adds none.
        Assert.Equal(Encoding.UTF8.GetBytes(Value), get.StdoutBytes);
        Assert.Equal(string.Empty, get.Stderr);
    }

    [Theory]
    [InlineData("GITHUB_ACTIONS", "true", "::add-mask::", "::add-mask::pä$$w0rd;]%25\"<&>%0A second line%0A")]
    [InlineData("TF_BUILD", "True", "##vso[task.setsecret]", "##vso[task.setsecret]pä$$w0rd%3B%5D%AZP25\"<&>%0A second line%0A")]
    public async Task Get_in_a_CI_run_masks_the_value_and_each_line_on_stderr_first_and_stdout_stays_exactly_the_value(string variable, string setting, string prefix, string wholeValueCommand)
    {
        var set = await _sandbox.RunWithInputAsync(Value, "set", "shop/Db");
        Assert.True(set.ExitCode == 0, set.ToString());

        var get = await _sandbox.RunWithEnvironmentAsync(new Dictionary<string, string> { [variable] = setting }, "get", "shop/Db");

        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal(Encoding.UTF8.GetBytes(Value), get.StdoutBytes);
        var masks = CiOutput.AssertMasksFirstOnStderr(get, prefix, stdoutIsTheValue: true, Value, "pä$$w0rd;]%\"<&>", " second line");
        Assert.Contains(wholeValueCommand, masks);
        Assert.Contains(prefix + " second line", masks);
        Assert.Contains(prefix + Convert.ToBase64String(Encoding.UTF8.GetBytes(Value)), masks);
    }

    [Fact]
    public async Task Trim_newline_drops_the_line_break_echo_adds_and_get_adds_none()
    {
        var set = await _sandbox.RunWithInputAsync("s3cr3t-value\n", "set", "shop/Api", "--trim-newline");
        Assert.True(set.ExitCode == 0, set.ToString());

        var get = await _sandbox.RunAsync("get", "shop/Api");
        Assert.Equal("s3cr3t-value"u8.ToArray(), get.StdoutBytes);
    }

    [Fact]
    public async Task List_shows_names_revisions_formats_and_keys_but_never_a_value()
    {
        await _sandbox.SetAsync("shop/Db", Value);
        await _sandbox.SetAsync("shop/Api", "api-key-12345");
        await _sandbox.SetAsync("shop/Api", "api-key-67890");

        var list = await _sandbox.RunAsync("list", "shop");

        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Equal("Api\t2\tV2\tprimary\nDb\t1\tV2\tprimary\n", list.Stdout);
        ValueScanner.AssertNoValue(list, Value, "api-key-12345", "api-key-67890");
    }

    [Fact]
    public async Task Get_of_a_missing_secret_exits_1_with_SSB2001_and_prints_nothing_on_stdout()
    {
        await _sandbox.SetAsync("shop/Other", "other-value");

        var get = await _sandbox.RunAsync("get", "shop/Missing");

        Assert.Equal(1, get.ExitCode);
        Assert.Empty(get.StdoutBytes);
        Assert.Contains("error SSB2001: Secret 'shop/Missing' was not found", get.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task If_revision_guards_set_and_delete_with_a_conflict_exit_1()
    {
        await _sandbox.SetAsync("shop/Db", "first-value");

        var stale = await _sandbox.RunWithInputAsync("second-value", "set", "shop/Db", "--if-revision", "0");
        Assert.Equal(1, stale.ExitCode);
        Assert.Contains("error SSB2002: Secret 'shop/Db' already exists (revision 1); it was expected not to. Fix: retry against revision 1 (CLI: --if-revision 1)", stale.Stderr, StringComparison.Ordinal);
        ValueScanner.AssertNoValue(stale, "first-value", "second-value");

        // Issue 14: a conflict says the current revision, the one to retry against.
        var behind = await _sandbox.RunWithInputAsync("third-value", "set", "shop/Db", "--if-revision", "7");
        Assert.Equal(1, behind.ExitCode);
        Assert.Contains("error SSB2002: Secret 'shop/Db' is at revision 1, not the expected 7: another writer changed it.", behind.Stderr, StringComparison.Ordinal);
        Assert.Contains("retry against revision 1 (CLI: --if-revision 1)", behind.Stderr, StringComparison.Ordinal);

        var staleDelete = await _sandbox.RunAsync("delete", "shop/Db", "--if-revision", "7");
        Assert.Equal(1, staleDelete.ExitCode);
        Assert.Contains("error SSB2002: Secret 'shop/Db' is at revision 1, not the expected 7", staleDelete.Stderr, StringComparison.Ordinal);

        var delete = await _sandbox.RunAsync("delete", "shop/Db", "--if-revision", "1");
        Assert.True(delete.ExitCode == 0, delete.ToString());
        Assert.Equal("shop/Db\tdeleted\n", delete.Stdout);

        var again = await _sandbox.RunAsync("delete", "shop/Db");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("error SSB2001", again.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("set", "shop/Db", "value-on-the-command-line")]
    [InlineData("get")]
    [InlineData("get", "no-slash")]
    [InlineData("get", "shop/Db", "--store", "s3:bucket")]
    [InlineData("list", "shop", "--if-revision", "x")]
    public async Task Usage_errors_exit_2_with_SSB0001_on_stderr_and_nothing_on_stdout(params string[] args)
    {
        var result = await _sandbox.RunAsync(args);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Empty(result.StdoutBytes);
        Assert.Contains("error SSB0001:", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_private_key_can_come_from_an_environment_variable_named_by_private_key_env()
    {
        await _sandbox.SetAsync("shop/Db", "env-key-value");
        var privateFile = Directory.GetFiles(Path.Combine(_sandbox.KeyringPath, "keys"), "*.private.pem").Single();
        var pem = File.ReadAllText(privateFile);
        File.Delete(privateFile);

        var without = await _sandbox.RunAsync("get", "shop/Db");
        Assert.Equal(1, without.ExitCode);
        Assert.Contains("error SSB3008", without.Stderr, StringComparison.Ordinal);

        var with = await _sandbox.RunWithEnvironmentAsync(new Dictionary<string, string> { ["DEPLOY_KEY"] = pem }, "get", "shop/Db", "--private-key-env", "DEPLOY_KEY");
        Assert.True(with.ExitCode == 0, with.ToString());
        Assert.Equal("env-key-value"u8.ToArray(), with.StdoutBytes);

        var missing = await _sandbox.RunAsync("get", "shop/Db", "--private-key-env", "NOT_SET_ANYWHERE");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("NOT_SET_ANYWHERE", missing.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(pem.Split('\n')[1], without.Stderr + missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_names_the_secretstore_command_and_exits_0()
    {
        var help = await _sandbox.RunAsync("set", "--help");

        Assert.Equal(0, help.ExitCode);
        Assert.Contains("secretstore set <id> [options]", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("--if-revision", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("--store", help.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_store_anywhere_is_SSB0003_saying_every_way_to_give_one_and_command_line_options_beat_the_environment()
    {
        var folder = _sandbox.Folder.Path;
        var none = await CliProcess.RunAsync(folder, ["get", "shop/Db"]);
        // Not a usage error: a secretstore.json above the folder would have been enough.
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("error SSB0003: No secret store is configured. Fix: add a secretstore.json ('secretstore init' writes one)", none.Stderr, StringComparison.Ordinal);
        Assert.Contains("SECRETSTORE_STORE", none.Stderr, StringComparison.Ordinal);

        await _sandbox.SetAsync("shop/Db", "value-in-sandbox");
        var other = await _sandbox.RunAsync("get", "shop/Db", "--store", "file:" + _sandbox.Folder.Combine("other.json"));
        Assert.Equal(1, other.ExitCode);
        Assert.Contains($"error SSB2011: The secret store file '{_sandbox.Folder.Combine("other.json")}' does not exist", other.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reading_a_missing_store_file_is_SSB2011_naming_its_full_path_for_list_get_delete_verify_and_resolve()
    {
        var config = _sandbox.Folder.Write("appsettings.json", "{\"Db\":\"#{secret:shop/Db}\"}");
        var missing = new Dictionary<string, string> { ["SECRETSTORE_STORE"] = "file:none.json" };
        var full = _sandbox.Folder.Combine("none.json");

        var results = new[]
        {
            await _sandbox.RunWithEnvironmentAsync(missing, "list", "shop"),
            await _sandbox.RunWithEnvironmentAsync(missing, "get", "shop/Db"),
            await _sandbox.RunWithEnvironmentAsync(missing, "delete", "shop/Db"),
            await _sandbox.RunWithEnvironmentAsync(missing, "verify", "appsettings.json"),
            await _sandbox.RunWithEnvironmentAsync(missing, "resolve", "appsettings.json"),
        };

        Assert.All(results, r => Assert.True(r.ExitCode == 1, r.ToString()));
        Assert.All(results, r => Assert.Empty(r.StdoutBytes));
        Assert.All(results, r => Assert.Contains("error SSB2011: ", r.Stderr, StringComparison.Ordinal));
        Assert.All(results, r => Assert.Contains($"The secret store file '{full}' does not exist", r.Stderr, StringComparison.Ordinal));
        Assert.False(File.Exists(full));
        Assert.False(File.Exists(full + ".lock"));
        Assert.Contains("#{secret:shop/Db}", File.ReadAllText(config), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Set_creates_a_missing_store_file()
    {
        Assert.False(File.Exists(_sandbox.StorePath));

        await _sandbox.SetAsync("shop/Db", "created-value");

        Assert.True(File.Exists(_sandbox.StorePath));
        Assert.Equal("created-value", (await _sandbox.RunAsync("get", "shop/Db")).Stdout);
    }
}

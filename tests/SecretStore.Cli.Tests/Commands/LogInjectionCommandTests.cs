using SecretStore.Cli.Tests.Infrastructure;
using SecretStore.Keys.Rsa;
using SecretStore.Testing.Logs;

namespace SecretStore.Cli.Tests.Commands;

/// <summary>
/// Issue 12 item 5 through the real tool: a store writer picks secret names, application names and key ids that
/// hold workflow commands, line breaks, bidi controls and ESC sequences; no output line may obey them.
/// </summary>
public sealed class LogInjectionCommandTests : IDisposable
{
    private const string HostileKeyId = "k\n::stop-commands::tok\u202E\u001B[2J##vso[task.prependpath]tmp";
    private const string Value = "injected-store-value-31b9";
    private readonly FileStoreSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private static readonly string[] HostileNames =
    [
        "a\n::stop-commands::x",
        "b ##vso[task.prependpath]tmp",
        "c\u202Egnp.exe",
        "d\u001B[31m\r::add-mask::y",
        "::set-output name=x::1",
    ];

    private async Task PlantHostileRecordsAsync()
    {
        using (var keyring = RsaKeyring.Load(_sandbox.KeyringPath))
        {
            keyring.AddKey(HostileKeyId, 2048);
        }

        foreach (var name in HostileNames)
        {
            var result = await _sandbox.RunWithInputAsync(Value, "set", "shop/" + name, "--key-id", HostileKeyId);
            Assert.True(result.ExitCode == 0, result.ToString());
            WorkflowCommandScanner.AssertClean(result.Stdout, "set stdout");
            WorkflowCommandScanner.AssertClean(result.Stderr, "set stderr");
        }
    }

    [Fact]
    public async Task List_rows_with_hostile_names_and_key_ids_hold_no_workflow_command_and_no_raw_control_character()
    {
        await PlantHostileRecordsAsync();

        var result = await _sandbox.RunAsync("list", "shop");

        Assert.True(result.ExitCode == 0, result.ToString());
        var rows = result.Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(HostileNames.Length, rows.Length);
        Assert.All(rows, r => Assert.Equal(4, r.Split('\t').Length));
        Assert.Contains(rows, r => r.StartsWith("a\\x0A::stop-commands::x\t", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.StartsWith("\\x3A:set-output name=x::1\t", StringComparison.Ordinal));
        Assert.All(rows, r => Assert.EndsWith("\tk\\x0A::stop-commands::tok\\u202E\\x1B[2J\\x23#vso[task.prependpath]tmp", r, StringComparison.Ordinal));
        WorkflowCommandScanner.AssertClean(result.Stdout, "list stdout");
        WorkflowCommandScanner.AssertClean(result.Stderr, "list stderr");
    }

    [Fact]
    public async Task Set_with_an_unknown_hostile_key_id_reports_it_escaped()
    {
        var result = await _sandbox.RunWithInputAsync(Value, "set", "shop/Db", "--key-id", HostileKeyId);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("k\\x0A::stop-commands::tok\\u202E\\x1B[2J\\x23#vso[task.prependpath]tmp", result.Stderr, StringComparison.Ordinal);
        WorkflowCommandScanner.AssertClean(result.Stdout, "set stdout");
        WorkflowCommandScanner.AssertClean(result.Stderr, "set stderr");
        ValueScanner.AssertNoValue(result, Value);
    }

    [Fact]
    public async Task Resolve_and_required_with_hostile_application_names_and_file_names_print_escaped_lines_only()
    {
        await _sandbox.SetAsync("shop/Db", Value);
        _sandbox.Folder.Write("site/::stop-commands::z ##vso[task.complete]x.json", "{\"a\": \"#{secret:::stop-commands::tok/Db}\", \"b\": \"#{secret:shop/Db}\"}");

        var required = await _sandbox.RunAsync("required", "site/*.json");
        var resolve = await _sandbox.RunAsync("resolve", "site/*.json");

        Assert.True(required.ExitCode == 0, required.ToString());
        Assert.StartsWith("\\x3A:stop-commands::tok/Db\trequired\t1\n", required.Stdout, StringComparison.Ordinal);
        WorkflowCommandScanner.AssertClean(required.Stdout, "required stdout");
        Assert.Equal(1, resolve.ExitCode);
        Assert.Contains("error SSB2001:", resolve.Stderr, StringComparison.Ordinal);
        WorkflowCommandScanner.AssertClean(resolve.Stdout, "resolve stdout");
        WorkflowCommandScanner.AssertClean(resolve.Stderr, "resolve stderr");
        ValueScanner.AssertNoValue(resolve, Value);
    }

    [Fact]
    public async Task On_GitHub_Actions_the_only_command_lines_are_the_tools_own_mask_commands()
    {
        await _sandbox.SetAsync("::stop-commands::tok/Db", Value);
        var file = _sandbox.Folder.Write("site/##vso[task.prependpath]x.json", "{\"a\": \"#{secret:::stop-commands::tok/Db}\"}");

        var result = await _sandbox.RunWithEnvironmentAsync(new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true" }, "resolve", "site/*.json");

        Assert.True(result.ExitCode == 0, result.ToString());
        // The mask commands go to stderr (issue 23 1.1), and they are the only command lines anywhere.
        var masks = WorkflowCommandScanner.FindCommands(result.Stderr);
        Assert.NotEmpty(masks);
        Assert.All(masks, m => Assert.StartsWith("::add-mask::", m, StringComparison.Ordinal));
        WorkflowCommandScanner.AssertClean(result.Stderr, "resolve stderr", l => l.StartsWith("::add-mask::", StringComparison.Ordinal));
        WorkflowCommandScanner.AssertClean(result.Stdout, "resolve stdout");
        Assert.Contains(file.Replace("##vso[", "\\x23#vso[", StringComparison.Ordinal), result.Stdout, StringComparison.Ordinal);
    }
}

using System.Text.Json.Nodes;
using SecretStore.Cli.Tests.Infrastructure;

namespace SecretStore.Cli.Tests.Commands;

/// <summary>
/// Issue 17, the lock file through the real tool: <c>secretstore lock</c> writes it, <c>resolve</c> then refuses the
/// rollback a store writer makes (SSB2020), <c>verify</c> reports drift (SSB2023), <c>--update-lock</c> moves it.
/// </summary>
public sealed class LockCommandTests : IDisposable
{
    private const string Old = "old-value-5a1e";
    private const string New = "new-value-c39b";
    private readonly FileStoreSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private string LockPath => _sandbox.Folder.Combine("secretstore.lock.json");

    [Fact]
    public async Task Lock_then_a_rolled_back_record_is_refused_by_resolve_with_nothing_written_and_update_lock_moves_it()
    {
        await _sandbox.SetAsync("shop/Db", Old);
        await _sandbox.SetAsync("shop/Db", New);
        var config = _sandbox.Folder.Write("appsettings.json", """{ "Db": "#{secret:shop/Db}" }""");

        var locked = await _sandbox.RunAsync("lock", "appsettings.json");

        Assert.True(locked.ExitCode == 0, locked.ToString());
        Assert.Contains($"{LockPath}: 1 secret(s) locked.", locked.Stderr, StringComparison.Ordinal);
        var lockText = File.ReadAllText(LockPath);
        Assert.Contains("\"revision\": 2", lockText, StringComparison.Ordinal);
        Assert.DoesNotContain(Old, lockText + locked.Stdout + locked.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(New, lockText + locked.Stdout + locked.Stderr, StringComparison.Ordinal);

        // A store writer puts revision 1's record back as the current one.
        var store = JsonNode.Parse(File.ReadAllText(_sandbox.StorePath))!.AsObject();
        var first = store["history"]!.AsArray().Single(e => (long)e!["Revision"]! == 1)!;
        var current = store["secrets"]!.AsArray().Single()!;
        current["Envelope"] = first["Envelope"]!.GetValue<string>();
        current["Revision"] = 1;
        File.WriteAllText(_sandbox.StorePath, store.ToJsonString());
        var before = File.ReadAllBytes(config);

        var refused = await _sandbox.RunAsync("resolve", "appsettings.json");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("error SSB2020", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("appsettings.json(1,", refused.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Old, refused.Stdout + refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(config));

        var moved = await _sandbox.RunAsync("resolve", "appsettings.json", "--update-lock");

        Assert.True(moved.ExitCode == 0, moved.ToString());
        Assert.Contains("\"revision\": 1", File.ReadAllText(LockPath), StringComparison.Ordinal);
        Assert.Contains(Old, File.ReadAllText(config), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_reports_a_secret_newer_than_the_lock_as_drift_and_succeeds()
    {
        await _sandbox.SetAsync("shop/Db", Old);
        _sandbox.Folder.Write("appsettings.json", """{ "Db": "#{secret:shop/Db}" }""");
        Assert.Equal(0, (await _sandbox.RunAsync("lock", "appsettings.json")).ExitCode);
        await _sandbox.SetAsync("shop/Db", New);

        var verify = await _sandbox.RunAsync("verify", "appsettings.json");

        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("warning SSB2023", verify.Stderr, StringComparison.Ordinal);
        Assert.Contains("secret 'shop/Db' is at revision 2 in the store, newer than revision 1", verify.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lock_file_that_does_not_parse_stops_resolve_with_SSB2022()
    {
        await _sandbox.SetAsync("shop/Db", Old);
        var config = _sandbox.Folder.Write("appsettings.json", """{ "Db": "#{secret:shop/Db}" }""");
        File.WriteAllText(LockPath, "{ \"version\": 1, \"secrets\": [ { \"application\": \"shop\" } ] }");
        var before = File.ReadAllBytes(config);

        var result = await _sandbox.RunAsync("resolve", "appsettings.json");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error SSB2022", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(LockPath, result.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(config));
    }
}

using System.Text.Json.Nodes;

namespace Cake.SecretStore.Tests;

/// <summary>
/// Issue 17 through the real Cake runner: <c>VerifySecrets</c> with <c>UpdateLock</c> writes the lock beside the
/// settings file, and a store writer's rollback then fails <c>ResolveSecrets</c> with SSB2020, the file untouched.
/// </summary>
[Collection(CakeCollection.Name)]
public sealed class CakeLockTests(AddinFeed feed) : IDisposable
{
    private readonly CakeWorkspace _workspace = new(feed);

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public async Task UpdateLock_writes_the_lock_and_a_rolled_back_record_then_fails_ResolveSecrets_with_SSB2020()
    {
        await _workspace.SeedAsync("Shop", "Db", "canary-lock-old-1d2e");
        await _workspace.SeedAsync("Shop", "Db", "canary-lock-new-1d2e");
        var config = _workspace.Write("config/app.json", """{ "Db": "#{secret:Db}" }""");

        var locking = _workspace.RunCake(CakeWorkspace.TryPrelude + """
            Task("Default").Does(() =>
            {
                System.IO.File.WriteAllText("locked.txt", Try(() => VerifySecrets("./config/app.json", new SecretStoreSettings { DefaultApplication = "Shop", UpdateLock = true }).SecretCount.ToString()));
            });

            RunTarget("Default");
            """);

        Assert.True(locking.ExitCode == 0, locking.Output);
        Assert.Equal("ok:1", _workspace.Read("locked.txt"));
        Assert.Contains("\"revision\": 2", _workspace.Read("secretstore.lock.json"), StringComparison.Ordinal);

        // A store writer puts revision 1's record back as the current one.
        var root = JsonNode.Parse(File.ReadAllText(_workspace.StorePath))!.AsObject();
        var first = root["history"]!.AsArray().Single(e => (long)e!["Revision"]! == 1)!;
        var current = root["secrets"]!.AsArray().Single()!;
        current["Envelope"] = first["Envelope"]!.GetValue<string>();
        current["Revision"] = 1;
        File.WriteAllText(_workspace.StorePath, root.ToJsonString());
        var before = File.ReadAllText(config);

        var refused = _workspace.RunCake(CakeWorkspace.TryPrelude + """
            Task("Default").Does(() =>
            {
                System.IO.File.WriteAllText("resolved.txt", Try(() => ResolveSecrets("./config/app.json", new SecretStoreSettings { DefaultApplication = "Shop" }).FilesWritten.ToString()));
            });

            RunTarget("Default");
            """);

        Assert.True(refused.ExitCode == 0, refused.Output);
        Assert.StartsWith("error:", _workspace.Read("resolved.txt"), StringComparison.Ordinal);
        Assert.Contains("SSB2020", _workspace.Read("resolved.txt") + refused.Output, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(config));
        Assert.DoesNotContain("canary-", locking.Output + refused.Output + _workspace.Read("secretstore.lock.json"), StringComparison.Ordinal);
    }
}

using System.Security.Cryptography;
using System.Text.Json.Nodes;
using SecretStore.Cli.Tests.Infrastructure;
using SecretStore.Repositories.File;
using SecretStore.Secrets;

namespace SecretStore.Cli.Tests.Commands;

/// <summary>
/// Issue 17 parts 4 and 5 through the real tool: a record for several recipients (<c>--recipients</c>), each of whom
/// reads it with his reader secret alone; <c>rewrap --recipients</c> and <c>keys remove</c> when one leaves; the store id
/// (<c>store-id</c>) that refuses a record copied from another store (SSB3014).
/// </summary>
public sealed class RecipientsCommandTests : IDisposable
{
    private const string Value = "shared-value-5e1c";
    private readonly FileStoreSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task A_secret_for_two_recipients_is_read_by_each_alone_until_rewrap_drops_one_and_keys_remove_removes_him()
    {
        using (var bob = RSA.Create(2048))
        {
            await File.WriteAllTextAsync(_sandbox.Folder.Combine("bob.pem"), bob.ExportPkcs8PrivateKeyPem());
        }

        Assert.Equal(0, (await _sandbox.RunAsync("keys", "add", _sandbox.KeyringPath, "--key-id", "bob", "--private-key", "bob.pem")).ExitCode);
        var bobReader = (await _sandbox.RunAsync("keys", "export-reader", _sandbox.KeyringPath, "--key-id", "bob")).Stdout;
        var primaryReader = (await _sandbox.RunAsync("keys", "export-reader", _sandbox.KeyringPath, "--key-id", FileStoreSandbox.KeyId)).Stdout;

        var set = await _sandbox.RunWithInputAsync(Value, "set", "shop/Db", "--recipients", "primary,bob");

        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Equal("shop/Db\trevision 1\tV2\tprimary,bob\n", set.Stdout);
        Assert.Equal("Db\t1\tV2\tprimary,bob\n", (await _sandbox.RunAsync("list", "shop")).Stdout);
        foreach (var reader in new[] { bobReader, primaryReader })
        {
            var get = await ReadAsAsync(reader);
            Assert.True(get.ExitCode == 0, get.ToString());
            Assert.Equal(Value, get.Stdout);
        }

        // An update takes its recipients from the command or the settings, never from the stored record, and says when
        // that changes who can read the secret.
        var narrowed = await _sandbox.RunWithInputAsync(Value + "?", "set", "shop/Db");
        Assert.Equal("shop/Db\trevision 2\tV2\tprimary\n", narrowed.Stdout);
        Assert.Contains("warning SSB3015: 'shop/Db' was written for primary; the record it replaced was for primary,bob.", narrowed.Stderr, StringComparison.Ordinal);
        var kept = await _sandbox.RunWithInputAsync(Value + "!", "set", "shop/Db", "--recipients", "primary,bob");
        Assert.Equal("shop/Db\trevision 3\tV2\tprimary,bob\n", kept.Stdout);
        Assert.Contains("warning SSB3015", kept.Stderr, StringComparison.Ordinal);
        Assert.Equal(Value + "!", (await ReadAsAsync(bobReader)).Stdout);

        // Bob leaves: rewrap without him, then remove his key.
        var rewrap = await _sandbox.RunAsync("rewrap", "shop", "--recipients", "primary");
        Assert.True(rewrap.ExitCode == 0, rewrap.ToString());
        Assert.Equal("shop/Db\trewrapped\tV2 primary,bob -> V2 primary\trevision 4\n", rewrap.Stdout);

        // The red team's rollback (RT.20a): back to a revision written for bob, it is written for the current recipients.
        var rollback = await _sandbox.RunAsync("rollback", "shop/Db", "--to", "1");
        Assert.True(rollback.ExitCode == 0, rollback.ToString());
        Assert.Equal("shop/Db\trevision 5\tV2\tprimary\n", rollback.Stdout);
        Assert.Equal(1, (await ReadAsAsync(bobReader)).ExitCode);
        var history = await _sandbox.RunAsync("history", "shop/Db");
        Assert.Equal(["primary,bob", "primary", "primary,bob", "primary", "primary"], history.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split('\t')[3]));
        var refused = await ReadAsAsync(bobReader);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("error SSB30", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(Value, (await ReadAsAsync(primaryReader)).Stdout);

        var remove = await _sandbox.RunAsync("keys", "remove", _sandbox.KeyringPath, "--key-id", "bob");
        Assert.True(remove.ExitCode == 0, remove.ToString());
        Assert.Equal("bob\n", remove.Stdout);
        Assert.DoesNotContain("bob", (await _sandbox.RunAsync("keys", "list", _sandbox.KeyringPath)).Stdout, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Combine(_sandbox.KeyringPath, "keys"), "bob*"));

        // A recipient list naming a key the keyring does not have is a coded error, and nothing is written.
        var before = await File.ReadAllBytesAsync(_sandbox.StorePath);
        var unknown = await _sandbox.RunAsync("rewrap", "shop", "--recipients", "primary,bob");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("error SSB3001", unknown.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(_sandbox.StorePath));
        ValueScanner.AssertNoValue(set.Stdout + set.Stderr + rewrap.Stdout + rewrap.Stderr + refused.Stdout + refused.Stderr + unknown.Stderr, "recipient commands", Value);
    }

    [Fact]
    public async Task Keys_remove_refuses_the_default_key_and_an_unknown_one()
    {
        var defaultKey = await _sandbox.RunAsync("keys", "remove", _sandbox.KeyringPath, "--key-id", FileStoreSandbox.KeyId);
        var unknown = await _sandbox.RunAsync("keys", "remove", _sandbox.KeyringPath, "--key-id", "nobody");

        Assert.Equal(1, defaultKey.ExitCode);
        Assert.Contains("error SSB0001: Key 'primary' is the default key", defaultKey.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("error SSB3001", unknown.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_record_copied_from_another_store_is_refused_with_SSB3014_and_store_id_prints_each_stores_id()
    {
        await _sandbox.SetAsync("shop/Db", Value);
        var other = new Dictionary<string, string> { ["SECRETSTORE_STORE"] = "file:" + _sandbox.Folder.Combine("production.json") };
        Assert.Equal(0, (await _sandbox.RunWithInputAndEnvironmentAsync("production-value", other, ["set", "shop/Db"])).ExitCode);
        var stagingId = (await _sandbox.RunAsync("store-id")).Stdout.TrimEnd('\n');
        var productionId = (await _sandbox.RunWithEnvironmentAsync(other, "store-id")).Stdout.TrimEnd('\n');
        Assert.Matches("^[0-9a-f]{32}$", stagingId);
        Assert.Matches("^[0-9a-f]{32}$", productionId);
        Assert.NotEqual(stagingId, productionId);

        // The store writer's attack: the staging record, copied over production's (same keyring, consistent record).
        var production = new FileSecretRepository(_sandbox.Folder.Combine("production.json"));
        var id = new SecretId("shop", "Db");
        await production.SaveAsync((await new FileSecretRepository(_sandbox.StorePath).GetAsync(id))!, (await production.GetAsync(id))!.Revision);

        var get = await _sandbox.RunWithEnvironmentAsync(other, "get", "shop/Db");
        var resolve = await _sandbox.RunWithEnvironmentAsync(other, "verify", "--app", "shop", WriteConfig());

        Assert.Equal(1, get.ExitCode);
        Assert.Contains($"error SSB3014: The record of 'shop/Db' was written for store '{stagingId}', but this store is '{productionId}'", get.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, get.Stdout);
        Assert.NotEqual(0, resolve.ExitCode);
        Assert.Contains("SSB3014", resolve.Stderr, StringComparison.Ordinal);
        ValueScanner.AssertNoValue(get.Stdout + get.Stderr + resolve.Stdout + resolve.Stderr, "copied record", Value);
    }

    [Fact]
    public async Task An_older_store_gets_an_id_with_store_id_create_and_rewrap_binds_its_records()
    {
        // A store written before store ids: it has records and no id, so new writes stay unbound.
        await File.WriteAllTextAsync(_sandbox.StorePath, new JsonObject
        {
            ["version"] = 1,
            ["secrets"] = new JsonArray(new JsonObject { ["ApplicationName"] = "other", ["Name"] = "Seed", ["Format"] = 2, ["Revision"] = 1, ["MasterKeyId"] = "primary", ["Envelope"] = "AQ==" }),
        }.ToJsonString());
        await _sandbox.SetAsync("shop/Db", Value);
        var none = await _sandbox.RunAsync("store-id");
        Assert.True(none.ExitCode == 0, none.ToString());
        Assert.Equal(string.Empty, none.Stdout);
        Assert.Contains("warning SSB3014: This store has no store id", none.Stderr, StringComparison.Ordinal);

        var create = await _sandbox.RunAsync("store-id", "--create");
        var again = await _sandbox.RunAsync("store-id", "--create");
        var rewrap = await _sandbox.RunAsync("rewrap", "shop");

        Assert.Matches("^[0-9a-f]{32}\n$", create.Stdout);
        Assert.Equal(create.Stdout, again.Stdout);
        Assert.Equal("shop/Db\trewrapped\tV2 primary -> V2 primary\trevision 2\n", rewrap.Stdout);
        Assert.Equal("shop/Db\tunchanged\tV2 primary -> V2 primary\trevision 2\n", (await _sandbox.RunAsync("rewrap", "shop")).Stdout);
        Assert.Equal(Value, (await _sandbox.RunAsync("get", "shop/Db")).Stdout);
        var record = (await new FileSecretRepository(_sandbox.StorePath).GetAsync(new SecretId("shop", "Db")))!;
        Assert.Contains(create.Stdout.TrimEnd('\n'), System.Text.Encoding.UTF8.GetString(record.Envelope!), StringComparison.Ordinal);
    }

    private Task<ProcessResult> ReadAsAsync(string readerSecret) =>
        _sandbox.RunWithEnvironmentAsync(new Dictionary<string, string> { ["READER"] = readerSecret, ["SECRETSTORE_PRIVATE_KEY_ENV"] = "READER" }, "get", "shop/Db");

    private string WriteConfig()
    {
        var path = _sandbox.Folder.Combine("appsettings.json");
        File.WriteAllText(path, "{\"Db\":\"#{secret:Db}\"}");
        return path;
    }
}

using System.Text;
using SecretStore.Aws.DynamoDb;
using SecretStore.Aws.Kms;
using SecretStore.Cli.Tests.Infrastructure;
using SecretStore.Configuration;
using SecretStore.Repositories;
using SecretStore.Testing.Repositories;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Testing.Aws.DynamoDb;
using SecretStore.Testing.Aws.Kms;

namespace SecretStore.Cli.Tests.DynamoDb;

public sealed class DynamoDbCommandTests(DynamoDbStoreFixture fixture) : IClassFixture<DynamoDbStoreFixture>, IDisposable
{
    private readonly TempDirectory _folder = new();
    private readonly string _table = DynamoDbLocal.UniqueTableName("cli");

    public void Dispose() => _folder.Dispose();

    // These tests are not about the allow-list (MasterKeyAllowListCommandTests is): every fixture key is allowed.
    private Task<ProcessResult> RunAsync(byte[]? stdin, params string[] args) =>
        CliProcess.RunAsync(_folder.Path, args, fixture.Environment(_table, fixture.Kms.AllKeyIds()), stdin);

    [Fact]
    public async Task Table_create_then_set_get_list_resolve_against_DynamoDB_Local_and_KMS()
    {
        var key = fixture.Kms.CreateKey("cli-tests-" + Guid.NewGuid().ToString("N")[..8]);

        var create = await RunAsync(null, "table", "create");
        Assert.True(create.ExitCode == 0, create.ToString());
        Assert.Equal($"{_table}\tcreated\n", create.Stdout);
        var again = await RunAsync(null, "table", "create");
        Assert.Equal($"{_table}\texists\n", again.Stdout);

        const string value = "dynamo-value\u00e9;\"quoted\"";
        var set = await RunAsync(Encoding.UTF8.GetBytes(value), "set", "shop/Db", "--key-id", key.AliasName!);
        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Equal($"shop/Db\trevision 1\tV2\t{key.AliasName}\n", set.Stdout);

        var get = await RunAsync(null, "get", "shop/Db");
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal(Encoding.UTF8.GetBytes(value), get.StdoutBytes);

        var list = await RunAsync(null, "list", "shop");
        Assert.Equal($"Db\t1\tV2\t{key.AliasName}\n", list.Stdout);

        var json = _folder.Write("appsettings.json", "{\"Db\": \"#{secret:shop/Db}\"}");
        var resolve = await RunAsync(null, "resolve", "appsettings.json");
        Assert.True(resolve.ExitCode == 0, resolve.ToString());
        Assert.Equal("{\"Db\": \"dynamo-value\u00e9;\\\"quoted\\\"\"}", File.ReadAllText(json));

        var next = fixture.Kms.CreateKey();
        var rewrap = await RunAsync(null, "rewrap", "shop", "--key-id", next.Arn);
        Assert.True(rewrap.ExitCode == 0, rewrap.ToString());
        Assert.Equal($"shop/Db\trewrapped\tV2 {key.AliasName} -> V2 {next.Arn}\trevision 2\n", rewrap.Stdout);
        var afterRewrap = await RunAsync(null, "get", "shop/Db");
        Assert.Equal(Encoding.UTF8.GetBytes(value), afterRewrap.StdoutBytes);

        foreach (var result in new[] { create, set, list, resolve, rewrap })
        {
            ValueScanner.AssertNoValue(result, value);
        }
    }

    [Fact]
    public async Task Import_of_a_scan_dump_into_DynamoDB_keeps_the_bytes_and_a_missing_table_is_SSB2008()
    {
        var missing = await RunAsync(null, "get", "shop/Db");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("error SSB2008", missing.Stderr, StringComparison.Ordinal);

        Assert.Equal(0, (await RunAsync(null, "table", "create")).ExitCode);
        var key = fixture.Kms.CreateKey();
        var records = await ProtectWithKmsAsync(key.Arn, ("legacy", "Old", "kms-v1-value", ProtectedSecretFormat.V1), ("legacy", "New", "kms-v2-value", ProtectedSecretFormat.V2));
        _folder.Write("scan.json", ReferenceRecords.ToScanDump(records));

        var import = await RunAsync(null, "import", "scan.json", "--allow-v1");

        Assert.True(import.ExitCode == 0, import.ToString());
        using var repository = DynamoDbSecretRepository.Create(_table, KmsFixtureServer.Region, fixture.DynamoDbUrl.ToString());
        foreach (var record in records)
        {
            ReferenceRecords.AssertSameProtectedBytes(record, await repository.GetAsync(record.Id));
        }

        var get = await RunAsync(null, "get", "legacy/Old", "--allow-v1");
        Assert.Equal(Encoding.UTF8.GetBytes("kms-v1-value"), get.StdoutBytes);
        ValueScanner.AssertNoValue(import, "kms-v1-value", "kms-v2-value");
    }

    private async Task<IReadOnlyList<ProtectedSecretRecord>> ProtectWithKmsAsync(string keyId, params (string App, string Name, string Value, ProtectedSecretFormat Format)[] secrets)
    {
        var settings = new StoreSettings { Storage = StorageKind.DynamoDb, Protection = ProtectionKind.Kms, Region = KmsFixtureServer.Region, KmsServiceUrl = fixture.Kms.ServiceUrl.ToString(), KeyId = keyId };
        using var keyManager = KmsKeyManager.Create(settings);
        var repository = new InMemorySecretRepository();
        using var store = new EnvelopeSecretStore(repository, keyManager, new EnvelopeSecretStoreOptions { DefaultKeyId = keyId, AllowV1 = true });
        var records = new List<ProtectedSecretRecord>();
        foreach (var (app, name, value, format) in secrets)
        {
            var id = new SecretId(app, name);
            await store.SetAsync(id, value, new SetSecretOptions { Format = format });
            records.Add((await repository.GetAsync(id))!);
        }

        return records;
    }
}

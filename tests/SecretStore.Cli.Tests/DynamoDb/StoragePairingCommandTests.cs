using System.Text;
using SecretStore.Cli.Tests.Infrastructure;
using SecretStore.Testing.Aws.DynamoDb;
using SecretStore.Testing.Aws.Kms;

namespace SecretStore.Cli.Tests.DynamoDb;

/// <summary>
/// The two pairings that are new with independent storage and protection, through the tool: RSA-protected rows in a
/// DynamoDB Local table, and a store file whose data keys the KMS fixture wraps; each chosen by options and by a
/// <c>secretstore.json</c> environment.
/// </summary>
public sealed class StoragePairingCommandTests : IClassFixture<DynamoDbStoreFixture>, IDisposable
{
    private const string DbValue = "Server=db;Password=pairing-db-4c1\u00e9";
    private const string ApiValue = "pairing-api-key-9d2;\"quoted\"";
    private const string Placeholders = "{\"Db\": \"#{secret:shop/Db}\", \"Api\": \"#{secret:shop/ApiKey}\"}";
    private const string Resolved = "{\"Db\": \"Server=db;Password=pairing-db-4c1\u00e9\", \"Api\": \"pairing-api-key-9d2;\\\"quoted\\\"\"}";

    private readonly DynamoDbStoreFixture _fixture;
    private readonly TempDirectory _folder = new();
    private readonly string _table = DynamoDbLocal.UniqueTableName("pair");

    // The option tests name storage and protection as options; only the region and the KMS endpoint come from the
    // environment (so an RSA run that still reached KMS is counted). The settings-file tests clear it: the file alone
    // decides. Never SECRETSTORE_STORE: a run that lost its store selection fails with SSB0003 instead of passing.
    private readonly Dictionary<string, string> _environment;

    public StoragePairingCommandTests(DynamoDbStoreFixture fixture)
    {
        _fixture = fixture;
        _environment = new() { ["SECRETSTORE_REGION"] = KmsFixtureServer.Region, ["SECRETSTORE_KMS_SERVICE_URL"] = fixture.Kms.ServiceUrl.ToString() };
        fixture.Kms.ResetCounters();
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task DynamoDb_with_keyring_option_sets_gets_and_resolves_RSA_rows_and_asks_KMS_nothing()
    {
        var keyId = await InitKeyringAsync();
        string[] store = ["--store", "dynamodb:" + _table, "--keyring", "kr", "--service-url", _fixture.DynamoDbUrl.ToString()];

        var results = await DynamoDbRsaRoundTripAsync(keyId, store);

        // The KMS endpoint was given (SECRETSTORE_KMS_SERVICE_URL), so a KMS call would have been counted here.
        Assert.Equal(0, _fixture.Kms.TotalRequests);
        AssertNoValue(results);
    }

    [Fact]
    public async Task DynamoDb_with_protection_rsa_option_reads_the_same_rows_as_the_keyring_option()
    {
        var keyId = await InitKeyringAsync();
        string[] store = ["--store", "dynamodb:" + _table, "--protection", "rsa:kr", "--service-url", _fixture.DynamoDbUrl.ToString()];

        var results = await DynamoDbRsaRoundTripAsync(keyId, store);

        Assert.Equal(0, _fixture.Kms.TotalRequests);
        AssertNoValue(results);
    }

    [Fact]
    public async Task File_store_with_protection_kms_sets_gets_and_resolves_and_the_file_holds_the_key_ARN_only()
    {
        var key = _fixture.Kms.CreateKey("pair-" + Guid.NewGuid().ToString("N")[..8]);
        string[] store = ["--store", "file:secrets.json", "--protection", "kms", "--kms-service-url", _fixture.Kms.ServiceUrl.ToString()];

        var results = await FileKmsRoundTripAsync(key, [.. store, "--key-id", key.Arn], [.. store, "--allowed-key-id", key.Arn]);

        AssertNoValue(results);
    }

    [Fact]
    public async Task Environment_Pairs_of_secretstore_json_selects_DynamoDb_with_an_RSA_keyring()
    {
        var keyId = await InitKeyringAsync();
        _environment.Clear();
        // The KMS endpoint is set as well: an RSA environment that still reached KMS would be counted.
        _folder.Write("secretstore.json", $$"""
            {
              "environments": {
                "Pairs": {
                  "storage": "dynamodb:{{_table}}",
                  "protection": "rsa:kr",
                  "region": "{{KmsFixtureServer.Region}}",
                  "serviceUrl": "{{_fixture.DynamoDbUrl}}",
                  "kmsServiceUrl": "{{_fixture.Kms.ServiceUrl}}"
                }
              }
            }
            """);

        var results = await DynamoDbRsaRoundTripAsync(keyId, ["--env", "Pairs"]);

        Assert.Equal(0, _fixture.Kms.TotalRequests);
        AssertNoValue(results);
    }

    [Fact]
    public async Task Environment_Pairs_of_secretstore_json_selects_a_KMS_protected_store_file()
    {
        var key = _fixture.Kms.CreateKey("pair-" + Guid.NewGuid().ToString("N")[..8]);
        _environment.Clear();
        // keyId is the write key and, with no allowedKeyIds, the one key reads accept.
        _folder.Write("secretstore.json", $$"""
            {
              "environments": {
                "Pairs": {
                  "storage": "file:secrets.json",
                  "protection": "kms",
                  "keyId": "{{key.Arn}}",
                  "region": "{{KmsFixtureServer.Region}}",
                  "kmsServiceUrl": "{{_fixture.Kms.ServiceUrl}}"
                }
              }
            }
            """);

        var results = await FileKmsRoundTripAsync(key, ["--env", "Pairs"], ["--env", "Pairs"]);

        AssertNoValue(results);
    }

    private async Task<string> InitKeyringAsync()
    {
        var init = await RunAsync(null, "keys", "init", "kr", "--key-id", "pair-key", "--key-size", "2048");
        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.Equal("pair-key\n", init.Stdout);
        return "pair-key";
    }

    /// <summary>table create, two sets, a get and a resolve of both, all with the same store selection.</summary>
    private async Task<ProcessResult[]> DynamoDbRsaRoundTripAsync(string keyId, string[] store)
    {
        var create = await RunAsync(null, ["table", "create", .. store]);
        Assert.True(create.ExitCode == 0, create.ToString());
        Assert.Equal($"{_table}\tcreated\n", create.Stdout);

        var (setDb, setApi) = await SetBothAsync(store, keyId);
        var list = await RunAsync(null, ["list", "shop", .. store]);
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Equal($"ApiKey\t1\tV2\t{keyId}\nDb\t1\tV2\t{keyId}\n", list.Stdout);

        var resolve = await GetAndResolveAsync(store);
        return [create, setDb, setApi, list, resolve];
    }

    /// <summary>Two sets, then a get and a resolve of both; the store file is checked and the fixture's Decrypts counted.</summary>
    private async Task<ProcessResult[]> FileKmsRoundTripAsync(FixtureKey key, string[] writeStore, string[] readStore)
    {
        var (setDb, setApi) = await SetBothAsync(writeStore, key.Arn);
        Assert.Equal(2, _fixture.Kms.RequestCount("GenerateDataKey"));
        Assert.Equal(0, _fixture.Kms.RequestCount("Decrypt"));

        // What a repository would commit: the key ARN of each record, and neither value in any form.
        var text = File.ReadAllText(_folder.Combine("secrets.json"));
        Assert.Contains(key.Arn, text, StringComparison.Ordinal);
        ValueScanner.AssertNoValue(text, "the store file", DbValue, ApiValue);

        var resolve = await GetAndResolveAsync(readStore);
        // One Decrypt per record opened: get opens Db, resolve opens Db and ApiKey.
        Assert.Equal(3, _fixture.Kms.RequestCount("Decrypt"));
        return [setDb, setApi, resolve];
    }

    private async Task<(ProcessResult Db, ProcessResult Api)> SetBothAsync(string[] store, string expectedKeyId)
    {
        var db = await RunAsync(Encoding.UTF8.GetBytes(DbValue), ["set", "shop/Db", .. store]);
        Assert.True(db.ExitCode == 0, db.ToString());
        Assert.Equal($"shop/Db\trevision 1\tV2\t{expectedKeyId}\n", db.Stdout);
        var api = await RunAsync(Encoding.UTF8.GetBytes(ApiValue), ["set", "shop/ApiKey", .. store]);
        Assert.True(api.ExitCode == 0, api.ToString());
        Assert.Equal($"shop/ApiKey\trevision 1\tV2\t{expectedKeyId}\n", api.Stdout);
        return (db, api);
    }

    /// <summary>get of Db (its value checked, its stderr scanned here), then a resolve of both; returns the resolve.</summary>
    private async Task<ProcessResult> GetAndResolveAsync(string[] store)
    {
        var get = await RunAsync(null, ["get", "shop/Db", .. store]);
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal(Encoding.UTF8.GetBytes(DbValue), get.StdoutBytes);
        // get prints the value on stdout by design; its stderr holds none.
        ValueScanner.AssertNoValue(get.Stderr, "get's stderr", DbValue, ApiValue);

        var json = _folder.Write("appsettings.json", Placeholders);
        var resolve = await RunAsync(null, ["resolve", "appsettings.json", .. store]);
        Assert.True(resolve.ExitCode == 0, resolve.ToString());
        Assert.Equal(Resolved, File.ReadAllText(json));
        return resolve;
    }

    private static void AssertNoValue(IEnumerable<ProcessResult> results)
    {
        foreach (var result in results)
        {
            ValueScanner.AssertNoValue(result, DbValue, ApiValue);
        }
    }

    private Task<ProcessResult> RunAsync(byte[]? stdin, params string[] args) =>
        CliProcess.RunAsync(_folder.Path, args, _environment, stdin);
}

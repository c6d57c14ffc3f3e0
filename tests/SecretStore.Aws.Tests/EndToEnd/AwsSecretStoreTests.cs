using Amazon.DynamoDBv2.Model;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using SecretStore.Aws.Kms;
using SecretStore.Aws.Tests.Infrastructure;
using SecretStore.Configuration;
using SecretStore.Diagnostics;
using SecretStore.Keys;
using SecretStore.Keys.Rsa;
using SecretStore.Locking;
using SecretStore.Repositories;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Testing.Aws.DynamoDb;
using SecretStore.Testing.Aws.Kms;
using static SecretStore.Aws.DynamoDb.SecretTableAttributes;

namespace SecretStore.Aws.Tests.EndToEnd;

/// <summary>The engine's store over DynamoDB Local and the KMS fixture: real SDK clients end to end.</summary>
public sealed class AwsSecretStoreTests : IClassFixture<SecretTableFixture>, IClassFixture<KmsServerFixture>
{
    private const string Value = "Server=db;Password=correct horse battery staple";
    private readonly SecretTableFixture _table;
    private readonly KmsServerFixture _kms;

    public AwsSecretStoreTests(SecretTableFixture table, KmsServerFixture kms)
    {
        _table = table;
        _kms = kms;
        kms.Reset();
    }

    private KmsFixtureServer Server => _kms.Server;

    [Fact]
    public async Task Set_get_list_and_update_round_trip_as_v2_rows_without_v1_fields()
    {
        var key = Server.CreateKey("orders-" + Guid.NewGuid().ToString("N"));
        using var store = NewStore(key.AliasName!);
        var id = new SecretId(Records.NewApplication("orders"), "db-password");

        var first = await store.SetAsync(id, Value);
        var second = await store.SetAsync(id, Value + "!", new SetSecretOptions { ExpectedRevision = 1 });

        Assert.Equal(1, first.Revision);
        Assert.Equal(2, second.Revision);
        Assert.Equal(Value + "!", (await store.GetAsync(id)).Value);
        var listed = Assert.Single(await store.ListAsync(id.ApplicationName));
        // The record digest (for lock files) is the row's own; the rest is what was written.
        Assert.True(RecordDigest.IsWellFormed(listed.RecordDigest), listed.RecordDigest);
        Assert.Equal(new SecretMetadata(id, 2, key.AliasName!, ProtectedSecretFormat.V2) { IsKeyAllowed = true, EnvelopeVersion = 3, StoreId = await _table.NewRepository().GetStoreIdAsync() }, listed with { RecordDigest = null });
        var item = await _table.RawItemAsync(id.ApplicationName, id.Name);
        Assert.Equal(new[] { ApplicationName, Envelope, Format, MasterKeyId, Revision, SecretName }, item.Keys.Order(StringComparer.Ordinal));
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.SetAsync(id, "late", new SetSecretOptions { ExpectedRevision = 1 }));
    }

    [Fact]
    public async Task A_v2_row_copied_to_another_SecretName_fails_to_open()
    {
        var key = Server.CreateKey();
        using var store = NewStore(key.Arn);
        var app = Records.NewApplication();
        await store.SetAsync(new SecretId(app, "prod-password"), Value);
        var item = await _table.RawItemAsync(app, "prod-password");
        item[SecretName] = new AttributeValue { S = "test-password" };
        await _table.Client.PutItemAsync(new PutItemRequest { TableName = _table.TableName, Item = item });

        var error = await Assert.ThrowsAnyAsync<SecretStoreException>(() => store.GetAsync(new SecretId(app, "test-password")));

        // docs/diagnostics.md: a record copied or moved to another name is SSB3003 (its context does not match).
        Assert.Equal("SSB3003", error.Code.Id);
        Assert.DoesNotContain("horse", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reference_v1_row_with_a_KMS_wrapped_key_reads_back_at_revision_1()
    {
        var key = Server.CreateKey("legacy-" + Guid.NewGuid().ToString("N"));
        var app = Records.NewApplication("legacy");
        // The reference asked KMS for an AES-128 data key with no encryption context.
        var dataKey = await _kms.Client.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.AliasName, KeySpec = DataKeySpec.AES_128 });
        await PutReferenceRowAsync(app, "ConnectionString", key.AliasName!, dataKey.CiphertextBlob.ToArray(), dataKey.Plaintext.ToArray());
        using var store = NewStore(key.AliasName!, allowV1: true);

        var secret = await store.GetAsync(new SecretId(app, "ConnectionString"));

        Assert.Equal(Value, secret.Value);
        Assert.Equal(ProtectedSecretFormat.V1, secret.Metadata.Format);
        Assert.Equal(1, secret.Metadata.Revision);
    }

    [Fact]
    public async Task A_reference_v1_row_with_an_RSA_wrapped_key_reads_back()
    {
        var directory = Directory.CreateTempSubdirectory("secretstore-aws-rsa-");
        try
        {
            using var keyring = RsaKeyring.Create(directory.FullName, "rsa-main");
            var keyManager = new RsaKeyManager(keyring);
            using var documentKey = await keyManager.GenerateDataKeyAsync("rsa-main", 16, EncryptionContext.Empty, ProtectedSecretFormat.V1);
            var app = Records.NewApplication("rsa");
            await PutReferenceRowAsync(app, "ApiKey", "rsa-main", documentKey.WrappedKey, documentKey.Plaintext.ToArray());
            using var store = new EnvelopeSecretStore(_table.NewRepository(), keyManager, new EnvelopeSecretStoreOptions { DefaultKeyId = "rsa-main", AllowV1 = true });

            var secret = await store.GetAsync(new SecretId(app, "ApiKey"));

            Assert.Equal(Value, secret.Value);
            Assert.Equal(ProtectedSecretFormat.V1, secret.Metadata.Format);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task GetMany_asks_KMS_at_most_once_per_distinct_wrapped_key()
    {
        var key = Server.CreateKey();
        var app = Records.NewApplication("many");
        using (var writer = NewStore(key.Arn))
        {
            for (var i = 0; i < 20; i++)
            {
                await writer.SetAsync(new SecretId(app, $"v2-{i:D2}"), $"{Value}-{i}");
            }
        }

        // Ten reference rows sharing one wrapped document key: one ciphertext, one Decrypt.
        var shared = await _kms.Client.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.Arn, KeySpec = DataKeySpec.AES_128 });
        for (var i = 0; i < 10; i++)
        {
            await PutReferenceRowAsync(app, $"v1-{i:D2}", key.Arn, shared.CiphertextBlob.ToArray(), shared.Plaintext.ToArray());
        }

        var ids = Enumerable.Range(0, 20).Select(i => new SecretId(app, $"v2-{i:D2}"))
            .Concat(Enumerable.Range(0, 10).Select(i => new SecretId(app, $"v1-{i:D2}")))
            .Append(new SecretId(app, "missing"))
            .ToList();
        Server.ResetCounters();
        using var store = NewStore(key.Arn, allowV1: true);

        var secrets = await store.GetManyAsync(ids);
        var decryptsAfterFirst = Server.RequestCount("Decrypt");
        var again = await store.GetManyAsync(ids);

        Assert.Equal(30, secrets.Count);
        Assert.Equal($"{Value}-7", secrets[new SecretId(app, "v2-07")].Value);
        Assert.Equal(Value, secrets[new SecretId(app, "v1-03")].Value);
        Assert.Equal(21, decryptsAfterFirst);
        Assert.Equal(30, again.Count);
        Assert.Equal(21, Server.RequestCount("Decrypt"));
    }

    [Fact]
    public async Task Throttling_then_success_reads_the_secret()
    {
        var key = Server.CreateKey();
        using var store = NewStore(key.Arn);
        var id = new SecretId(Records.NewApplication(), "throttled");
        await store.SetAsync(id, Value);
        Server.ThrottleNext(2);

        Assert.Equal(Value, (await store.GetAsync(id)).Value);
    }

    [Fact]
    public async Task Throttling_until_the_SDK_gives_up_fails_whole_with_SSB2005_and_writes_nothing()
    {
        var key = Server.CreateKey();
        var app = Records.NewApplication();
        using (var writer = NewStore(key.Arn))
        {
            await writer.SetAsync(new SecretId(app, "a"), Value);
            await writer.SetAsync(new SecretId(app, "b"), Value);
        }

        using var store = NewStore(key.Arn);
        Server.ThrottleNext(int.MaxValue);

        var read = await Assert.ThrowsAnyAsync<SecretStoreException>(() => store.GetManyAsync([new SecretId(app, "a"), new SecretId(app, "b")]));
        var write = await Assert.ThrowsAnyAsync<SecretStoreException>(() => store.SetAsync(new SecretId(app, "c"), Value));

        Assert.Equal("SSB2005", read.Code.Id);
        Assert.Contains("Decrypt", read.Message, StringComparison.Ordinal);
        Assert.Equal("SSB2005", write.Code.Id);
        Assert.Contains("GenerateDataKey", write.Message, StringComparison.Ordinal);
        Assert.Contains(key.Arn, write.Message, StringComparison.Ordinal);
        Assert.Empty(await _table.RawItemAsync(app, "c"));
        Assert.Equal(2, (await store.ListAsync(app)).Count);
    }

    [Fact]
    public async Task A_disabled_key_gives_SSB3006_on_read()
    {
        var key = Server.CreateKey();
        using var store = NewStore(key.Arn);
        var id = new SecretId(Records.NewApplication(), "disabled");
        await store.SetAsync(id, Value);
        Server.DisableKey(key.KeyId);

        var error = await Assert.ThrowsAnyAsync<SecretStoreException>(() => store.GetAsync(id));

        Assert.Equal("SSB3006", error.Code.Id);
    }

    [Fact]
    public async Task A_reference_row_naming_the_wrong_key_gives_SSB3003()
    {
        var actual = Server.CreateKey();
        var named = Server.CreateKey();
        var app = Records.NewApplication();
        var dataKey = await _kms.Client.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = actual.Arn, KeySpec = DataKeySpec.AES_128 });
        await PutReferenceRowAsync(app, "mislabelled", named.Arn, dataKey.CiphertextBlob.ToArray(), dataKey.Plaintext.ToArray());
        using var store = NewStore(named.Arn, allowV1: true);

        var error = await Assert.ThrowsAnyAsync<SecretStoreException>(() => store.GetAsync(new SecretId(app, "mislabelled")));

        Assert.Equal("SSB3003", error.Code.Id);
    }

    [Fact]
    public async Task The_settings_factory_builds_a_working_store_for_local_endpoints()
    {
        var key = Server.CreateKey("factory-" + Guid.NewGuid().ToString("N"));
        var settings = new StoreSettings
        {
            Storage = StorageKind.DynamoDb, Protection = ProtectionKind.Kms,
            Table = _table.TableName,
            ServiceUrl = (await DynamoDbLocal.GetServiceUrlAsync()).ToString(),
            KmsServiceUrl = Server.ServiceUrl.ToString(),
            KeyId = key.AliasName,
        };
        using var store = SecretStoreFactory.Default.Open(settings);
        var id = new SecretId(Records.NewApplication(), "from-settings");

        await store.SetAsync(id, Value);

        Assert.Equal(Value, (await store.GetAsync(id)).Value);
        Assert.Equal(key.AliasName, (await store.ListAsync(id.ApplicationName))[0].MasterKeyId);
    }

    private EnvelopeSecretStore NewStore(string keyId, bool allowV1 = false) => new(
        _table.NewRepository(),
        new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = Server.AllKeyIds() }),
        new EnvelopeSecretStoreOptions { DefaultKeyId = keyId, AllowV1 = allowV1 },
        ownsComponents: true);

    private Task PutReferenceRowAsync(string app, string name, string masterKeyId, byte[] wrapped, byte[] documentKey) =>
        _table.Client.PutItemAsync(new PutItemRequest
        {
            TableName = _table.TableName,
            Item = ReferenceRows.Item(app, name, masterKeyId, wrapped, documentKey, Value),
        });
}

using System.Text;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.Model;
using Amazon.KeyManagementService.Model;
using SecretStore.Aws.Tests.Infrastructure;
using SecretStore.Configuration;
using SecretStore.Diagnostics;
using SecretStore.Formats;
using SecretStore.Keys;
using SecretStore.Keys.Rsa;
using SecretStore.Repositories;
using SecretStore.Repositories.File;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Testing.Aws.DynamoDb;
using SecretStore.Testing.Stores;
using static SecretStore.Aws.DynamoDb.SecretTableAttributes;

namespace SecretStore.Aws.Tests.EndToEnd;

/// <summary>
/// The two pairings that are new with independent storage and protection, opened the way every face opens them
/// (<see cref="SecretStoreFactory.Default"/>): RSA-protected records in DynamoDB Local, and a store file whose data
/// keys are KMS-wrapped (the KMS fixture).
/// </summary>
public sealed class StoragePairingTests : IClassFixture<SecretTableFixture>, IClassFixture<KmsServerFixture>, IDisposable
{
    private const string Value = "Server=db;Password=correct horse battery staple";
    private readonly SecretTableFixture _table;
    private readonly KmsServerFixture _kms;
    private readonly StoreScope _scope = new();

    public StoragePairingTests(SecretTableFixture table, KmsServerFixture kms)
    {
        _table = table;
        _kms = kms;
        kms.Reset();
    }

    public void Dispose() => _scope.Dispose();

    // DynamoDB storage, RSA protection

    [Fact]
    public async Task DynamoDb_with_an_RSA_keyring_sets_gets_lists_and_deletes_signed_v2_rows()
    {
        var app = Records.NewApplication("rsa");
        var db = new SecretId(app, "Db");
        var api = new SecretId(app, "ApiKey");
        using var store = SecretStoreFactory.Default.Open(await DynamoDbRsaAsync());

        var first = await store.SetAsync(db, Value);
        await store.SetAsync(api, "api-" + Value);
        var second = await store.SetAsync(db, Value + "!", new SetSecretOptions { ExpectedRevision = 1 });

        Assert.IsType<RsaKeyManager>(store.KeyManager);
        Assert.Equal((1, 2), (first.Revision, second.Revision));
        Assert.Equal(Value + "!", (await store.GetAsync(db)).Value);
        var many = await store.GetManyAsync([db, api, new SecretId(app, "missing")]);
        Assert.Equal(["api-" + Value, Value + "!"], many.OrderBy(p => p.Key.Name, StringComparer.Ordinal).Select(p => p.Value.Value));
        Assert.Equal(
            [new SecretMetadata(api, 1, TestKeyrings.PrimaryKeyId, ProtectedSecretFormat.V2) { IsKeyAllowed = true, EnvelopeVersion = 3 }, new SecretMetadata(db, 2, TestKeyrings.PrimaryKeyId, ProtectedSecretFormat.V2) { IsKeyAllowed = true, EnvelopeVersion = 3 }],
            (await store.ListAsync(app)).OrderBy(m => m.Id.Name, StringComparer.Ordinal).Select(m => m with { RecordDigest = null, StoreId = null }));
        Assert.All(await store.ListAsync(app), m => Assert.Equal(32, m.StoreId?.Length));

        // The row holds only v2 attributes, and its envelope is signed by the keyring's signing key.
        var item = await _table.RawItemAsync(app, db.Name);
        Assert.Equal(new[] { ApplicationName, Envelope, Format, MasterKeyId, Revision, SecretName }, item.Keys.Order(StringComparer.Ordinal));
        var envelope = V3Envelope.Parse(item[Envelope].B.ToArray(), db.ToString());
        Assert.Equal(TestKeyrings.PrimaryKeyId, Assert.Single(envelope.Recipients).KeyId);
        Assert.Equal(_scope.Keyring.SigningKeyFingerprint, envelope.SigningKeyId);

        Assert.True(await store.DeleteAsync(db));
        Assert.Equal($"SSB2001: Secret '{db}' was not found. Fix: 'secretstore list {db.ApplicationName}' shows the names it has; 'secretstore set {db}' adds it.", (await Assert.ThrowsAsync<SecretNotFoundException>(() => store.GetAsync(db))).Message);
        Assert.Equal([api], (await store.ListAsync(app)).Select(m => m.Id));
    }

    [Fact]
    public async Task An_RSA_row_of_app_A_copied_to_app_B_in_DynamoDb_is_SSB3003()
    {
        var appA = Records.NewApplication("a");
        var appB = Records.NewApplication("b");
        using var store = SecretStoreFactory.Default.Open(await DynamoDbRsaAsync());
        await store.SetAsync(new SecretId(appA, "Db"), Value);
        var item = await _table.RawItemAsync(appA, "Db");
        item[ApplicationName] = new AttributeValue { S = appB };
        await _table.Client.PutItemAsync(new PutItemRequest { TableName = _table.TableName, Item = item });

        var error = await Assert.ThrowsAsync<WrongContextException>(() => store.GetAsync(new SecretId(appB, "Db")));

        Assert.Equal($"SSB3003: The protected record read for '{appB}/Db' is bound to a different context (it was written for '{appA}/Db').", error.Message);
        Assert.DoesNotContain("horse", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_writer_with_another_keyring_cannot_plant_a_row_in_DynamoDb_SSB3009()
    {
        // The public encryption key is meant to be shared: whoever holds it makes his own keyring around it and
        // writes a row with his own signing key, straight into the table.
        var id = new SecretId(Records.NewApplication("forged"), "Db");
        var attackerFolder = _scope.Combine("attacker");
        string attackerSigner;
        using (var attacker = RsaKeyring.Create(attackerFolder, "attacker-own", RsaKeyring.MinimumKeySizeInBits))
        {
            attacker.ImportKey(TestKeyrings.PrimaryKeyId, _scope.Keyring.ExportPublicKeyPem(TestKeyrings.PrimaryKeyId), makeDefault: true);
            attackerSigner = attacker.SigningKeyFingerprint;
            using var forger = new EnvelopeSecretStore(_table.NewRepository(), new RsaKeyManager(attacker), new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId });
            await forger.SetAsync(id, "forged");
        }

        using var store = SecretStoreFactory.Default.Open(await DynamoDbRsaAsync());
        var error = await Assert.ThrowsAnyAsync<SecretStoreException>(() => store.GetAsync(id));

        var keyFile = Path.GetRelativePath(_scope.KeyringPath, Assert.Single(Directory.GetFiles(Path.Combine(_scope.KeyringPath, "keys"), "alias_acme-alpha-*.private.pem"))).Replace('\\', '/');
        Assert.Equal(
            $"SSB3009: The record '{id}' was signed by the keyring {attackerSigner}, but the keyring given, '{_scope.KeyringPath}', is {_scope.Keyring.SigningKeyFingerprint} " +
            $"(its trust anchor, from the private key file of key 'alias/acme-alpha' ('{keyFile}')); it is refused before decryption. Fix: read with the keyring that wrote the record " +
            "('secretstore keys list <folder>' prints a keyring's fingerprint as its (anchor) row, or its reader secret), or have its holder rewrap the record for this keyring.",
            error.Message);
    }

    [Fact]
    public async Task A_DynamoDb_row_whose_signature_was_changed_is_SSB3004()
    {
        var id = new SecretId(Records.NewApplication("resigned"), "Db");
        using var store = SecretStoreFactory.Default.Open(await DynamoDbRsaAsync());
        await store.SetAsync(id, Value);
        var item = await _table.RawItemAsync(id.ApplicationName, id.Name);
        var bytes = item[Envelope].B.ToArray();
        bytes[^1] ^= 0x01; // the signature is the envelope's last field
        item[Envelope] = new AttributeValue { B = new MemoryStream(bytes) };
        await _table.Client.PutItemAsync(new PutItemRequest { TableName = _table.TableName, Item = item });

        var error = await Assert.ThrowsAsync<InvalidProtectedDataException>(() => store.GetAsync(id));

        Assert.Equal($"SSB3004: The envelope of '{id}' is not signed by the keyring's signing key.", error.Message);
    }

    [Fact]
    public async Task A_reference_RSA_row_in_DynamoDb_reads_with_AllowV1_and_is_SSB2009_without()
    {
        // Exactly the reference layout (docs/format.md, v1 RSA): the four v1 attributes and MasterKeyId, no
        // Revision, no Format; the document key wrapped and signed by the keyring as the reference did.
        var id = new SecretId(Records.NewApplication("legacy"), "ConnectionString");
        using (var documentKey = await _scope.KeyManager.GenerateDataKeyAsync(TestKeyrings.PrimaryKeyId, 16, EncryptionContext.Empty, ProtectedSecretFormat.V1))
        {
            await _table.Client.PutItemAsync(new PutItemRequest
            {
                TableName = _table.TableName,
                Item = ReferenceRows.Item(id.ApplicationName, id.Name, TestKeyrings.PrimaryKeyId, documentKey.WrappedKey, documentKey.Plaintext, Value),
            });
        }

        var settings = await DynamoDbRsaAsync();
        using var migrating = SecretStoreFactory.Default.Open(settings with { AllowV1 = true });
        using var strict = SecretStoreFactory.Default.Open(settings);

        var secret = await migrating.GetAsync(id);
        var refused = await Assert.ThrowsAnyAsync<SecretStoreException>(() => strict.GetAsync(id));

        Assert.Equal(Value, secret.Value);
        Assert.Equal(new SecretMetadata(id, 1, TestKeyrings.PrimaryKeyId, ProtectedSecretFormat.V1), secret.Metadata with { RecordDigest = null });
        Assert.Equal(
            $"SSB2009: Secret '{id}' is a v1 record; v1 is refused by default because it has no integrity protection. To read it for migration, pass --allow-v1 (SECRETSTORE_ALLOW_V1=true, MSBuild SecretStoreAllowV1=true, Cake AllowV1 = true, action input allow-v1, Azure template parameter allowV1), then 'secretstore rewrap' it to v2.",
            refused.Message);
        // list reads no value: the row still shows, as V1.
        Assert.Equal(ProtectedSecretFormat.V1, Assert.Single(await strict.ListAsync(id.ApplicationName)).Format);
    }

    // File storage, KMS protection

    [Fact]
    public async Task A_store_file_under_KMS_reads_back_and_holds_only_KMS_wrapped_data_keys()
    {
        var key = _kms.Server.CreateKey("file-" + Guid.NewGuid().ToString("N"));
        var settings = FileKms(key.Arn);
        var ids = new[] { new SecretId("acme-web", "Db"), new SecretId("acme-web", "ApiKey") };
        using (var writer = SecretStoreFactory.Default.Open(settings))
        {
            foreach (var id in ids)
            {
                await writer.SetAsync(id, Value + id.Name);
            }
        }

        using var reader = SecretStoreFactory.Default.Open(settings);
        foreach (var id in ids)
        {
            Assert.Equal(Value + id.Name, (await reader.GetAsync(id)).Value);
        }

        // What a repository commits: the KMS key ARN, no value, no keyring key id and no signature.
        var text = await File.ReadAllTextAsync(settings.FilePath!);
        Assert.Contains(key.Arn, text, StringComparison.Ordinal);
        Assert.DoesNotContain("horse", text, StringComparison.Ordinal);
        Assert.DoesNotContain(TestKeyrings.PrimaryKeyId, text, StringComparison.Ordinal);
        var records = await new FileSecretRepository(settings.FilePath!).QueryByApplicationAsync("acme-web");
        Assert.Equal(2, records.Count);
        foreach (var record in records)
        {
            var envelope = V3Envelope.Parse(record.Envelope!, record.Id.ToString());
            var recipient = Assert.Single(envelope.Recipients);
            Assert.Equal((ProtectedSecretFormat.V2, key.Arn, key.Arn), (record.Format, record.MasterKeyId, recipient.KeyId));
            Assert.False(envelope.IsSigned);

            // Each wrapped data key is a KMS ciphertext: KMS itself opens it under the recipient's context.
            var opened = await _kms.Client.DecryptAsync(new DecryptRequest
            {
                CiphertextBlob = new MemoryStream(recipient.WrappedKey),
                KeyId = key.Arn,
                EncryptionContext = envelope.Context.ForRecipient(key.Arn).ToDictionary(),
            });
            Assert.Equal(V2Envelope.DataKeySizeInBytes, opened.Plaintext.Length);
        }
    }

    [Fact]
    public async Task A_second_reader_of_a_KMS_store_file_with_another_key_id_or_allow_list_is_SSB3012_and_asks_KMS_nothing()
    {
        var key = _kms.Server.CreateKey();
        var other = _kms.Server.CreateKey();
        var id = new SecretId("acme-web", "Db");
        using (var writer = SecretStoreFactory.Default.Open(FileKms(key.Arn)))
        {
            await writer.SetAsync(id, Value);
        }

        _kms.Server.ResetCounters();
        using var byKeyId = SecretStoreFactory.Default.Open(FileKms(other.Arn));
        using var byAllowList = SecretStoreFactory.Default.Open(FileKms(keyId: null) with { AllowedKeyIds = [other.Arn] });
        var first = await Assert.ThrowsAnyAsync<SecretStoreException>(() => byKeyId.GetAsync(id));
        var second = await Assert.ThrowsAnyAsync<SecretStoreException>(() => byAllowList.GetAsync(id));

        var expected = $"SSB3012: The record of '{id}' is protected by KMS master key '{key.Arn}', which is not one of the reader's allowed master keys ({other.Arn}); it was not sent to KMS. If the key is yours, add it to AllowedKeyIds.";
        Assert.Equal(expected, first.Message);
        Assert.Equal(expected, second.Message);
        Assert.Equal(0, _kms.Server.RequestCount("Decrypt"));
    }

    [Fact]
    public async Task Tampering_with_the_ciphertext_in_a_KMS_store_file_is_SSB3002()
    {
        var key = _kms.Server.CreateKey();
        var settings = FileKms(key.Arn);
        var id = new SecretId("acme-web", "Db");
        using var store = SecretStoreFactory.Default.Open(settings);
        await store.SetAsync(id, Value);
        var document = JsonNode.Parse(await File.ReadAllTextAsync(settings.FilePath!))!;
        var record = document["secrets"]![0]!;
        var envelope = Convert.FromBase64String(record["Envelope"]!.GetValue<string>());
        envelope[^(V2Envelope.TagSizeInBytes + 1)] ^= 0x01; // unsigned: the tag is last, the ciphertext's last byte before it
        record["Envelope"] = Convert.ToBase64String(envelope);
        await File.WriteAllTextAsync(settings.FilePath!, document.ToJsonString(), Encoding.UTF8);

        var error = await Assert.ThrowsAsync<InvalidProtectedDataException>(() => store.GetAsync(id));

        Assert.Equal($"SSB3002: The envelope of '{id}' fails authentication (tampered, or the wrong key).", error.Message);
    }

    // Settings errors

    [Fact]
    public async Task KMS_protection_with_no_key_id_and_no_allow_list_refuses_reads_with_SSB3013()
    {
        var key = _kms.Server.CreateKey();
        var id = new SecretId("acme-web", "Db");
        using (var writer = SecretStoreFactory.Default.Open(FileKms(key.Arn)))
        {
            await writer.SetAsync(id, Value);
        }

        _kms.Server.ResetCounters();
        using var reader = SecretStoreFactory.Default.Open(FileKms(keyId: null));
        var error = await Assert.ThrowsAnyAsync<SecretStoreException>(() => reader.GetAsync(id));

        Assert.Equal(
            $"SSB3013: The record of '{id}' was not opened: no KMS master key is allowed for reading. Fix: set the store's KeyId or AllowedKeyIds (CLI --allowed-key-id or SECRETSTORE_ALLOWED_KEY_IDS; MSBuild SecretStoreKeyId / SecretStoreAllowedKeyIds; Cake KeyId / AllowedKeyIds) to the keys your records are written under.",
            error.Message);
        Assert.Equal(0, _kms.Server.RequestCount("Decrypt"));
    }

    [Fact]
    public async Task RSA_protection_of_a_DynamoDb_table_without_a_keyring_is_SSB0003()
    {
        var settings = await DynamoDbRsaAsync() with { KeyringPath = null };

        var error = Assert.Throws<SecretStoreException>(() => SecretStoreFactory.Default.Open(settings));

        Assert.Equal("SSB0003: RSA protection needs a keyring folder (rsa:<folder>); create one with 'secretstore keys init'.", error.Message);
    }

    private async Task<StoreSettings> DynamoDbRsaAsync() => new()
    {
        Storage = StorageKind.DynamoDb,
        Table = _table.TableName,
        ServiceUrl = (await DynamoDbLocal.GetServiceUrlAsync()).ToString(),
        Protection = ProtectionKind.Rsa,
        KeyringPath = _scope.KeyringPath,
    };

    private StoreSettings FileKms(string? keyId) => new()
    {
        Storage = StorageKind.File,
        FilePath = _scope.Combine("kms-secrets.json"),
        Protection = ProtectionKind.Kms,
        KmsServiceUrl = _kms.Server.ServiceUrl.ToString(),
        KeyId = keyId,
    };
}

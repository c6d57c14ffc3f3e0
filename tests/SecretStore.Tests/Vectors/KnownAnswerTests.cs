using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using SecretStore.Keys.Rsa;
using SecretStore.Repositories;
using SecretStore.Repositories.File;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Tests.Support;

namespace SecretStore.Tests.Vectors;

/// <summary>
/// Frozen vectors under tests/SecretStore.Tests/Vectors: a keyring (test keys, PEM), a v1 store written by
/// the independent <see cref="ReferenceV1Codec"/> as reference rows, and a v2 store written by the engine.
/// Every future version must still open them. To regenerate (only for a new format version, never to make a
/// failing test pass): <c>SECRETSTORE_WRITE_VECTORS=/abs/path/to/tests/SecretStore.Tests/Vectors dotnet test
/// --filter Write_vectors</c>.
/// </summary>
public sealed class KnownAnswerTests
{
    private const string MainKey = "alias/vectors";
    private const string NonAsciiKey = "clé/ключ/🔑";
    private const string LegacyKey = "legacy/rsa-1024";

    /// <summary>The frozen keyring's signing key: SHA-256 of its SPKI (computed with openssl, not the engine).</summary>
    private const string FrozenSigningFingerprint = "sha256:977571515a845813a471a78acd371f9ece4e12ea17b2d29ca1d2ed293b2f94bd";

    private static readonly string VectorsPath = Path.Combine(AppContext.BaseDirectory, "Vectors");

    private static readonly (string App, string Name, string Value, string KeyId)[] Cases =
    [
        ("acme-web", "ConnectionStrings.Default", "Server=db;User Id=app;Password=p@ss\"w0rd;", MainKey),
        ("acme-web", "Empty", "", MainKey),
        ("acme-web", "Unicode 🔐", "emoji 🦄, CJK 秘密, combining e\u0301", NonAsciiKey),
        ("アプリ", "名前", "multi\nline\r\nvalue\twith tab", MainKey),
        ("acme-legacy", "OldKey", "written under a 1024-bit key before the minimum", LegacyKey),
        ("acme-web", "Large", new string('x', 5000), MainKey),
    ];

    public static TheoryData<string> StoreFiles => new() { "v1.json", "v2.json", "v3.json" };

    /// <summary>The store id of the frozen v3 store (its records are bound to it).</summary>
    private const string FrozenStoreId = "frozen-vectors-store-0001";

    /// <summary>A v3 record for two recipients: each key alone opens it.</summary>
    private static readonly (string App, string Name, string Value, string[] Recipients) SharedCase =
        ("acme-web", "Shared", "for two recipients: alice & the CI key 🔑", [MainKey, NonAsciiKey]);

    [Theory]
    [MemberData(nameof(StoreFiles))]
    public async Task Frozen_vectors_still_decrypt(string storeFile)
    {
        // v1 is refused by default; frozen v1 rows are read the way a migration reads them, with the opt-in.
        // The frozen keyring's private key files predate trust anchors: they open through the migration path,
        // a reader secret exported from a trusted copy (secretstore keys export-reader).
        using var temp = new TempDirectory();
        TestKeyrings.CopyDirectory(Path.Combine(VectorsPath, "keyring"), temp.Combine("k"));
        string readerSecret;
        using (var trusted = RsaKeyring.Load(temp.Combine("k")))
        {
            readerSecret = trusted.ExportReaderSecret();
        }

        using var keyring = RsaKeyring.Load(temp.Combine("k"), new RsaKeyringLoadOptions { PrivateKeyPem = readerSecret });
        Assert.Equal(FrozenSigningFingerprint, keyring.TrustAnchor);
        var store = new EnvelopeSecretStore(new FileSecretRepository(Path.Combine(VectorsPath, storeFile)), new RsaKeyManager(keyring), new EnvelopeSecretStoreOptions { AllowV1 = storeFile == "v1.json" });

        foreach (var (app, name, value, keyId) in Cases.Where(c => storeFile == "v1.json" || c.KeyId != LegacyKey))
        {
            var secret = await store.GetAsync(new SecretId(app, name));
            Assert.Equal(value, secret.Value);
            Assert.Equal(keyId, secret.Metadata.MasterKeyId);
        }
    }

    [Theory]
    [InlineData(MainKey)]
    [InlineData(NonAsciiKey)]
    public async Task Frozen_v3_vectors_are_bound_to_their_store_and_the_shared_record_opens_with_each_key_alone(string keyId)
    {
        using var temp = new TempDirectory();
        TestKeyrings.CopyDirectory(Path.Combine(VectorsPath, "keyring"), temp.Combine("k"));
        string readerSecret;
        using (var trusted = RsaKeyring.Load(temp.Combine("k")))
        {
            readerSecret = trusted.ExportReaderSecret(keyId);
        }

        using var keyring = RsaKeyring.Load(temp.Combine("k"), new RsaKeyringLoadOptions { PrivateKeyPem = readerSecret });
        var repository = new FileSecretRepository(Path.Combine(VectorsPath, "v3.json"));
        var store = new EnvelopeSecretStore(repository, new RsaKeyManager(keyring), new EnvelopeSecretStoreOptions());

        var shared = await store.GetAsync(new SecretId(SharedCase.App, SharedCase.Name));

        Assert.Equal(SharedCase.Value, shared.Value);
        Assert.Equal(SharedCase.Recipients, shared.Metadata.Recipients);
        Assert.Equal(FrozenStoreId, await repository.GetStoreIdAsync());
        Assert.Equal(FrozenStoreId, shared.Metadata.StoreId);
        Assert.All(await store.ListAsync("acme-web"), m => Assert.Equal(FrozenStoreId, m.StoreId));
    }

    [Fact]
    public async Task Frozen_keyring_private_files_without_an_anchor_are_refused_for_reading_with_SSB3010()
    {
        using var temp = new TempDirectory();
        TestKeyrings.CopyDirectory(Path.Combine(VectorsPath, "keyring"), temp.Combine("k"));
        using var keyring = RsaKeyring.Load(temp.Combine("k"));
        var store = new EnvelopeSecretStore(new FileSecretRepository(Path.Combine(VectorsPath, "v2.json")), new RsaKeyManager(keyring), new EnvelopeSecretStoreOptions());

        var ex = await Assert.ThrowsAnyAsync<SecretStore.Diagnostics.SecretStoreException>(() => store.GetAsync(new SecretId("acme-web", "Empty")));

        Assert.Equal("SSB3010", ex.Code.Id);
        Assert.Contains("secretstore keys export-reader", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Frozen_v1_vectors_are_reference_rows()
    {
        var rows = JsonNode.Parse(File.ReadAllText(Path.Combine(VectorsPath, "v1.json")))!["secrets"]!.AsArray();

        Assert.Equal(Cases.Length, rows.Count);
        Assert.All(rows, row => Assert.Equal(
            ["ApplicationName", "InitialisationVector", "MasterKeyId", "Name", "ProtectedDocumentKey", "ProtectedSecretValue"],
            row!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal)));
    }

    [Fact]
    public async Task Small_legacy_key_still_reads_v1_but_refuses_new_v2_records()
    {
        using var temp = new TempDirectory();
        TestKeyrings.CopyDirectory(Path.Combine(VectorsPath, "keyring"), temp.Combine("k"));
        using var keyring = RsaKeyring.Load(temp.Combine("k"));
        var store = new EnvelopeSecretStore(new FileSecretRepository(temp.Combine("s.json")), new RsaKeyManager(keyring), new EnvelopeSecretStoreOptions { DefaultKeyId = LegacyKey });

        var ex = await Assert.ThrowsAnyAsync<SecretStore.Diagnostics.SecretStoreException>(() => store.SetAsync(new SecretId("a", "b"), "x"));

        Assert.Equal("SSB3005", ex.Code.Id);
        Assert.Equal(1024, keyring.GetKeySize(LegacyKey));
    }

    [Fact]
    public async Task Engine_v1_writes_open_with_the_independent_reference_decoder()
    {
        using var scope = new StoreScope();
        var id = new SecretId("app", "Db");
        await scope.Store.SetAsync(id, "engine wrote this 🔐", new SetSecretOptions { Format = ProtectedSecretFormat.V1 });
        var record = (await scope.Repository.GetAsync(id))!;
        var (encryptionPrivate, signingPublic) = ReadKeys(scope.KeyringPath, TestKeyrings.PrimaryKeyId);
        using (encryptionPrivate)
        using (signingPublic)
        {
            var value = ReferenceV1Codec.Decode(new(record.MasterKeyId, record.ProtectedDocumentKey!, record.InitialisationVector!, record.ProtectedSecretValue!), encryptionPrivate, signingPublic);
            Assert.Equal("engine wrote this 🔐", value);
        }
    }

    [Fact]
    public async Task Write_vectors()
    {
        var target = Environment.GetEnvironmentVariable("SECRETSTORE_WRITE_VECTORS");
        if (string.IsNullOrEmpty(target))
        {
            // Not a result: regeneration is a deliberate, manual step (see the class comment).
            Assert.True(File.Exists(Path.Combine(VectorsPath, "v2.json")), "the frozen vectors are missing from the build output");
            return;
        }

        var keyringPath = Path.Combine(target, "keyring");
        Directory.CreateDirectory(target);
        using var keyring = RsaKeyring.Create(keyringPath, MainKey, 2048);
        keyring.AddKey(NonAsciiKey, 2048);
        using (var legacy = RSA.Create(1024))
        {
            keyring.ImportKey(LegacyKey, legacy.ExportPkcs8PrivateKeyPem(), allowSmallKey: true);
        }

        // v1: reference rows from the independent encoder, written with only the reference's fields.
        using var signingPrivate = RSA.Create();
        signingPrivate.ImportFromPem(File.ReadAllText(Path.Combine(keyringPath, "signing.private.pem")));
        var rows = new JsonArray();
        foreach (var (app, name, value, keyId) in Cases)
        {
            using var publicKey = RSA.Create();
            publicKey.ImportFromPem(keyring.ExportPublicKeyPem(keyId));
            var row = ReferenceV1Codec.Encode(keyId, value, publicKey, signingPrivate);
            rows.Add(new JsonObject
            {
                ["ApplicationName"] = app,
                ["Name"] = name,
                ["MasterKeyId"] = row.MasterKeyId,
                ["ProtectedDocumentKey"] = Convert.ToBase64String(row.ProtectedDocumentKey),
                ["InitialisationVector"] = Convert.ToBase64String(row.InitialisationVector),
                ["ProtectedSecretValue"] = Convert.ToBase64String(row.ProtectedSecretValue),
            });
        }

        var v1 = new JsonObject { ["version"] = 1, ["secrets"] = rows };
        await File.WriteAllTextAsync(Path.Combine(target, "v1.json"), v1.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");

        // v2: written by the engine as it is today, then frozen.
        var store = new EnvelopeSecretStore(new FileSecretRepository(Path.Combine(target, "v2.json")), new RsaKeyManager(keyring), new EnvelopeSecretStoreOptions());
        foreach (var (app, name, value, keyId) in Cases.Where(c => c.KeyId != LegacyKey))
        {
            await store.SetAsync(new SecretId(app, name), value, new SetSecretOptions { KeyId = keyId });
        }

        File.Delete(Path.Combine(target, "v2.json.lock"));
    }

    /// <summary>
    /// Writes v3.json only, with the frozen keyring already in <c>SECRETSTORE_WRITE_VECTORS_V3</c>/keyring (the v1 and
    /// v2 vectors and the keyring stay as they are): the same cases, plus a record for two recipients, in a store whose
    /// id is fixed so the test can name it.
    /// </summary>
    [Fact]
    public async Task Write_v3_vectors()
    {
        var target = Environment.GetEnvironmentVariable("SECRETSTORE_WRITE_VECTORS_V3");
        if (string.IsNullOrEmpty(target))
        {
            Assert.True(File.Exists(Path.Combine(VectorsPath, "v3.json")), "the frozen v3 vectors are missing from the build output");
            return;
        }

        // A copy: the checked-out private key files are 644, which the keyring refuses (the copy makes them 600).
        using var temp = new TempDirectory();
        TestKeyrings.CopyDirectory(Path.Combine(target, "keyring"), temp.Combine("k"));
        using var keyring = RsaKeyring.Load(temp.Combine("k"));
        var path = Path.Combine(target, "v3.json");
        await File.WriteAllTextAsync(path, $"{{\"version\":1,\"storeId\":\"{FrozenStoreId}\",\"secrets\":[]}}");
        var store = new EnvelopeSecretStore(new FileSecretRepository(path), new RsaKeyManager(keyring), new EnvelopeSecretStoreOptions());
        foreach (var (app, name, value, keyId) in Cases.Where(c => c.KeyId != LegacyKey))
        {
            await store.SetAsync(new SecretId(app, name), value, new SetSecretOptions { KeyId = keyId, AllowEmpty = true });
        }

        await store.SetAsync(new SecretId(SharedCase.App, SharedCase.Name), SharedCase.Value, new SetSecretOptions { Recipients = SharedCase.Recipients });
        File.Delete(path + ".lock");
    }

    private static (RSA EncryptionPrivate, RSA SigningPublic) ReadKeys(string keyringPath, string keyId)
    {
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(keyringPath, RsaKeyring.IndexFileName)))!;
        using var readerKey = RsaReaderKey.Parse(File.ReadAllText(Path.Combine(keyringPath, (string)index["keys"]![keyId]!["privateKey"]!)), "test");
        var encryption = readerKey.Take(keyId);
        var signing = RSA.Create();
        signing.ImportFromPem(File.ReadAllText(Path.Combine(keyringPath, (string)index["signingKey"]!["publicKey"]!)));
        return (encryption, signing);
    }
}

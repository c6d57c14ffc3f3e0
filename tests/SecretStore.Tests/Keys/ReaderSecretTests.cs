using System.Security.Cryptography;
using SecretStore.Diagnostics;
using SecretStore.Keys.Rsa;
using SecretStore.Repositories;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Tests.Support;

namespace SecretStore.Tests.Keys;

/// <summary>
/// The reader's trust anchor (issue 12 item 1): the signing key whose records a reader accepts comes with the
/// private key (the reader secret, or the private key files), never from keyring.json or signing.public.pem.
/// </summary>
public sealed class ReaderSecretTests
{
    private static readonly SecretId Db = new("acme-web", "Db");

    private static string Fingerprint(RSA key) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    private static void RemovePrivateFiles(string keyring) => TestKeyrings.RemovePrivateKeyFiles(keyring);

    /// <summary>Replaces the folder's signing key with a new key pair, as a writer of the folder can.</summary>
    private static RSA ReplaceSigningKey(string keyring, bool withPrivate)
    {
        var foreign = RSA.Create(2048);
        File.WriteAllText(Path.Combine(keyring, "signing.public.pem"), foreign.ExportSubjectPublicKeyInfoPem());
        var privatePath = Path.Combine(keyring, "signing.private.pem");
        File.Delete(privatePath);
        if (withPrivate)
        {
            File.WriteAllText(privatePath, foreign.ExportPkcs8PrivateKeyPem());
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(privatePath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        return foreign;
    }

    [Fact]
    public async Task Exported_reader_secret_reads_through_a_public_only_keyring_and_carries_the_signing_fingerprint()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(Db, "s3cr3t");
        var secret = scope.Keyring.ExportReaderSecret(TestKeyrings.PrimaryKeyId);
        RemovePrivateFiles(scope.KeyringPath);

        using var reader = RsaKeyring.Load(scope.KeyringPath, new RsaKeyringLoadOptions { PrivateKeyPem = secret });

        Assert.StartsWith("-----BEGIN SECRETSTORE READER KEY-----\n", secret, StringComparison.Ordinal);
        Assert.Equal(scope.Keyring.SigningKeyFingerprint, reader.TrustAnchor);
        using var signing = RSA.Create();
        signing.ImportFromPem(scope.Keyring.ExportSigningPublicKeyPem());
        Assert.Equal(Fingerprint(signing), reader.TrustAnchor);
        Assert.Equal("s3cr3t", (await scope.OpenStore(reader).GetAsync(Db)).Value);
        Assert.False(reader.HasPrivateKey(TestKeyrings.SecondKeyId));
    }

    [Fact]
    public async Task Record_signed_by_a_key_other_than_the_reader_anchor_is_refused_with_SSB3009_naming_folder_and_fingerprints()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(Db, "genuine");
        var secret = scope.Keyring.ExportReaderSecret();
        var anchor = scope.Keyring.SigningKeyFingerprint;
        RemovePrivateFiles(scope.KeyringPath);

        // The folder writer's own signing key replaces the committed one and signs a record of his.
        using var foreign = ReplaceSigningKey(scope.KeyringPath, withPrivate: true);
        using (var attacker = RsaKeyring.Load(scope.KeyringPath))
        {
            await scope.OpenStore(attacker).SetAsync(Db, "planted", new SetSecretOptions { ExpectedRevision = 1 });
        }

        File.Delete(Path.Combine(scope.KeyringPath, "signing.private.pem"));
        using var reader = RsaKeyring.Load(scope.KeyringPath, new RsaKeyringLoadOptions { PrivateKeyPem = secret });
        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => scope.OpenStore(reader).GetAsync(Db));

        Assert.Equal("SSB3009", ex.Code.Id);
        Assert.Contains(scope.KeyringPath, ex.Message, StringComparison.Ordinal);
        Assert.Contains(anchor, ex.Message, StringComparison.Ordinal);
        Assert.Contains(Fingerprint(foreign), ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("planted", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Signer_verify_called_directly_refuses_a_folder_signing_key_that_is_not_the_anchor_even_for_its_own_valid_signature()
    {
        // The store checks the signer before it verifies; Verify checks again, so no other caller of the signer
        // can verify with a key the anchor does not name (mutation testing found no test of this second guard).
        using var scope = new StoreScope();
        var secret = scope.Keyring.ExportReaderSecret();
        RemovePrivateFiles(scope.KeyringPath);
        using var foreign = ReplaceSigningKey(scope.KeyringPath, withPrivate: false);
        using var reader = RsaKeyring.Load(scope.KeyringPath, new RsaKeyringLoadOptions { PrivateKeyPem = secret });
        byte[] data = [1, 2, 3];
        var signature = foreign.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);

        var ex = Assert.Throws<SecretStoreException>(() => reader.Signer.Verify(data, signature));

        Assert.Equal("SSB3009", ex.Code.Id);
        Assert.Contains(Fingerprint(foreign), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Signer_verify_on_a_keyring_with_no_private_key_is_SSB3008_naming_what_is_being_read()
    {
        using var scope = new StoreScope();
        RemovePrivateFiles(scope.KeyringPath);
        using var publicOnly = RsaKeyring.Load(scope.KeyringPath);

        var ex = Assert.Throws<SecretStoreException>(() => publicOnly.Signer.Verify([1, 2, 3], new byte[256]));

        Assert.Equal("SSB3008", ex.Code.Id);
        Assert.StartsWith("SSB3008: Reading the record being verified needs a reader secret", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ProtectedSecretFormat.V1)]
    [InlineData(ProtectedSecretFormat.V2)]
    public async Task Genuine_record_is_refused_with_SSB3009_when_the_folder_signing_key_is_not_the_anchor(ProtectedSecretFormat format)
    {
        // v1 names no signer: the folder's signing key itself must be the anchor, or nothing is verified with it.
        using var scope = new StoreScope();
        await scope.Store.SetAsync(Db, "genuine", new SetSecretOptions { Format = format });
        var secret = scope.Keyring.ExportReaderSecret();
        RemovePrivateFiles(scope.KeyringPath);
        ReplaceSigningKey(scope.KeyringPath, withPrivate: false).Dispose();

        using var reader = RsaKeyring.Load(scope.KeyringPath, new RsaKeyringLoadOptions { PrivateKeyPem = secret });
        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => scope.OpenStore(reader).GetAsync(Db));

        Assert.Equal("SSB3009", ex.Code.Id);
    }

    [Fact]
    public void Reader_secret_is_the_anchor_and_a_signing_private_key_in_the_folder_that_is_not_it_is_refused_with_SSB3009()
    {
        using var temp = new TempDirectory();
        var dir = TestKeyrings.CopyTo(temp.Combine("k"));
        string secret;
        using (var keyring = RsaKeyring.Load(dir))
        {
            secret = keyring.ExportReaderSecret();
        }

        ReplaceSigningKey(dir, withPrivate: true).Dispose();

        var ex = Assert.Throws<SecretStoreException>(() => RsaKeyring.Load(dir, new RsaKeyringLoadOptions { PrivateKeyPem = secret }));

        Assert.Equal("SSB3009", ex.Code.Id);
    }

    [Fact]
    public void Reader_secret_ignores_private_key_files_in_the_folder_so_they_cannot_change_the_anchor()
    {
        using var temp = new TempDirectory();
        var dir = TestKeyrings.CopyTo(temp.Combine("k"));
        string secret;
        string anchor;
        using (var keyring = RsaKeyring.Load(dir))
        {
            secret = keyring.ExportReaderSecret(TestKeyrings.PrimaryKeyId);
            anchor = keyring.SigningKeyFingerprint;
        }

        // A private key file anchored elsewhere (owner-only, so it is not refused for its mode).
        File.Delete(Path.Combine(dir, "signing.private.pem"));
        using var other = RSA.Create(2048);
        using var key = RSA.Create(2048);
        var second = Directory.GetFiles(Path.Combine(dir, "keys"), "alias_acme-beta-*.private.pem").Single();
        File.WriteAllText(second, RsaReaderKey.Encode(SHA256.HashData(other.ExportSubjectPublicKeyInfo()), [new(TestKeyrings.SecondKeyId, key)]));

        using var reader = RsaKeyring.Load(dir, new RsaKeyringLoadOptions { PrivateKeyPem = secret });

        Assert.Equal(anchor, reader.TrustAnchor);
        Assert.False(reader.HasPrivateKey(TestKeyrings.SecondKeyId));
    }

    [Fact]
    public void Private_key_files_whose_anchors_disagree_are_refused_with_SSB3009()
    {
        using var temp = new TempDirectory();
        var dir = TestKeyrings.CopyTo(temp.Combine("k"));
        File.Delete(Path.Combine(dir, "signing.private.pem"));
        using var other = RSA.Create(2048);
        var second = Directory.GetFiles(Path.Combine(dir, "keys"), "alias_acme-beta-*.private.pem").Single();
        using (var original = RsaReaderKey.Parse(File.ReadAllText(second), "test"))
        {
            File.WriteAllText(second, RsaReaderKey.Encode(SHA256.HashData(other.ExportSubjectPublicKeyInfo()), original.Keys));
        }

        var ex = Assert.Throws<SecretStoreException>(() => RsaKeyring.Load(dir));

        Assert.Equal("SSB3009", ex.Code.Id);
        Assert.Contains("disagree", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("keys")]
    [InlineData("signing")]
    public void Private_key_file_readable_by_group_or_others_is_refused_with_SSB3011(string which)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var temp = new TempDirectory();
        var dir = TestKeyrings.CopyTo(temp.Combine("k"));
        var file = which == "signing"
            ? Path.Combine(dir, "signing.private.pem")
            : Directory.GetFiles(Path.Combine(dir, "keys"), "alias_acme-alpha-*.private.pem").Single();

        // What a checkout writes for a private key an attacker committed.
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var ex = Assert.Throws<SecretStoreException>(() => RsaKeyring.Load(dir));

        Assert.Equal("SSB3011", ex.Code.Id);
        Assert.Contains(Path.GetFileName(file), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Private_key_files_written_by_create_carry_the_signing_fingerprint_as_their_anchor()
    {
        using var temp = new TempDirectory();
        using var keyring = RsaKeyring.Create(temp.Combine("k"), "alias/new", 2048);
        var file = Directory.GetFiles(Path.Combine(keyring.Directory, "keys"), "*.private.pem").Single();

        using var readerKey = RsaReaderKey.Parse(File.ReadAllText(file), "test");

        Assert.Equal(keyring.SigningKeyFingerprint, readerKey.AnchorFingerprint);
        Assert.Equal(["alias/new"], readerKey.Keys.Select(k => k.Key));
    }

    [Fact]
    public async Task Importing_a_signing_key_re_anchors_the_private_key_files_so_reads_keep_working()
    {
        using var temp = new TempDirectory();
        var dir = temp.Combine("k");
        using var signing = RSA.Create(2048);
        using (var keyring = RsaKeyring.Create(dir, "alias/first", 2048))
        {
            keyring.ImportSigningKey(signing.ExportPkcs8PrivateKeyPem());
            var store = new EnvelopeSecretStore(new SecretStore.Repositories.File.FileSecretRepository(temp.Combine("s.json")), new RsaKeyManager(keyring), new EnvelopeSecretStoreOptions { DefaultKeyId = "alias/first" });
            await store.SetAsync(Db, "after import");
        }

        using var reloaded = RsaKeyring.Load(dir);
        var reread = new EnvelopeSecretStore(new SecretStore.Repositories.File.FileSecretRepository(temp.Combine("s.json")), new RsaKeyManager(reloaded), new EnvelopeSecretStoreOptions());

        Assert.Equal(Fingerprint(signing), reloaded.TrustAnchor);
        Assert.Equal("after import", (await reread.GetAsync(Db)).Value);
    }

    [Theory]
    [InlineData("not a key at all")]
    [InlineData("-----BEGIN SECRETSTORE READER KEY-----\nU1NSSwE=\n-----END SECRETSTORE READER KEY-----\n")]
    [InlineData("-----BEGIN SECRETSTORE READER KEY-----\n!!!!\n-----END SECRETSTORE READER KEY-----\n")]
    public void Malformed_reader_secret_is_SSB3007_and_names_no_input(string text)
    {
        using var temp = new TempDirectory();
        var dir = TestKeyrings.CopyTo(temp.Combine("k"));

        var ex = Assert.Throws<SecretStoreException>(() => RsaKeyring.Load(dir, new RsaKeyringLoadOptions { PrivateKeyPem = text }));

        Assert.Equal("SSB3007", ex.Code.Id);
        Assert.DoesNotContain("U1NSSwE", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reader_secret_never_appears_in_ToString()
    {
        using var temp = new TempDirectory();
        using var keyring = RsaKeyring.Load(TestKeyrings.CopyTo(temp.Combine("k")));
        var secret = keyring.ExportReaderSecret();
        using var parsed = RsaReaderKey.Parse(secret, "test");

        Assert.DoesNotContain(secret.Split('\n')[1], parsed.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret.Split('\n')[1], keyring.ToString(), StringComparison.Ordinal);
    }
}

using System.Security.Cryptography;
using SecretStore.Diagnostics;
using SecretStore.Keys.Rsa;
using SecretStore.Repositories.File;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Tests.Support;

namespace SecretStore.Tests.Keys;

public sealed class RsaKeyringImportTests
{
    [Fact]
    public void CreateEmpty_makes_a_keyring_with_a_signing_key_and_no_encryption_key()
    {
        using var temp = new TempDirectory();
        using var keyring = RsaKeyring.CreateEmpty(temp.Combine("k"), 2048);

        Assert.Empty(keyring.KeyIds);
        Assert.Null(keyring.DefaultKeyId);
        Assert.True(keyring.CanSign);
        Assert.Equal(2048, keyring.SigningKeySize);
        var again = Assert.Throws<SecretStoreException>(() => RsaKeyring.CreateEmpty(temp.Combine("k"), 2048));
        Assert.Equal(DiagnosticCodes.InvalidKeyring, again.Code);
    }

    [Fact]
    public async Task An_imported_signing_key_signs_new_records_and_survives_a_reload()
    {
        using var temp = new TempDirectory();
        using var signing = RSA.Create(2048);
        using (var keyring = RsaKeyring.CreateEmpty(temp.Combine("k"), 2048))
        {
            keyring.ImportSigningKey(signing.ExportRSAPrivateKeyPem());
            keyring.ImportKey("imported", RSA.Create(2048).ToXmlString(includePrivateParameters: true));
            Assert.Equal("imported", keyring.DefaultKeyId);
        }

        using var reloaded = RsaKeyring.Load(temp.Combine("k"));
        Assert.Equal(signing.ExportSubjectPublicKeyInfoPem(), reloaded.ExportSigningPublicKeyPem());
        using var store = new EnvelopeSecretStore(new FileSecretRepository(temp.Combine("s.json")), new RsaKeyManager(reloaded), new EnvelopeSecretStoreOptions { DefaultKeyId = "imported" });
        await store.SetAsync(new SecretId("a", "b"), "signed-value");
        Assert.Equal("signed-value", (await store.GetAsync(new SecretId("a", "b"))).Value);
    }

    [Fact]
    public void A_small_or_malformed_signing_key_is_refused_and_the_old_one_kept()
    {
        using var temp = new TempDirectory();
        using var keyring = RsaKeyring.CreateEmpty(temp.Combine("k"), 2048);
        var before = keyring.ExportSigningPublicKeyPem();
        using var small = RSA.Create(1024);

        Assert.Equal(DiagnosticCodes.KeyTooSmall, Assert.Throws<SecretStoreException>(() => keyring.ImportSigningKey(small.ExportPkcs8PrivateKeyPem())).Code);
        Assert.Equal(DiagnosticCodes.InvalidKeyring, Assert.Throws<SecretStoreException>(() => keyring.ImportSigningKey("<RSAKeyValue><Modulus>AQAB")).Code);
        Assert.Equal(before, keyring.ExportSigningPublicKeyPem());
    }
}

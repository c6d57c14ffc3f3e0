using System.Security.Cryptography;
using SecretStore.Diagnostics;
using SecretStore.Keys.Rsa;
using SecretStore.Tests.Support;

namespace SecretStore.Tests.Keys;

/// <summary>The keyring's argument guards, disposal and the exact text of its refusals.</summary>
public sealed class RsaKeyringRefusalTests
{
    private static string Entry(string dir, string keyId, string field)
    {
        string? value = null;
        TestKeyrings.EditIndex(dir, index => value = (string?)(keyId == "signing" ? index["signingKey"] : index["keys"]![keyId])![field]);
        return value!;
    }

    [Fact]
    public void Load_refuses_an_empty_or_null_folder_naming_the_directory_argument()
    {
        Assert.Equal("directory", Assert.Throws<ArgumentException>(() => RsaKeyring.Load("")).ParamName);
        Assert.Equal("directory", Assert.Throws<ArgumentNullException>(() => RsaKeyring.Load(null!)).ParamName);
    }

    [Fact]
    public void Create_checks_its_arguments_before_the_key_size()
    {
        using var temp = new TempDirectory();

        Assert.Equal("directory", Assert.Throws<ArgumentException>(() => RsaKeyring.Create("", "alias/k", 1024)).ParamName);
        Assert.Equal("keyId", Assert.Throws<ArgumentException>(() => RsaKeyring.Create(temp.Combine("k"), "", 1024)).ParamName);
        Assert.Equal("directory", Assert.Throws<ArgumentException>(() => RsaKeyring.CreateEmpty("", 1024)).ParamName);
        Assert.Equal("directory", Assert.Throws<ArgumentNullException>(() => RsaKeyring.CreateEmpty(null!, 1024)).ParamName);
        Assert.False(Directory.Exists(temp.Combine("k")));
    }

    [Fact]
    public void CreateEmpty_refuses_a_small_signing_key_with_SSB3005_before_writing_anything()
    {
        using var temp = new TempDirectory();

        var ex = Assert.Throws<SecretStoreException>(() => RsaKeyring.CreateEmpty(temp.Combine("k"), 1024));

        Assert.Equal("SSB3005", ex.Code.Id);
        Assert.Equal("SSB3005: Key 'signing key' has 1024 bits; new keys need at least 2048.", ex.Message);
        Assert.False(Directory.Exists(temp.Combine("k")));
    }

    [Fact]
    public void CreateEmpty_in_a_folder_holding_a_keyring_is_SSB3007_naming_the_folder_and_leaves_it_unchanged()
    {
        using var temp = new TempDirectory();
        var dir = Path.GetFullPath(TestKeyrings.CopyTo(temp.Combine("k")));
        var signing = File.ReadAllText(Path.Combine(dir, "signing.public.pem"));

        var ex = Assert.Throws<SecretStoreException>(() => RsaKeyring.CreateEmpty(dir, 2048));

        Assert.Equal("SSB3007", ex.Code.Id);
        Assert.Equal($"SSB3007: A keyring already exists in '{dir}'.", ex.Message);
        Assert.Equal(signing, File.ReadAllText(Path.Combine(dir, "signing.public.pem")));
    }

    [Fact]
    public void Create_fails_when_its_key_cannot_be_written_and_does_not_return_a_keyring()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("k"));
        File.WriteAllText(temp.Combine("k", "keys"), "a file where the keys folder belongs");

        Assert.ThrowsAny<Exception>(() => RsaKeyring.Create(temp.Combine("k"), "alias/blocked", 2048));
    }

    [Fact]
    public void AddKey_checks_the_id_before_the_size_and_refuses_small_keys_with_SSB3005()
    {
        using var temp = new TempDirectory();
        using var keyring = RsaKeyring.Load(TestKeyrings.CopyTo(temp.Combine("k")));

        Assert.Equal("keyId", Assert.Throws<ArgumentException>(() => keyring.AddKey("", 1024)).ParamName);
        var ex = Assert.Throws<SecretStoreException>(() => keyring.AddKey("alias/small", 1024));

        Assert.Equal("SSB3005", ex.Code.Id);
        Assert.Equal("SSB3005: Key 'alias/small' has 1024 bits; new keys need at least 2048.", ex.Message);
        Assert.False(keyring.ContainsKey("alias/small"));
    }

    [Fact]
    public void ImportKey_refuses_an_empty_id_or_text_naming_the_argument()
    {
        using var temp = new TempDirectory();
        using var keyring = RsaKeyring.Load(TestKeyrings.CopyTo(temp.Combine("k")));
        var publicPem = keyring.ExportSigningPublicKeyPem();

        Assert.Equal("keyId", Assert.Throws<ArgumentException>(() => keyring.ImportKey("", publicPem)).ParamName);
        Assert.Equal("keyText", Assert.Throws<ArgumentException>(() => keyring.ImportKey("partner/k", "")).ParamName);
        Assert.Equal("keyText", Assert.Throws<ArgumentException>(() => keyring.ImportSigningKey("")).ParamName);
        Assert.Equal(3, keyring.KeyIds.Count);
    }

    [Fact]
    public void Key_text_that_is_not_a_key_is_SSB3007_naming_what_was_imported()
    {
        using var temp = new TempDirectory();
        using var keyring = RsaKeyring.Load(TestKeyrings.CopyTo(temp.Combine("k")));

        var key = Assert.Throws<SecretStoreException>(() => keyring.ImportKey("partner/k", "not a key"));
        var signing = Assert.Throws<SecretStoreException>(() => keyring.ImportSigningKey("not a key"));

        Assert.Equal("SSB3007", key.Code.Id);
        Assert.Equal("SSB3007: the key imported as 'partner/k' is not an RSA key in PEM (PKCS#8, PKCS#1, SPKI) or <RSAKeyValue> XML (ArgumentException).", key.Message);
        Assert.Equal("SSB3007: the imported signing key is not an RSA key in PEM (PKCS#8, PKCS#1, SPKI) or <RSAKeyValue> XML (ArgumentException).", signing.Message);
    }

    [Fact]
    public void A_small_imported_signing_key_is_SSB3005_naming_the_signing_key()
    {
        using var temp = new TempDirectory();
        using var keyring = RsaKeyring.Load(TestKeyrings.CopyTo(temp.Combine("k")));
        using var small = RSA.Create(1024);

        var ex = Assert.Throws<SecretStoreException>(() => keyring.ImportSigningKey(small.ExportSubjectPublicKeyInfoPem()));

        Assert.Equal("SSB3005: Key 'signing key' has 1024 bits; new keys need at least 2048.", ex.Message);
    }

    [Fact]
    public void Adding_an_id_that_exists_is_SSB3007_naming_the_key_and_the_folder()
    {
        using var temp = new TempDirectory();
        using var keyring = RsaKeyring.Load(TestKeyrings.CopyTo(temp.Combine("k")));
        var before = File.ReadAllText(Path.Combine(keyring.Directory, RsaKeyring.IndexFileName));

        var ex = Assert.Throws<SecretStoreException>(() => keyring.ImportKey(TestKeyrings.SecondKeyId, keyring.ExportSigningPublicKeyPem()));

        Assert.Equal("SSB3007", ex.Code.Id);
        Assert.Equal($"SSB3007: Key '{TestKeyrings.SecondKeyId}' already exists in the keyring '{keyring.Directory}'.", ex.Message);
        Assert.Equal(before, File.ReadAllText(Path.Combine(keyring.Directory, RsaKeyring.IndexFileName)));
    }

    [Fact]
    public void A_disposed_keyring_refuses_every_use_and_frees_its_keys()
    {
        using var temp = new TempDirectory();
        var keyring = RsaKeyring.Load(TestKeyrings.CopyTo(temp.Combine("k")));
        var publicKey = keyring.GetPublicKey(TestKeyrings.PrimaryKeyId);
        var privateKey = keyring.GetPrivateKey(TestKeyrings.PrimaryKeyId);
        var publicPem = keyring.ExportSigningPublicKeyPem();
        var fingerprint = keyring.SigningKeyFingerprint;

        keyring.Dispose();
        keyring.Dispose();

        Assert.Throws<ObjectDisposedException>(() => keyring.ExportReaderSecret());
        Assert.Throws<ObjectDisposedException>(() => keyring.RequireTrustedSigner(null, fingerprint, "'a/b'"));
        Assert.Throws<ObjectDisposedException>(() => keyring.ImportKey("partner/k", publicPem));
        Assert.Throws<ObjectDisposedException>(() => keyring.ImportSigningKey(publicPem));
        Assert.Throws<ObjectDisposedException>(() => publicKey.ExportSubjectPublicKeyInfo());
        Assert.Throws<ObjectDisposedException>(() => privateKey.ExportSubjectPublicKeyInfo());
        Assert.Throws<ObjectDisposedException>(() => keyring.ExportSigningPublicKeyPem());
        // The key lookups themselves (GetPair) check too: a disposed keyring does not answer from its stale table.
        Assert.Throws<ObjectDisposedException>(() => keyring.GetKeySize(TestKeyrings.PrimaryKeyId));
        Assert.Throws<ObjectDisposedException>(() => keyring.GetKeyFingerprint(TestKeyrings.PrimaryKeyId));
    }

    [Fact]
    public void A_disposed_keyring_without_private_keys_refuses_to_export_as_disposed_not_as_empty()
    {
        using var temp = new TempDirectory();
        var dir = TestKeyrings.CopyTo(temp.Combine("k"));
        TestKeyrings.RemovePrivateKeyFiles(dir);

        var keyring = RsaKeyring.Load(dir);
        keyring.Dispose();

        Assert.Throws<ObjectDisposedException>(() => keyring.ExportReaderSecret());
    }

    [Fact]
    public void Key_ids_are_listed_in_ordinal_order_and_ToString_names_folder_and_count()
    {
        using var temp = new TempDirectory();
        using var keyring = RsaKeyring.Load(TestKeyrings.CopyTo(temp.Combine("k")));

        Assert.Equal([TestKeyrings.PrimaryKeyId, TestKeyrings.SecondKeyId, TestKeyrings.NonAsciiKeyId], keyring.KeyIds);
        Assert.Equal($"RSA keyring '{keyring.Directory}' (3 keys)", keyring.ToString());
    }

    [Fact]
    public void Reading_with_a_public_only_key_is_SSB3008_naming_key_and_folder()
    {
        using var temp = new TempDirectory();
        var dir = TestKeyrings.CopyTo(temp.Combine("k"));
        File.Delete(Path.Combine(dir, Entry(dir, TestKeyrings.SecondKeyId, "privateKey")));
        using var keyring = RsaKeyring.Load(dir);

        var ex = Assert.Throws<SecretStoreException>(() => keyring.GetPrivateKey(TestKeyrings.SecondKeyId));

        Assert.Equal("SSB3008", ex.Code.Id);
        Assert.Equal($"SSB3008: Reading needs the private key of '{TestKeyrings.SecondKeyId}', which the keyring in '{keyring.Directory}' does not hold.", ex.Message);
    }

    [Fact]
    public void Exporting_a_reader_secret_without_private_keys_is_SSB3008_for_all_keys_and_for_one()
    {
        using var temp = new TempDirectory();
        var dir = TestKeyrings.CopyTo(temp.Combine("k"));
        TestKeyrings.RemovePrivateKeyFiles(dir);

        using var keyring = RsaKeyring.Load(dir);

        var all = Assert.Throws<SecretStoreException>(() => keyring.ExportReaderSecret());
        var one = Assert.Throws<SecretStoreException>(() => keyring.ExportReaderSecret(TestKeyrings.SecondKeyId));

        Assert.Equal("SSB3008", all.Code.Id);
        Assert.Equal($"SSB3008: The keyring in '{keyring.Directory}' holds no private encryption key to export.", all.Message);
        Assert.Equal($"SSB3008: The keyring in '{keyring.Directory}' does not hold the private key of '{TestKeyrings.SecondKeyId}'.", one.Message);
    }

    [Fact]
    public void Exporting_the_reader_secret_of_one_missing_private_key_among_others_is_SSB3008()
    {
        using var temp = new TempDirectory();
        var dir = TestKeyrings.CopyTo(temp.Combine("k"));
        File.Delete(Path.Combine(dir, Entry(dir, TestKeyrings.SecondKeyId, "privateKey")));
        using var keyring = RsaKeyring.Load(dir);

        var ex = Assert.Throws<SecretStoreException>(() => keyring.ExportReaderSecret(TestKeyrings.SecondKeyId));
        using var all = RsaReaderKey.Parse(keyring.ExportReaderSecret(), "test");

        Assert.Equal($"SSB3008: The keyring in '{keyring.Directory}' does not hold the private key of '{TestKeyrings.SecondKeyId}'.", ex.Message);
        Assert.Equal([TestKeyrings.PrimaryKeyId, TestKeyrings.NonAsciiKeyId], all.Keys.Select(k => k.Key));
    }
}

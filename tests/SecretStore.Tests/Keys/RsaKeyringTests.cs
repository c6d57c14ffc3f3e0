using System.Security.Cryptography;
using SecretStore.Diagnostics;
using SecretStore.Keys.Rsa;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Tests.Support;

namespace SecretStore.Tests.Keys;

public sealed class RsaKeyringTests
{
    [Fact]
    public void Create_refuses_keys_under_2048_bits()
    {
        using var temp = new TempDirectory();
        var ex = Assert.Throws<SecretStoreException>(() => RsaKeyring.Create(temp.Combine("k"), "alias/small", 1024));
        Assert.Equal("SSB3005", ex.Code.Id);
        Assert.False(File.Exists(temp.Combine("k", RsaKeyring.IndexFileName)));
    }

    [Fact]
    public void Create_makes_3072_bit_keys_by_default_with_the_key_as_default()
    {
        using var temp = new TempDirectory();
        using var keyring = RsaKeyring.Create(temp.Combine("k"), "alias/default-size");

        Assert.Equal(RsaKeyring.DefaultKeySizeInBits, keyring.GetKeySize("alias/default-size"));
        Assert.Equal(3072, RsaKeyring.DefaultKeySizeInBits);
        Assert.Equal("alias/default-size", keyring.DefaultKeyId);
        Assert.StartsWith("sha256:", keyring.Signer.SigningKeyId, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_twice_in_one_folder_is_refused()
    {
        using var temp = new TempDirectory();
        var path = TestKeyrings.CopyTo(temp.Combine("k"));
        var ex = Assert.Throws<SecretStoreException>(() => RsaKeyring.Create(path, "alias/again", 2048));
        Assert.Equal("SSB3007", ex.Code.Id);
    }

    [Fact]
    public void Load_lists_keys_including_a_non_ascii_id_and_the_default()
    {
        using var temp = new TempDirectory();
        using var keyring = RsaKeyring.Load(TestKeyrings.CopyTo(temp.Combine("k")));

        Assert.Equal(TestKeyrings.PrimaryKeyId, keyring.DefaultKeyId);
        Assert.Contains(TestKeyrings.NonAsciiKeyId, keyring.KeyIds);
        Assert.True(keyring.HasPrivateKey(TestKeyrings.NonAsciiKeyId));
        Assert.True(keyring.CanSign);
        Assert.Equal(2048, keyring.GetKeySize(TestKeyrings.PrimaryKeyId));
    }

    [Fact]
    public void Private_key_files_are_owner_only_on_unix()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var temp = new TempDirectory();
        using var keyring = RsaKeyring.Create(temp.Combine("k"), "alias/modes", 2048);
        var privateFiles = Directory.EnumerateFiles(keyring.Directory, "*.private.pem", SearchOption.AllDirectories).ToList();

        Assert.Equal(2, privateFiles.Count);
        foreach (var file in privateFiles)
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [Theory]
    [InlineData("../outside.pem")]
    [InlineData("/etc/passwd")]
    [InlineData("keys/../../outside.pem")]
    public void Paths_leaving_the_keyring_folder_are_SSB3007(string path)
    {
        using var temp = new TempDirectory();
        var dir = TestKeyrings.CopyTo(temp.Combine("k"));
        TestKeyrings.EditIndex(dir, index => index["keys"]![TestKeyrings.SecondKeyId]!["publicKey"] = path);

        var ex = Assert.Throws<SecretStoreException>(() => RsaKeyring.Load(dir));

        Assert.Equal("SSB3007", ex.Code.Id);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"version\":2}")]
    [InlineData("[]")]
    [InlineData("{\"version\":1,\"keys\":{}}")]
    [InlineData("{\"version\":1,\"signingKey\":{},\"keys\":{}}")]
    [InlineData("{\"version\":1,\"signingKey\":{\"publicKey\":5}}")]
    public void Invalid_keyring_json_is_SSB3007(string json)
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("k"));
        File.WriteAllText(temp.Combine("k", RsaKeyring.IndexFileName), json);

        var ex = Assert.Throws<SecretStoreException>(() => RsaKeyring.Load(temp.Combine("k")));

        Assert.Equal("SSB3007", ex.Code.Id);
    }

    [Fact]
    public void Garbage_pem_file_is_SSB3007_without_quoting_it()
    {
        using var temp = new TempDirectory();
        var dir = TestKeyrings.CopyTo(temp.Combine("k"));
        string? file = null;
        TestKeyrings.EditIndex(dir, index => file = (string)index["keys"]![TestKeyrings.PrimaryKeyId]!["privateKey"]!);
        File.WriteAllText(Path.Combine(dir, file!), "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWNhbmFyeQ==\n-----END PRIVATE KEY-----\n");

        var ex = Assert.Throws<SecretStoreException>(() => RsaKeyring.Load(dir));

        Assert.Equal("SSB3007", ex.Code.Id);
        Assert.DoesNotContain("c2VjcmV0", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Private_key_from_an_environment_variable_replaces_the_missing_file()
    {
        using var temp = new TempDirectory();
        var dir = TestKeyrings.CopyTo(temp.Combine("k"));
        var db = new SecretId("app", "Db");
        using (var full = RsaKeyring.Load(dir))
        {
            await new EnvelopeSecretStore(new SecretStore.Repositories.File.FileSecretRepository(temp.Combine("s.json")), new RsaKeyManager(full), new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId })
                .SetAsync(db, "from ci");
        }

        string? file = null;
        TestKeyrings.EditIndex(dir, index => file = (string)index["keys"]![TestKeyrings.PrimaryKeyId]!["privateKey"]!);
        var pem = File.ReadAllText(Path.Combine(dir, file!));
        File.Delete(Path.Combine(dir, file!));
        var variable = "SECRETSTORE_TEST_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, pem);
        try
        {
            using var keyring = RsaKeyring.Load(dir, new RsaKeyringLoadOptions { PrivateKeyEnvironmentVariable = variable });
            using var store = new EnvelopeSecretStore(new SecretStore.Repositories.File.FileSecretRepository(temp.Combine("s.json")), new RsaKeyManager(keyring), new EnvelopeSecretStoreOptions { DefaultKeyId = keyring.DefaultKeyId });
            Assert.Equal("from ci", (await store.GetAsync(db)).Value);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void Unset_environment_variable_is_SSB3008_naming_the_variable()
    {
        using var temp = new TempDirectory();
        var dir = TestKeyrings.CopyTo(temp.Combine("k"));

        var ex = Assert.Throws<SecretStoreException>(() => RsaKeyring.Load(dir, new RsaKeyringLoadOptions { PrivateKeyEnvironmentVariable = "SECRETSTORE_TEST_UNSET_VARIABLE" }));

        Assert.Equal("SSB3008", ex.Code.Id);
        Assert.Contains("SECRETSTORE_TEST_UNSET_VARIABLE", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reader_secret_whose_key_is_not_the_private_half_of_the_listed_public_key_is_SSB3007()
    {
        using var temp = new TempDirectory();
        var dir = TestKeyrings.CopyTo(temp.Combine("k"));
        using var stranger = RSA.Create(2048);
        using var keyring = RsaKeyring.Load(dir);
        var secret = RsaReaderKey.Encode(Convert.FromHexString(keyring.TrustAnchor!["sha256:".Length..]), [new(TestKeyrings.PrimaryKeyId, stranger)]);

        var ex = Assert.Throws<SecretStoreException>(() => RsaKeyring.Load(dir, new RsaKeyringLoadOptions { PrivateKeyPem = secret }));

        Assert.Equal("SSB3007", ex.Code.Id);
    }

    [Theory]
    [InlineData("pkcs8")]
    [InlineData("pkcs1")]
    [InlineData("xml")]
    public void Plain_private_key_without_an_anchor_as_the_private_key_variable_is_SSB3010_naming_export_reader(string format)
    {
        using var temp = new TempDirectory();
        var dir = TestKeyrings.CopyTo(temp.Combine("k"));
        using var key = RSA.Create(2048);
        var text = format switch
        {
            "pkcs8" => key.ExportPkcs8PrivateKeyPem(),
            "pkcs1" => key.ExportRSAPrivateKeyPem(),
            _ => key.ToXmlString(includePrivateParameters: true),
        };

        var ex = Assert.Throws<SecretStoreException>(() => RsaKeyring.Load(dir, new RsaKeyringLoadOptions { PrivateKeyPem = text }));

        Assert.Equal("SSB3010", ex.Code.Id);
        Assert.Contains("secretstore keys export-reader", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> ImportFormats => new() { "pkcs8", "pkcs1", "xml" };

    [Theory]
    [MemberData(nameof(ImportFormats))]
    public async Task Imported_private_keys_in_pkcs8_pkcs1_or_xml_protect_and_open(string format)
    {
        using var temp = new TempDirectory();
        var dir = TestKeyrings.CopyTo(temp.Combine("k"));
        using var rsa = RSA.Create(2048);
        var text = format switch
        {
            "pkcs8" => rsa.ExportPkcs8PrivateKeyPem(),
            "pkcs1" => rsa.ExportRSAPrivateKeyPem(),
            _ => rsa.ToXmlString(includePrivateParameters: true),
        };
        using (var keyring = RsaKeyring.Load(dir))
        {
            keyring.ImportKey("legacy/imported", text);
            Assert.Equal(rsa.ExportSubjectPublicKeyInfoPem(), keyring.ExportPublicKeyPem("legacy/imported"));
        }

        using var reloaded = RsaKeyring.Load(dir);
        var store = new EnvelopeSecretStore(new SecretStore.Testing.Repositories.InMemorySecretRepository(), new RsaKeyManager(reloaded), new EnvelopeSecretStoreOptions { DefaultKeyId = "legacy/imported" });
        await store.SetAsync(new SecretId("a", "b"), "imported");
        Assert.Equal("imported", (await store.GetAsync(new SecretId("a", "b"))).Value);
    }

    [Fact]
    public void Import_of_a_small_key_needs_explicit_permission()
    {
        using var temp = new TempDirectory();
        var dir = TestKeyrings.CopyTo(temp.Combine("k"));
        using var keyring = RsaKeyring.Load(dir);
        using var small = RSA.Create(1024);

        var ex = Assert.Throws<SecretStoreException>(() => keyring.ImportKey("legacy/small", small.ExportPkcs8PrivateKeyPem()));
        keyring.ImportKey("legacy/small-allowed", small.ExportPkcs8PrivateKeyPem(), allowSmallKey: true);

        Assert.Equal("SSB3005", ex.Code.Id);
        Assert.Equal(1024, keyring.GetKeySize("legacy/small-allowed"));
    }

    [Fact]
    public void Public_only_import_gives_a_write_only_entry()
    {
        using var temp = new TempDirectory();
        var dir = TestKeyrings.CopyTo(temp.Combine("k"));
        using var keyring = RsaKeyring.Load(dir);
        using var rsa = RSA.Create(2048);

        keyring.ImportKey("partner/public", rsa.ExportSubjectPublicKeyInfoPem());

        Assert.True(keyring.ContainsKey("partner/public"));
        Assert.False(keyring.HasPrivateKey("partner/public"));
        Assert.Throws<SecretStoreException>(() => keyring.ImportKey("partner/public", rsa.ExportSubjectPublicKeyInfoPem()));
    }

    [Fact]
    public void Signing_without_the_signing_private_key_is_ssb3008_naming_the_keyring_folder()
    {
        using var temp = new TempDirectory();
        var folder = Path.GetFullPath(temp.Combine("k"));
        RsaKeyring.Create(folder, "alias/no-signing-key", 2048).Dispose();
        File.Delete(Path.Combine(folder, "signing.private.pem"));
        using var keyring = RsaKeyring.Load(folder);

        var ex = Assert.Throws<SecretStoreException>(() => keyring.Signer.Sign([1, 2, 3]));

        Assert.Equal("SSB3008", ex.Code.Id);
        Assert.Equal($"SSB3008: Writing needs the signing private key of the keyring in '{folder}'.", ex.Message);
    }
}

using System.Security.Cryptography;
using SecretStore.Diagnostics;
using SecretStore.Keys.Rsa;
using SecretStore.Tests.Support;

namespace SecretStore.Tests.Keys;

/// <summary>How the keyring reads and writes its key files, its variables and its trust anchor, refusals word for word.</summary>
public sealed class RsaKeyringFilesTests
{
    private const string OtherFingerprint = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

    private static string Entry(string dir, string keyId, string field)
    {
        string? value = null;
        TestKeyrings.EditIndex(dir, index => value = (string?)(keyId == "signing" ? index["signingKey"] : index["keys"]![keyId])![field]);
        return value!;
    }

    private static void Owner(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private static string WithVariable(string value, Func<string, string> use)
    {
        var name = "SECRETSTORE_TEST_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(name, value);
        try
        {
            return use(name);
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void A_private_key_file_holding_another_key_id_is_SSB3007()
    {
        using var temp = new TempDirectory();
        var dir = Path.GetFullPath(TestKeyrings.CopyTo(temp.Combine("k")));
        var alpha = Entry(dir, TestKeyrings.PrimaryKeyId, "privateKey");
        var beta = Entry(dir, TestKeyrings.SecondKeyId, "privateKey");
        File.Copy(Path.Combine(dir, alpha), Path.Combine(dir, beta), overwrite: true);

        var ex = Assert.Throws<SecretStoreException>(() => RsaKeyring.Load(dir));

        Assert.Equal("SSB3007", ex.Code.Id);
        Assert.Equal($"SSB3007: The private key file of key '{TestKeyrings.SecondKeyId}' ('{beta}') holds another key than '{TestKeyrings.SecondKeyId}'.", ex.Message);
    }

    [Fact]
    public void A_private_key_file_holding_a_public_key_is_SSB3007()
    {
        using var temp = new TempDirectory();
        var dir = Path.GetFullPath(TestKeyrings.CopyTo(temp.Combine("k")));
        var beta = Entry(dir, TestKeyrings.SecondKeyId, "privateKey");
        File.WriteAllText(Path.Combine(dir, beta), File.ReadAllText(Path.Combine(dir, "signing.public.pem")));

        var ex = Assert.Throws<SecretStoreException>(() => RsaKeyring.Load(dir));

        Assert.Equal($"SSB3007: The private key file of key '{TestKeyrings.SecondKeyId}' ('{beta}') holds a public key.", ex.Message);
    }

    [Fact]
    public void A_public_key_file_that_is_not_a_key_is_SSB3007_naming_the_file()
    {
        using var temp = new TempDirectory();
        var dir = Path.GetFullPath(TestKeyrings.CopyTo(temp.Combine("k")));
        var beta = Entry(dir, TestKeyrings.SecondKeyId, "publicKey");
        File.WriteAllText(Path.Combine(dir, beta), "garbage");

        var ex = Assert.Throws<SecretStoreException>(() => RsaKeyring.Load(dir));

        Assert.Equal($"SSB3007: The public key file of key '{TestKeyrings.SecondKeyId}' ('{beta}') is not an RSA key in PEM (PKCS#8, PKCS#1, SPKI) or <RSAKeyValue> XML (ArgumentException).", ex.Message);
    }

    [Fact]
    public void A_missing_public_key_file_is_derived_from_the_private_key()
    {
        using var temp = new TempDirectory();
        var dir = TestKeyrings.CopyTo(temp.Combine("k"));
        string expected;
        using (var keyring = RsaKeyring.Load(dir))
        {
            expected = keyring.ExportPublicKeyPem(TestKeyrings.SecondKeyId);
        }

        File.Delete(Path.Combine(dir, Entry(dir, TestKeyrings.SecondKeyId, "publicKey")));
        using var reloaded = RsaKeyring.Load(dir);

        Assert.Equal(expected, reloaded.ExportPublicKeyPem(TestKeyrings.SecondKeyId));
    }

    [Fact]
    public void Missing_key_files_are_SSB3008_naming_the_key_or_the_signing_key()
    {
        using var temp = new TempDirectory();
        var dir = Path.GetFullPath(TestKeyrings.CopyTo(temp.Combine("k")));
        var signingDir = Path.GetFullPath(TestKeyrings.CopyTo(temp.Combine("s")));
        File.Delete(Path.Combine(dir, Entry(dir, TestKeyrings.SecondKeyId, "publicKey")));
        File.Delete(Path.Combine(dir, Entry(dir, TestKeyrings.SecondKeyId, "privateKey")));
        File.Delete(Path.Combine(signingDir, "signing.public.pem"));
        File.Delete(Path.Combine(signingDir, "signing.private.pem"));

        var key = Assert.Throws<SecretStoreException>(() => RsaKeyring.Load(dir));
        var signing = Assert.Throws<SecretStoreException>(() => RsaKeyring.Load(signingDir));

        Assert.Equal("SSB3008", key.Code.Id);
        Assert.Equal($"SSB3008: Neither key file of key '{TestKeyrings.SecondKeyId}' exists in the keyring '{dir}'.", key.Message);
        Assert.Equal($"SSB3008: Neither key file of the signing key exists in the keyring '{signingDir}'.", signing.Message);
    }

    [Fact]
    public void Private_and_public_key_files_of_different_keys_are_SSB3007()
    {
        using var temp = new TempDirectory();
        var dir = Path.GetFullPath(TestKeyrings.CopyTo(temp.Combine("k")));
        File.Copy(Path.Combine(dir, Entry(dir, TestKeyrings.PrimaryKeyId, "publicKey")), Path.Combine(dir, Entry(dir, TestKeyrings.SecondKeyId, "publicKey")), overwrite: true);

        var ex = Assert.Throws<SecretStoreException>(() => RsaKeyring.Load(dir));

        Assert.Equal($"SSB3007: The private and public key files of key '{TestKeyrings.SecondKeyId}' do not belong together.", ex.Message);
    }

    [Fact]
    public void Reader_secret_whose_key_is_not_the_listed_one_is_refused_word_for_word()
    {
        using var temp = new TempDirectory();
        var dir = Path.GetFullPath(TestKeyrings.CopyTo(temp.Combine("k")));
        using var stranger = RSA.Create(2048);
        string secret;
        using (var keyring = RsaKeyring.Load(dir))
        {
            secret = RsaReaderKey.Encode(Convert.FromHexString(keyring.TrustAnchor!["sha256:".Length..]), [new(TestKeyrings.PrimaryKeyId, stranger)]);
        }

        var ex = Assert.Throws<SecretStoreException>(() => RsaKeyring.Load(dir, new RsaKeyringLoadOptions { PrivateKeyPem = secret }));

        // Both fingerprints, the reader secret's first, and the fix (issue 14).
        using var listedKey = RSA.Create();
        using (var keyring = RsaKeyring.Load(dir))
        {
            listedKey.ImportFromPem(keyring.ExportPublicKeyPem(TestKeyrings.PrimaryKeyId));
        }

        static string Fingerprint(RSA key) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
        var listed = Fingerprint(listedKey);
        Assert.Equal(
            $"SSB3007: The reader secret's key '{TestKeyrings.PrimaryKeyId}' is {Fingerprint(stranger)}, but the keyring '{dir}' lists {listed} under that id: " +
            $"the reader secret comes from another keyring. Fix: export it again from this keyring ('secretstore keys export-reader {dir}') into the variable, or point the keyring option at the folder it was exported from.",
            ex.Message);
    }

    [Fact]
    public void Reader_secret_key_the_folder_does_not_list_is_still_the_readers_own()
    {
        using var temp = new TempDirectory();
        var dir = TestKeyrings.CopyTo(temp.Combine("k"));
        string secret;
        using (var keyring = RsaKeyring.Load(dir))
        {
            secret = keyring.ExportReaderSecret(TestKeyrings.SecondKeyId);
        }

        TestKeyrings.EditIndex(dir, index => index["keys"]!.AsObject().Remove(TestKeyrings.SecondKeyId));
        using var reader = RsaKeyring.Load(dir, new RsaKeyringLoadOptions { PrivateKeyPem = secret });

        Assert.True(reader.HasPrivateKey(TestKeyrings.SecondKeyId));
        Assert.Equal([TestKeyrings.PrimaryKeyId, TestKeyrings.SecondKeyId, TestKeyrings.NonAsciiKeyId], reader.KeyIds);
    }

    [Fact]
    public void Malformed_reader_secret_is_refused_naming_where_it_came_from()
    {
        using var temp = new TempDirectory();
        var dir = TestKeyrings.CopyTo(temp.Combine("k"));

        var direct = Assert.Throws<SecretStoreException>(() => RsaKeyring.Load(dir, new RsaKeyringLoadOptions { PrivateKeyPem = "not a key" }));
        var (name, fromVariable) = (string.Empty, string.Empty);
        fromVariable = WithVariable("not a key", variable =>
        {
            name = variable;
            return Assert.Throws<SecretStoreException>(() => RsaKeyring.Load(dir, new RsaKeyringLoadOptions { PrivateKeyEnvironmentVariable = variable })).Message;
        });

        Assert.StartsWith("SSB3007: The supplied private key ", direct.Message, StringComparison.Ordinal);
        Assert.StartsWith($"SSB3007: The private key in '{name}' ", fromVariable, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1ABC")]
    [InlineData("A-B")]
    [InlineData("A B")]
    [InlineData(null)]
    public void A_private_key_variable_that_is_not_a_name_is_refused_without_repeating_it(string? variable)
    {
        variable ??= new string('A', 257);
        using var temp = new TempDirectory();
        var dir = TestKeyrings.CopyTo(temp.Combine("k"));

        var ex = Assert.Throws<SecretStoreException>(() => RsaKeyring.Load(dir, new RsaKeyringLoadOptions { PrivateKeyEnvironmentVariable = variable }));

        Assert.Equal(DiagnosticCodes.InvalidStoreConfiguration, ex.Code);
        Assert.Equal($"{ex.Code.Id}: The private key variable is not an environment variable name (letters, digits and '_'); it is not repeated here, since it may be the key itself. Fix: pass the NAME of the variable that holds the reader secret, for example SECRETSTORE_READER_KEY.", ex.Message);
    }

    [Theory]
    [InlineData("_SECRETSTORE_TEST_UNSET")]
    [InlineData("a1_")]
    [InlineData(null)]
    public void A_private_key_variable_name_of_letters_digits_and_underscores_up_to_256_is_looked_up(string? variable)
    {
        variable ??= "SECRETSTORE_TEST_UNSET_" + new string('A', 256 - 23);
        using var temp = new TempDirectory();
        var dir = TestKeyrings.CopyTo(temp.Combine("k"));

        var ex = Assert.Throws<SecretStoreException>(() => RsaKeyring.Load(dir, new RsaKeyringLoadOptions { PrivateKeyEnvironmentVariable = variable }));

        Assert.Equal($"SSB3008: The environment variable '{variable}' that should hold the reader secret (private key) is not set.", ex.Message);
    }

    [Fact]
    public void Signing_private_key_from_a_variable_makes_a_public_signing_folder_writable()
    {
        using var temp = new TempDirectory();
        var dir = TestKeyrings.CopyTo(temp.Combine("k"));
        var pem = File.ReadAllText(Path.Combine(dir, "signing.private.pem"));
        File.Delete(Path.Combine(dir, "signing.private.pem"));

        var canSign = WithVariable(pem, variable =>
        {
            using var keyring = RsaKeyring.Load(dir, new RsaKeyringLoadOptions { SigningPrivateKeyEnvironmentVariable = variable });
            keyring.Signer.Sign([1, 2, 3]);
            return keyring.CanSign.ToString();
        });

        Assert.Equal("True", canSign);
    }

    [Fact]
    public void Signing_key_variable_refusals_are_named_word_for_word()
    {
        using var temp = new TempDirectory();
        var dir = TestKeyrings.CopyTo(temp.Combine("k"));
        File.Delete(Path.Combine(dir, "signing.private.pem"));
        using var other = RSA.Create(2048);

        var notName = Assert.Throws<SecretStoreException>(() => RsaKeyring.Load(dir, new RsaKeyringLoadOptions { SigningPrivateKeyEnvironmentVariable = "A-B" }));
        var unset = Assert.Throws<SecretStoreException>(() => RsaKeyring.Load(dir, new RsaKeyringLoadOptions { SigningPrivateKeyEnvironmentVariable = "SECRETSTORE_TEST_UNSET_SIGNING" }));
        var blank = WithVariable("  ", v => Assert.Throws<SecretStoreException>(() => RsaKeyring.Load(dir, new RsaKeyringLoadOptions { SigningPrivateKeyEnvironmentVariable = v })).Message.Replace(v, "VAR", StringComparison.Ordinal));
        var publicOnly = WithVariable(File.ReadAllText(Path.Combine(dir, "signing.public.pem")), v => Assert.Throws<SecretStoreException>(() => RsaKeyring.Load(dir, new RsaKeyringLoadOptions { SigningPrivateKeyEnvironmentVariable = v })).Message.Replace(v, "VAR", StringComparison.Ordinal));
        var another = WithVariable(other.ExportPkcs8PrivateKeyPem(), v => Assert.Throws<SecretStoreException>(() => RsaKeyring.Load(dir, new RsaKeyringLoadOptions { SigningPrivateKeyEnvironmentVariable = v })).Message.Replace(v, "VAR", StringComparison.Ordinal));
        var garbage = WithVariable("garbage", v => Assert.Throws<SecretStoreException>(() => RsaKeyring.Load(dir, new RsaKeyringLoadOptions { SigningPrivateKeyEnvironmentVariable = v })).Message.Replace(v, "VAR", StringComparison.Ordinal));

        Assert.Equal($"{notName.Code.Id}: The signing key variable is not an environment variable name (letters, digits and '_'); it is not repeated here, since it may be the key itself. Fix: pass the NAME of the variable that holds the reader secret, for example SECRETSTORE_READER_KEY.", notName.Message);
        Assert.Equal(DiagnosticCodes.InvalidStoreConfiguration, notName.Code);
        Assert.Equal("SSB3008: The environment variable 'SECRETSTORE_TEST_UNSET_SIGNING' that should hold the signing key is not set.", unset.Message);
        Assert.Equal("SSB3008: The environment variable 'VAR' that should hold the signing key is not set.", blank);
        Assert.Equal("SSB3007: The signing key in 'VAR' is not the private half of the keyring's signing key.", publicOnly);
        Assert.Equal("SSB3007: The signing key in 'VAR' is not the private half of the keyring's signing key.", another);
        Assert.Equal("SSB3007: The signing key in 'VAR' is not an RSA key in PEM (PKCS#8, PKCS#1, SPKI) or <RSAKeyValue> XML (ArgumentException).", garbage);
    }

    [Fact]
    public void A_folder_signing_private_key_that_is_not_the_reader_secret_anchor_is_refused_word_for_word()
    {
        using var temp = new TempDirectory();
        var dir = Path.GetFullPath(TestKeyrings.CopyTo(temp.Combine("k")));
        string secret;
        string anchor;
        using (var keyring = RsaKeyring.Load(dir))
        {
            secret = keyring.ExportReaderSecret();
            anchor = keyring.SigningKeyFingerprint;
        }

        using var foreign = RSA.Create(2048);
        var foreignFingerprint = KeyFingerprint.Of(foreign.ExportSubjectPublicKeyInfo());
        File.WriteAllText(Path.Combine(dir, "signing.public.pem"), foreign.ExportSubjectPublicKeyInfoPem());
        File.WriteAllText(Path.Combine(dir, "signing.private.pem"), foreign.ExportPkcs8PrivateKeyPem());

        var direct = Assert.Throws<SecretStoreException>(() => RsaKeyring.Load(dir, new RsaKeyringLoadOptions { PrivateKeyPem = secret }));
        var name = string.Empty;
        var fromVariable = WithVariable(secret, v =>
        {
            name = v;
            return Assert.Throws<SecretStoreException>(() => RsaKeyring.Load(dir, new RsaKeyringLoadOptions { PrivateKeyEnvironmentVariable = v })).Message;
        });

        Assert.Equal("SSB3009", direct.Code.Id);
        Assert.Equal($"SSB3009: The signing private key in the keyring '{dir}' is {foreignFingerprint}, but the supplied reader secret anchors {anchor}; refused.", direct.Message);
        Assert.Equal($"SSB3009: The signing private key in the keyring '{dir}' is {foreignFingerprint}, but the reader secret in '{name}' anchors {anchor}; refused.", fromVariable);
    }

    [Fact]
    public void A_keyring_whose_folder_signing_key_is_not_its_anchor_exports_no_reader_secret_and_writes_no_private_key()
    {
        using var temp = new TempDirectory();
        var dir = Path.GetFullPath(TestKeyrings.CopyTo(temp.Combine("k")));
        string secret;
        string anchor;
        string privatePem;
        using (var keyring = RsaKeyring.Load(dir))
        {
            secret = keyring.ExportReaderSecret();
            anchor = keyring.SigningKeyFingerprint;
            privatePem = keyring.GetPrivateKey(TestKeyrings.PrimaryKeyId).ExportPkcs8PrivateKeyPem();
        }

        using var foreign = RSA.Create(2048);
        var foreignFingerprint = KeyFingerprint.Of(foreign.ExportSubjectPublicKeyInfo());
        File.WriteAllText(Path.Combine(dir, "signing.public.pem"), foreign.ExportSubjectPublicKeyInfoPem());
        File.Delete(Path.Combine(dir, "signing.private.pem"));
        using var reader = RsaKeyring.Load(dir, new RsaKeyringLoadOptions { PrivateKeyPem = secret });

        var export = Assert.Throws<SecretStoreException>(() => reader.ExportReaderSecret());
        var write = Assert.Throws<SecretStoreException>(() => reader.ImportKey("partner/private", privatePem));

        Assert.Equal("SSB3009", export.Code.Id);
        Assert.Equal($"SSB3009: The signing public key in the keyring '{dir}' is {foreignFingerprint}, but the trust anchor (from the supplied reader secret) is {anchor}; no reader secret is exported for a keyring whose signing key was replaced.", export.Message);
        Assert.Equal($"SSB3009: The signing public key in the keyring '{dir}' is {foreignFingerprint}, but the trust anchor (from the supplied reader secret) is {anchor}; no private key is written for a keyring whose signing key was replaced.", write.Message);
        Assert.False(reader.ContainsKey("partner/private"));
    }

    [Fact]
    public void Plain_private_key_files_without_an_anchor_are_not_used_to_read()
    {
        using var temp = new TempDirectory();
        var dir = Path.GetFullPath(TestKeyrings.CopyTo(temp.Combine("k")));
        var alpha = Path.Combine(dir, Entry(dir, TestKeyrings.PrimaryKeyId, "privateKey"));
        using (var readerKey = RsaReaderKey.Parse(File.ReadAllText(alpha), "test"))
        {
            File.WriteAllText(alpha, readerKey.Keys[0].Value.ExportPkcs8PrivateKeyPem());
        }

        File.Delete(Path.Combine(dir, "signing.private.pem"));
        File.Delete(Path.Combine(dir, Entry(dir, TestKeyrings.SecondKeyId, "privateKey")));
        File.Delete(Path.Combine(dir, Entry(dir, TestKeyrings.NonAsciiKeyId, "privateKey")));
        using var keyring = RsaKeyring.Load(dir);

        var key = Assert.Throws<SecretStoreException>(() => keyring.GetPrivateKey(TestKeyrings.PrimaryKeyId));
        var record = Assert.Throws<SecretStoreException>(() => keyring.RequireTrustedSigner(null, keyring.SigningKeyFingerprint, "'a/b'"));

        const string Tail = " carry no trust anchor (the form before reader secrets) and are not used to read; run 'secretstore keys export-reader <keyring>' on the keyring's trusted copy and use its output as the private key variable.";
        Assert.Equal("SSB3010", key.Code.Id);
        Assert.Equal($"SSB3010: The private key file of '{TestKeyrings.PrimaryKeyId}' in the keyring '{dir}'" + Tail, key.Message);
        Assert.Equal($"SSB3010: Reading the record 'a/b': the private key files in the keyring '{dir}'" + Tail, record.Message);
    }

    [Fact]
    public void Importing_a_signing_key_anchors_plain_private_key_files_for_this_keyring_too()
    {
        using var temp = new TempDirectory();
        var dir = Path.GetFullPath(TestKeyrings.CopyTo(temp.Combine("k")));
        var alpha = Path.Combine(dir, Entry(dir, TestKeyrings.PrimaryKeyId, "privateKey"));
        using (var readerKey = RsaReaderKey.Parse(File.ReadAllText(alpha), "test"))
        {
            File.WriteAllText(alpha, readerKey.Keys[0].Value.ExportPkcs8PrivateKeyPem());
        }

        using var keyring = RsaKeyring.Load(dir);
        using var signing = RSA.Create(2048);
        keyring.ImportSigningKey(signing.ExportPkcs8PrivateKeyPem());

        Assert.Equal(keyring.GetPublicKey(TestKeyrings.PrimaryKeyId).ExportSubjectPublicKeyInfo(), keyring.GetPrivateKey(TestKeyrings.PrimaryKeyId).ExportSubjectPublicKeyInfo());
        var ex = Assert.Throws<SecretStoreException>(() => keyring.RequireTrustedSigner(null, OtherFingerprint, "'a/b'"));
        Assert.Equal($"SSB3009: The signing public key in the keyring '{dir}' is {OtherFingerprint}, but the trust anchor (from the imported signing key) is {keyring.SigningKeyFingerprint}; records are refused before decryption.", ex.Message);
    }

    [Fact]
    public void Importing_a_signing_key_leaves_key_files_it_holds_no_private_key_for()
    {
        using var temp = new TempDirectory();
        var dir = TestKeyrings.CopyTo(temp.Combine("k"));
        string secret;
        using (var full = RsaKeyring.Load(dir))
        {
            secret = full.ExportReaderSecret(TestKeyrings.PrimaryKeyId);
        }

        var beta = Path.Combine(dir, Entry(dir, TestKeyrings.SecondKeyId, "privateKey"));
        var betaText = File.ReadAllText(beta);
        File.Delete(Path.Combine(dir, Entry(dir, TestKeyrings.NonAsciiKeyId, "privateKey")));
        File.Delete(Path.Combine(dir, "signing.private.pem"));
        using var keyring = RsaKeyring.Load(dir, new RsaKeyringLoadOptions { PrivateKeyPem = secret });
        using var signing = RSA.Create(2048);

        keyring.ImportSigningKey(signing.ExportSubjectPublicKeyInfoPem());

        Assert.Equal(betaText, File.ReadAllText(beta));
        Assert.False(File.Exists(Path.Combine(dir, Entry(dir, TestKeyrings.NonAsciiKeyId, "privateKey"))));
    }

    [Fact]
    public void An_imported_signing_key_gets_fresh_file_names_and_a_public_only_one_no_private_file()
    {
        using var temp = new TempDirectory();
        var dir = TestKeyrings.CopyTo(temp.Combine("k"));
        using var signing = RSA.Create(2048);
        using (var keyring = RsaKeyring.Load(dir))
        {
            keyring.ImportSigningKey(signing.ExportSubjectPublicKeyInfoPem());
            Assert.False(keyring.CanSign);
        }

        var publicFile = Entry(dir, "signing", "publicKey");
        Assert.Matches("^keys/signing-[0-9a-f]{12}\\.public\\.pem$", publicFile);
        Assert.Null(Entry(dir, "signing", "privateKey"));
        using var reloaded = RsaKeyring.Load(dir);
        Assert.Equal(signing.ExportSubjectPublicKeyInfoPem(), reloaded.ExportSigningPublicKeyPem());

        using (var keyring = RsaKeyring.Load(TestKeyrings.CopyTo(temp.Combine("p"))))
        {
            keyring.ImportSigningKey(signing.ExportPkcs8PrivateKeyPem());
        }

        Assert.Matches("^keys/signing-[0-9a-f]{12}\\.private\\.pem$", Entry(temp.Combine("p"), "signing", "privateKey"));
    }

    [Fact]
    public void An_imported_public_key_is_written_kept_out_of_the_default_and_read_back()
    {
        using var temp = new TempDirectory();
        var dir = TestKeyrings.CopyTo(temp.Combine("k"));
        string pem;
        using (var keyring = RsaKeyring.Load(dir))
        {
            pem = keyring.ExportPublicKeyPem(TestKeyrings.SecondKeyId);
            keyring.ImportKey("partner/public", pem);
            keyring.ImportKey("partner/xml", keyring.GetPublicKey(TestKeyrings.SecondKeyId).ToXmlString(includePrivateParameters: false));
            Assert.Equal(TestKeyrings.PrimaryKeyId, keyring.DefaultKeyId);
            Assert.False(keyring.HasPrivateKey("partner/xml"));
        }

        Assert.Matches("^keys/partner_public-.*\\.public\\.pem$", Entry(dir, "partner/public", "publicKey"));
        using var reloaded = RsaKeyring.Load(dir);
        Assert.Equal(pem, reloaded.ExportPublicKeyPem("partner/public"));
        Assert.Equal(TestKeyrings.PrimaryKeyId, reloaded.DefaultKeyId);
    }

    [Fact]
    public void A_key_added_keeps_the_anchor_source_of_the_keyring_or_names_the_folder_signing_key_when_there_was_none()
    {
        using var temp = new TempDirectory();
        var dir = Path.GetFullPath(TestKeyrings.CopyTo(temp.Combine("k")));
        var alpha = Entry(dir, TestKeyrings.PrimaryKeyId, "privateKey");
        string privatePem;
        using (var keyring = RsaKeyring.Load(dir))
        {
            privatePem = keyring.GetPrivateKey(TestKeyrings.PrimaryKeyId).ExportPkcs8PrivateKeyPem();
            keyring.ImportKey("partner/one", privatePem);
            var ex = Assert.Throws<SecretStoreException>(() => keyring.RequireTrustedSigner(null, OtherFingerprint, "'a/b'"));
            Assert.Contains($"(from the private key file of key '{TestKeyrings.PrimaryKeyId}' ('{alpha}'))", ex.Message, StringComparison.Ordinal);
        }

        var bare = Path.GetFullPath(TestKeyrings.CopyTo(temp.Combine("bare")));
        TestKeyrings.RemovePrivateKeyFiles(bare);

        using var publicOnly = RsaKeyring.Load(bare);
        publicOnly.ImportKey("partner/two", privatePem);
        var bareEx = Assert.Throws<SecretStoreException>(() => publicOnly.RequireTrustedSigner(null, OtherFingerprint, "'a/b'"));
        Assert.Equal($"SSB3009: The signing public key in the keyring '{bare}' is {OtherFingerprint}, but the trust anchor (from the signing key of the folder the key was added in) is {publicOnly.SigningKeyFingerprint}; records are refused before decryption.", bareEx.Message);
    }
}

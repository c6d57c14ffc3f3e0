using System.Security.Cryptography;
using SecretStore.Keys;
using SecretStore.Keys.Rsa;
using SecretStore.Repositories;
using SecretStore.Secrets;

namespace SecretStore.Tests.Keys;

/// <summary>The small key types: zeroing, redaction, canonical order and equality (Stryker survivors).</summary>
public sealed class KeyTypesTests
{
    [Fact]
    public void Data_key_zeroes_its_plaintext_on_dispose_and_then_refuses_to_show_it()
    {
        byte[] plaintext = [1, 2, 3];
        var key = new DataKey("kid", plaintext, [9]);
        Assert.Equal(new byte[] { 1, 2, 3 }, key.Plaintext.ToArray());
        Assert.Equal("kid", key.KeyId);
        Assert.Equal(new byte[] { 9 }, key.WrappedKey);

        key.Dispose();
        key.Dispose();

        Assert.Equal(new byte[3], plaintext);
        Assert.Throws<ObjectDisposedException>(() => key.Plaintext.Length);
        Assert.Equal("DataKey for 'kid' (plaintext redacted)", key.ToString());
    }

    [Fact]
    public void Data_key_refuses_nulls()
    {
        Assert.Equal("keyId", Assert.Throws<ArgumentNullException>(() => new DataKey(null!, [], [])).ParamName);
        Assert.Equal("plaintext", Assert.Throws<ArgumentNullException>(() => new DataKey("k", null!, [])).ParamName);
        Assert.Equal("wrappedKey", Assert.Throws<ArgumentNullException>(() => new DataKey("k", [], null!)).ParamName);
    }

    [Fact]
    public void Encryption_context_is_sorted_ordinally_and_refuses_duplicate_names()
    {
        var context = new EncryptionContext([new("b", "2"), new("a", "1"), new("B", "3")]);

        Assert.Equal(["B", "a", "b"], context.Select(p => p.Key));
        Assert.Equal(3, context.Count);
        Assert.Equal(new KeyValuePair<string, string>("a", "1"), context[1]);
        Assert.Equal(new Dictionary<string, string> { ["B"] = "3", ["a"] = "1", ["b"] = "2" }, context.ToDictionary());
        var ex = Assert.Throws<ArgumentException>(() => new EncryptionContext([new("x", "1"), new("y", "2"), new("x", "3")]));
        Assert.Equal("pairs", ex.ParamName);
        Assert.StartsWith("Duplicate encryption context key 'x'.", ex.Message, StringComparison.Ordinal);
        Assert.Equal("pairs", Assert.Throws<ArgumentNullException>(() => new EncryptionContext(null!)).ParamName);
        Assert.Empty(EncryptionContext.Empty);
    }

    [Fact]
    public void Encryption_context_of_a_secret_holds_format_application_name_and_key()
    {
        var context = EncryptionContext.ForSecret(new SecretId("app", "db"), "alias/k", ProtectedSecretFormat.V2);

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["secretstore:application"] = "app",
                ["secretstore:format"] = ((int)ProtectedSecretFormat.V2).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["secretstore:master-key-id"] = "alias/k",
                ["secretstore:name"] = "db",
            },
            context.ToDictionary());
    }

    [Fact]
    public void Encryption_contexts_are_equal_only_with_the_same_names_and_values()
    {
        var a = new EncryptionContext([new("a", "1"), new("b", "2")]);
        var same = new EncryptionContext([new("b", "2"), new("a", "1")]);

        Assert.True(a.Equals(same));
        Assert.True(a.Equals((object)same));
        Assert.Equal(a.GetHashCode(), same.GetHashCode());
        Assert.False(a.Equals(null));
        Assert.False(a.Equals((object)"a"));
        Assert.False(a.Equals(new EncryptionContext([new("a", "1")])));
        Assert.False(a.Equals(new EncryptionContext([new("a", "1"), new("c", "2")])));
        Assert.False(a.Equals(new EncryptionContext([new("a", "1"), new("b", "3")])));
        Assert.False(a.Equals(new EncryptionContext([new("a", "1"), new("b", "2"), new("c", "3")])));
        Assert.NotEqual(a.GetHashCode(), new EncryptionContext([new("a", "1"), new("b", "3")]).GetHashCode());
        Assert.NotEqual(a.GetHashCode(), new EncryptionContext([new("a", "1"), new("c", "2")]).GetHashCode());
    }

    [Fact]
    public void Fingerprint_is_sha256_of_the_public_key_info_in_lower_case_hex()
    {
        byte[] spki = [1, 2, 3];
        var expected = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(spki));

        Assert.Equal(expected, KeyFingerprint.Of(spki));
        Assert.Equal(SHA256.HashData(spki), KeyFingerprint.HashOf(spki));
        Assert.Equal(expected, KeyFingerprint.Describe(expected));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha256:")]
    [InlineData("sha256:ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789")]
    [InlineData("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde")]
    [InlineData("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0")]
    [InlineData("x sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("sha1:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Fingerprint_read_from_a_record_is_only_shown_when_it_has_the_exact_shape(string? fingerprint)
    {
        Assert.Equal("an unrecognised signing key id", KeyFingerprint.Describe(fingerprint));
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public void Fingerprint_followed_by_a_line_break_is_not_shown(string lineBreak)
    {
        // .NET's '$' also matches before a final '\n': the shape check must anchor at the very end, or a record's
        // signing key id could end a log line early.
        var fingerprint = KeyFingerprint.Of([1, 2, 3]) + lineBreak;

        Assert.Equal("an unrecognised signing key id", KeyFingerprint.Describe(fingerprint));
    }

    [Fact]
    public void Rsa_key_pair_exposes_its_halves_and_redacts_itself()
    {
        using var rsa = RSA.Create(2048);
        var publicKey = RSA.Create();
        publicKey.ImportSubjectPublicKeyInfo(rsa.ExportSubjectPublicKeyInfo(), out _);
        var privateKey = RSA.Create();
        privateKey.ImportPkcs8PrivateKey(rsa.ExportPkcs8PrivateKey(), out _);
        using var pair = new RsaKeyPair(publicKey, privateKey, "pub.pem", "priv.pem", privateKeyAnchored: false);

        Assert.Same(publicKey, pair.PublicKey);
        Assert.Same(privateKey, pair.PrivateKey);
        Assert.Equal("pub.pem", pair.PublicKeyFile);
        Assert.Equal("priv.pem", pair.PrivateKeyFile);
        Assert.False(pair.PrivateKeyAnchored);
        Assert.Equal(rsa.ExportSubjectPublicKeyInfo(), pair.SubjectPublicKeyInfo);
        Assert.Equal(KeyFingerprint.Of(rsa.ExportSubjectPublicKeyInfo()), pair.Fingerprint);
        Assert.Equal(2048, pair.KeySizeInBits);
        Assert.Equal("RSA 2048 bits (key material redacted)", pair.ToString());

        var replacement = RSA.Create();
        replacement.ImportPkcs8PrivateKey(rsa.ExportPkcs8PrivateKey(), out _);
        pair.UsePrivateKey(replacement);

        Assert.Same(replacement, pair.PrivateKey);
        Assert.True(pair.PrivateKeyAnchored);
        // The replaced key was disposed: using it fails.
        Assert.ThrowsAny<ObjectDisposedException>(() => privateKey.ExportParameters(includePrivateParameters: true));
    }

    [Fact]
    public void Rsa_key_pair_is_anchored_by_default()
    {
        using var rsa = RSA.Create(2048);
        using var pair = new RsaKeyPair(rsa, null, null, null);

        Assert.True(pair.PrivateKeyAnchored);
        Assert.Null(pair.PrivateKey);
    }

    [Fact]
    public void Rsa_key_pair_dispose_frees_both_halves()
    {
        using var rsa = RSA.Create(2048);
        var publicKey = RSA.Create();
        publicKey.ImportSubjectPublicKeyInfo(rsa.ExportSubjectPublicKeyInfo(), out _);
        var privateKey = RSA.Create();
        privateKey.ImportPkcs8PrivateKey(rsa.ExportPkcs8PrivateKey(), out _);
        var pair = new RsaKeyPair(publicKey, privateKey, null, null);

        pair.Dispose();

        Assert.ThrowsAny<ObjectDisposedException>(() => publicKey.ExportParameters(includePrivateParameters: false));
        Assert.ThrowsAny<ObjectDisposedException>(() => privateKey.ExportParameters(includePrivateParameters: true));
    }

    [Fact]
    public void Keyring_load_options_say_where_the_private_key_comes_from_and_never_show_the_text()
    {
        const string pem = "-----BEGIN SECRETSTORE READER KEY-----\nc2VjcmV0\n-----END SECRETSTORE READER KEY-----";

        Assert.Equal("RsaKeyringLoadOptions (private key from files)", new RsaKeyringLoadOptions().ToString());
        Assert.Equal("RsaKeyringLoadOptions (private key from text (redacted))", new RsaKeyringLoadOptions { PrivateKeyPem = pem }.ToString());
        Assert.Equal("RsaKeyringLoadOptions (private key from $SS_READER)", new RsaKeyringLoadOptions { PrivateKeyEnvironmentVariable = "SS_READER" }.ToString());

        // The variable is named even when text is given as well (the loader reads the variable first).
        Assert.Equal(
            "RsaKeyringLoadOptions (private key from $SS_READER)",
            new RsaKeyringLoadOptions { PrivateKeyEnvironmentVariable = "SS_READER", PrivateKeyPem = pem, SigningPrivateKeyEnvironmentVariable = "SS_SIGN" }.ToString());
    }

    [Fact]
    public async Task Key_manager_allow_list_check_refuses_a_key_outside_it_with_ssb3012_naming_the_record_and_key()
    {
        IKeyManager manager = new AllowListKeyManager("alias/allowed");

        await manager.RequireKeyAllowedAsync("alias/allowed", "'app/db'");
        var ex = await Assert.ThrowsAsync<SecretStore.Diagnostics.SecretStoreException>(() => manager.RequireKeyAllowedAsync("alias/other", "'app/db'").AsTask());

        Assert.Equal("SSB3012", ex.Code.Id);
        Assert.Equal("SSB3012: 'app/db' is protected by master key 'alias/other', which is not one of the reader's allowed master keys; it was not opened.", ex.Message);
    }

    /// <summary>Only the allow-list is implemented: the check under test is the interface's default method.</summary>
    private sealed class AllowListKeyManager(string allowedKeyId) : IKeyManager
    {
        public Task<DataKey> GenerateDataKeyAsync(string keyId, int keySizeInBytes, EncryptionContext context, ProtectedSecretFormat format, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<DataKey> DecryptDataKeyAsync(string keyId, ReadOnlyMemory<byte> wrappedKey, EncryptionContext context, ProtectedSecretFormat format, int expectedKeySizeInBytes, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public ValueTask<bool> IsKeyAllowedAsync(string keyId, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(string.Equals(keyId, allowedKeyId, StringComparison.Ordinal));
    }
}

using System.Security.Cryptography;
using System.Text.Json.Nodes;
using SecretStore.Diagnostics;
using SecretStore.Formats;
using SecretStore.Keys;
using SecretStore.Keys.Rsa;
using SecretStore.Repositories;
using SecretStore.Tests.Support;

namespace SecretStore.Tests.Keys;

/// <summary>The key manager over the committed test keyring: allow-list, argument guards and every unwrap refusal.</summary>
public sealed class RsaKeyManagerTests : IDisposable
{
    private static readonly EncryptionContext Context = new([new("app", "acme-web")]);

    private readonly TempDirectory _temp = new();
    private readonly RsaKeyring _keyring;

    public RsaKeyManagerTests()
    {
        _keyring = RsaKeyring.Load(TestKeyrings.CopyTo(_temp.Combine("k")));
    }

    public void Dispose()
    {
        _keyring.Dispose();
        _temp.Dispose();
    }

    private const string Primary = TestKeyrings.PrimaryKeyId;

    [Fact]
    public void Constructor_refuses_a_null_keyring()
    {
        var ex = Assert.Throws<ArgumentNullException>(() => new RsaKeyManager(null!));
        Assert.Equal("keyring", ex.ParamName);
    }

    [Fact]
    public async Task Without_a_list_the_allowed_keys_are_those_with_a_private_half_and_require_allowed_refuses_nothing()
    {
        var manager = new RsaKeyManager(_keyring);
        Assert.True(await manager.IsKeyAllowedAsync(Primary));
        Assert.False(await manager.IsKeyAllowedAsync("alias/unknown"));
        await manager.RequireKeyAllowedAsync("alias/unknown", "Secret 'x'");
    }

    [Fact]
    public async Task With_a_list_only_listed_keys_are_allowed_and_others_are_refused_with_SSB3012()
    {
        var manager = new RsaKeyManager(_keyring, [TestKeyrings.SecondKeyId, "alias/elsewhere"]);
        Assert.False(await manager.IsKeyAllowedAsync(Primary));
        Assert.True(await manager.IsKeyAllowedAsync("alias/elsewhere"));
        await manager.RequireKeyAllowedAsync(TestKeyrings.SecondKeyId, "Secret 'x'");

        var ex = await Assert.ThrowsAsync<SecretStoreException>(async () => await manager.RequireKeyAllowedAsync(Primary, "Secret 'x'"));
        Assert.Equal("SSB3012", ex.Code.Id);
        Assert.Equal(
            "SSB3012: Secret 'x' is protected by keyring key 'alias/acme-alpha', which is not one of the reader's allowed master keys (alias/acme-beta, alias/elsewhere); it was not unwrapped.",
            ex.Message);
    }

    [Fact]
    public async Task Generate_and_decrypt_check_their_arguments_and_the_token()
    {
        var manager = new RsaKeyManager(_keyring);
        Assert.Equal("keyId", (await Assert.ThrowsAsync<ArgumentException>(() => manager.GenerateDataKeyAsync("", 32, Context, ProtectedSecretFormat.V2))).ParamName);
        Assert.Equal("context", (await Assert.ThrowsAsync<ArgumentNullException>(() => manager.GenerateDataKeyAsync(Primary, 32, null!, ProtectedSecretFormat.V2))).ParamName);
        await Assert.ThrowsAsync<OperationCanceledException>(() => manager.GenerateDataKeyAsync(Primary, 32, Context, ProtectedSecretFormat.V2, new CancellationToken(true)));
        // The arguments are checked before the token: a null context is reported as such even when cancelled.
        Assert.Equal("context", (await Assert.ThrowsAsync<ArgumentNullException>(() => manager.GenerateDataKeyAsync(Primary, 32, null!, ProtectedSecretFormat.V2, new CancellationToken(true)))).ParamName);

        var wrapped = new byte[256];
        Assert.Equal("keyId", (await Assert.ThrowsAsync<ArgumentException>(() => manager.DecryptDataKeyAsync("", wrapped, Context, ProtectedSecretFormat.V2, 32))).ParamName);
        Assert.Equal("context", (await Assert.ThrowsAsync<ArgumentNullException>(() => manager.DecryptDataKeyAsync(Primary, wrapped, null!, ProtectedSecretFormat.V2, 32))).ParamName);
        await Assert.ThrowsAsync<OperationCanceledException>(() => manager.DecryptDataKeyAsync(Primary, wrapped, Context, ProtectedSecretFormat.V2, 32, new CancellationToken(true)));
    }

    [Fact]
    public async Task A_data_key_too_big_for_the_rsa_key_is_refused_naming_its_size()
    {
        var manager = new RsaKeyManager(_keyring);
        var ex = await Assert.ThrowsAsync<SecretStoreException>(() => manager.GenerateDataKeyAsync(Primary, 300, Context, ProtectedSecretFormat.V1));
        Assert.Equal("SSB3007", ex.Code.Id);
        Assert.Equal("SSB3007: Key 'alias/acme-alpha' cannot wrap a 300-byte data key.", ex.Message);
        Assert.IsAssignableFrom<CryptographicException>(ex.InnerException);
    }

    [Fact]
    public void ToString_names_the_keyring()
    {
        Assert.Equal($"RsaKeyManager over {_keyring}", new RsaKeyManager(_keyring).ToString());
    }

    [Fact]
    public async Task A_v1_blob_naming_another_key_is_refused()
    {
        var manager = new RsaKeyManager(_keyring);
        using var key = await manager.GenerateDataKeyAsync(Primary, 16, Context, ProtectedSecretFormat.V1);
        var ex = await Assert.ThrowsAsync<InvalidProtectedDataException>(() => manager.DecryptDataKeyAsync(TestKeyrings.SecondKeyId, key.WrappedKey, Context, ProtectedSecretFormat.V1, 16));
        Assert.Equal("SSB3002: The protected document key names key 'alias/acme-alpha', but the record names 'alias/acme-beta'.", ex.Message);
    }

    [Fact]
    public async Task A_v1_blob_with_a_broken_signature_is_refused_with_SSB3004()
    {
        var manager = new RsaKeyManager(_keyring);
        using var key = await manager.GenerateDataKeyAsync(Primary, 16, Context, ProtectedSecretFormat.V1);
        var blob = RsaV1ProtectedKey.Parse(key.WrappedKey, "test");
        var signature = blob.Signature;
        signature[0] ^= 1;
        var tampered = RsaV1ProtectedKey.Encode(Primary, signature, blob.Ciphertext);

        var ex = await Assert.ThrowsAsync<InvalidProtectedDataException>(() => manager.DecryptDataKeyAsync(Primary, tampered, Context, ProtectedSecretFormat.V1, 16));
        Assert.Equal("SSB3004", ex.Code.Id);
        Assert.Equal("SSB3004: The protected document key under 'alias/acme-alpha' is not signed by the keyring's signing key.", ex.Message);
    }

    [Fact]
    public async Task A_v1_key_read_through_a_keyring_without_private_keys_is_SSB3008_naming_the_key_it_is_under()
    {
        // The v1 signature is checked first, and the signer first asks for the reader's trust anchor: the refusal
        // says which key the record is under, since a v1 blob names no signer of its own.
        var manager = new RsaKeyManager(_keyring);
        using var key = await manager.GenerateDataKeyAsync(Primary, 16, Context, ProtectedSecretFormat.V1);
        var publicOnly = TestKeyrings.CopyTo(_temp.Combine("public-only"));
        TestKeyrings.RemovePrivateKeyFiles(publicOnly);

        using var reader = RsaKeyring.Load(publicOnly);
        var ex = await Assert.ThrowsAsync<SecretStoreException>(() => new RsaKeyManager(reader).DecryptDataKeyAsync(Primary, key.WrappedKey, Context, ProtectedSecretFormat.V1, 16));

        Assert.Equal("SSB3008", ex.Code.Id);
        Assert.StartsWith("SSB3008: Reading the record under key 'alias/acme-alpha' needs a reader secret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_v1_key_of_another_size_than_expected_is_refused()
    {
        var manager = new RsaKeyManager(_keyring);
        using var key = await manager.GenerateDataKeyAsync(Primary, 16, Context, ProtectedSecretFormat.V1);
        var ex = await Assert.ThrowsAsync<InvalidProtectedDataException>(() => manager.DecryptDataKeyAsync(Primary, key.WrappedKey, Context, ProtectedSecretFormat.V1, 32));
        Assert.Equal("SSB3002: The document key under 'alias/acme-alpha' has the wrong size.", ex.Message);
    }

    [Fact]
    public async Task A_v2_key_of_another_size_than_expected_is_refused()
    {
        var manager = new RsaKeyManager(_keyring);
        using var key = await manager.GenerateDataKeyAsync(Primary, 32, Context, ProtectedSecretFormat.V2);
        var ex = await Assert.ThrowsAsync<InvalidProtectedDataException>(() => manager.DecryptDataKeyAsync(Primary, key.WrappedKey, Context, ProtectedSecretFormat.V2, 16));
        Assert.Equal("SSB3002: The data key under 'alias/acme-alpha' has the wrong size.", ex.Message);
    }

    [Fact]
    public async Task A_v2_key_made_for_another_context_is_refused_with_SSB3003()
    {
        var manager = new RsaKeyManager(_keyring);
        using var key = await manager.GenerateDataKeyAsync(Primary, 32, Context, ProtectedSecretFormat.V2);
        var ex = await Assert.ThrowsAsync<InvalidProtectedDataException>(() => manager.DecryptDataKeyAsync(Primary, key.WrappedKey, new EncryptionContext([new("app", "other")]), ProtectedSecretFormat.V2, 32));
        Assert.Equal("SSB3003", ex.Code.Id);
        Assert.Equal("SSB3003: The data key under 'alias/acme-alpha' was made for another encryption context.", ex.Message);
    }

    [Fact]
    public async Task A_wrapped_key_of_the_wrong_length_or_that_does_not_decrypt_is_refused()
    {
        var manager = new RsaKeyManager(_keyring);
        var ex = await Assert.ThrowsAsync<InvalidProtectedDataException>(() => manager.DecryptDataKeyAsync(Primary, new byte[255], Context, ProtectedSecretFormat.V2, 32));
        Assert.Equal("SSB3002: The wrapped key under 'alias/acme-alpha' does not have the size of the RSA key.", ex.Message);

        ex = await Assert.ThrowsAsync<InvalidProtectedDataException>(() => manager.DecryptDataKeyAsync(Primary, new byte[256], Context, ProtectedSecretFormat.V2, 32));
        Assert.Equal("SSB3002: The wrapped key under 'alias/acme-alpha' does not decrypt with the keyring's private key.", ex.Message);
    }

    [Fact]
    public async Task An_unknown_format_is_refused_for_generate_and_decrypt()
    {
        var manager = new RsaKeyManager(_keyring);
        Assert.Equal("format", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => manager.GenerateDataKeyAsync(Primary, 32, Context, (ProtectedSecretFormat)99))).ParamName);
        Assert.Equal("format", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => manager.DecryptDataKeyAsync(Primary, new byte[256], Context, (ProtectedSecretFormat)99, 32))).ParamName);
    }

    [Fact]
    public async Task A_key_under_2048_bits_still_wraps_v1_but_new_v2_data_keys_are_refused_with_SSB3005()
    {
        using var temp = new TempDirectory();
        var directory = TestKeyrings.CopyTo(temp.Combine("small"));
        using (var small = RSA.Create(1024))
        {
            File.WriteAllText(Path.Combine(directory, "small.pem"), small.ExportSubjectPublicKeyInfoPem());
        }

        TestKeyrings.EditIndex(directory, index => index["keys"]!["alias/small"] = new JsonObject { ["publicKey"] = "small.pem" });
        using var keyring = RsaKeyring.Load(directory);
        var manager = new RsaKeyManager(keyring);

        var ex = await Assert.ThrowsAsync<SecretStoreException>(() => manager.GenerateDataKeyAsync("alias/small", 32, Context, ProtectedSecretFormat.V2));
        Assert.Equal("SSB3005", ex.Code.Id);
        Assert.Equal("SSB3005: Key 'alias/small' has 1024 bits; new v2 records need at least 2048. Fix: add a bigger key and rewrap.", ex.Message);
        using var v1 = await manager.GenerateDataKeyAsync("alias/small", 16, Context, ProtectedSecretFormat.V1);
        Assert.Equal(128, RsaV1ProtectedKey.Parse(v1.WrappedKey, "test").Ciphertext.Length);
    }
}

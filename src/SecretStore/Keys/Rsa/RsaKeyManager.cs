using System.Security.Cryptography;
using SecretStore.Diagnostics;
using SecretStore.Formats;
using SecretStore.Repositories;

namespace SecretStore.Keys.Rsa;

/// <summary>
/// Wraps data keys with an <see cref="RsaKeyring"/>, offline. v1: RSA-OAEP (SHA-1) of the 16-byte key in the
/// reference layout, signed with PKCS#1 v1.5 SHA-512 by the signing key. v2: RSA-OAEP (SHA-256) of the
/// 32-byte key followed by the SHA-256 of the canonical encryption context, so the wrapped key only opens
/// for the context it was made for; whole v2 envelopes are signed through <see cref="EnvelopeSigner"/>.
/// The keyring is disposed with the manager only when it was given with <c>ownsKeyring</c>.
/// </summary>
public sealed class RsaKeyManager : IKeyManager, IDisposable
{
    private readonly RsaKeyring _keyring;
    private readonly IReadOnlyList<string> _allowedKeyIds;
    private readonly bool _ownsKeyring;

    /// <summary>
    /// Creates a key manager over a loaded keyring. With <paramref name="allowedKeyIds"/>, records under any other
    /// key are refused (<c>SSB3012</c>) before an unwrap; without, the allowed keys are those whose private half
    /// the keyring (or the reader secret) holds: a record under any other key cannot be unwrapped at all
    /// (<c>SSB3001</c>/<c>SSB3008</c>). With <paramref name="ownsKeyring"/>, disposing the manager disposes the
    /// keyring (zeroing its private keys).
    /// </summary>
    public RsaKeyManager(RsaKeyring keyring, IReadOnlyList<string>? allowedKeyIds = null, bool ownsKeyring = false)
    {
        ArgumentNullException.ThrowIfNull(keyring);
        _keyring = keyring;
        _allowedKeyIds = allowedKeyIds ?? [];
        _ownsKeyring = ownsKeyring;
    }

    /// <summary>Disposes the keyring when this manager owns it.</summary>
    public void Dispose()
    {
        if (_ownsKeyring)
        {
            _keyring.Dispose();
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> IsKeyAllowedAsync(string keyId, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_allowedKeyIds.Count == 0
            ? _keyring.HasPrivateKey(keyId)
            : _allowedKeyIds.Contains(keyId, StringComparer.Ordinal));

    /// <inheritdoc />
    public async ValueTask RequireKeyAllowedAsync(string keyId, string subject, CancellationToken cancellationToken = default)
    {
        // Without a list the unwrap itself refuses keys whose private half is missing, with its own codes.
        if (_allowedKeyIds.Count > 0 && !await IsKeyAllowedAsync(keyId, cancellationToken).ConfigureAwait(false))
        {
            throw new SecretStoreException(
                DiagnosticCodes.MasterKeyNotAllowed,
                $"{subject} is protected by keyring key '{keyId}', which is not one of the reader's allowed master keys ({string.Join(", ", _allowedKeyIds)}); it was not unwrapped.");
        }
    }

    /// <summary>The keyring behind this key manager.</summary>
    public RsaKeyring Keyring => _keyring;

    /// <summary>The keyring's signer: the public encryption key is shared, so envelopes must be signed.</summary>
    public IEnvelopeSigner? EnvelopeSigner => _keyring.Signer;

    /// <inheritdoc />
    public Task<DataKey> GenerateDataKeyAsync(string keyId, int keySizeInBytes, EncryptionContext context, ProtectedSecretFormat format, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();
        var publicKey = format == ProtectedSecretFormat.V2 ? V2WriteKey(keyId) : _keyring.GetPublicKey(keyId);

        var key = RandomNumberGenerator.GetBytes(keySizeInBytes);
        try
        {
            var wrapped = format switch
            {
                ProtectedSecretFormat.V1 => WrapV1(keyId, publicKey, key),
                ProtectedSecretFormat.V2 => WrapV2(publicKey, key, context),
                _ => throw new ArgumentOutOfRangeException(nameof(format)),
            };
            return Task.FromResult(new DataKey(keyId, key, wrapped));
        }
        catch (CryptographicException ex)
        {
            CryptographicOperations.ZeroMemory(key);
            throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"Key '{keyId}' cannot wrap a {keySizeInBytes}-byte data key.", ex);
        }
        catch
        {
            CryptographicOperations.ZeroMemory(key);
            throw;
        }
    }

    /// <inheritdoc />
    public Task<byte[]> WrapDataKeyAsync(string keyId, ReadOnlyMemory<byte> plaintextKey, EncryptionContext context, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();
        var publicKey = V2WriteKey(keyId);

        var key = plaintextKey.ToArray();
        try
        {
            return Task.FromResult(WrapV2(publicKey, key, context));
        }
        catch (CryptographicException ex)
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"Key '{keyId}' cannot wrap a {key.Length}-byte data key.", ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <inheritdoc />
    public Task<DataKey> DecryptDataKeyAsync(string keyId, ReadOnlyMemory<byte> wrappedKey, EncryptionContext context, ProtectedSecretFormat format, int expectedKeySizeInBytes, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();
        var key = format switch
        {
            ProtectedSecretFormat.V1 => UnwrapV1(keyId, wrappedKey.Span, expectedKeySizeInBytes),
            ProtectedSecretFormat.V2 => UnwrapV2(keyId, wrappedKey.Span, context, expectedKeySizeInBytes),
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };
        return Task.FromResult(new DataKey(keyId, key, wrappedKey.ToArray()));
    }

    /// <summary>
    /// The public key a new v2 record is wrapped for, first or further recipient alike. Old small keys stay readable, but
    /// new records (and their context binding, 64 bytes inside the OAEP plaintext) need a full-size key: <c>SSB3005</c>.
    /// </summary>
    private RSA V2WriteKey(string keyId)
    {
        var publicKey = _keyring.GetPublicKey(keyId);
        return publicKey.KeySize >= RsaKeyring.MinimumKeySizeInBits
            ? publicKey
            : throw new SecretStoreException(DiagnosticCodes.KeyTooSmall, $"Key '{keyId}' has {publicKey.KeySize} bits; new v2 records need at least {RsaKeyring.MinimumKeySizeInBits}. Fix: add a bigger key and rewrap.");
    }

    /// <summary>Names the keyring only.</summary>
    public override string ToString() => $"RsaKeyManager over {_keyring}";

    private byte[] WrapV1(string keyId, RSA publicKey, byte[] key)
    {
        var ciphertext = publicKey.Encrypt(key, RSAEncryptionPadding.OaepSHA1);
        var signature = _keyring.SigningKey.SignV1(RsaV1ProtectedKey.GetSignedData(keyId, ciphertext));
        return RsaV1ProtectedKey.Encode(keyId, signature, ciphertext);
    }

    private static byte[] WrapV2(RSA publicKey, byte[] key, EncryptionContext context)
    {
        var payload = new byte[key.Length + SHA256.HashSizeInBytes];
        try
        {
            key.CopyTo(payload, 0);
            SHA256.HashData(ContextEncoding.Encode(context), payload.AsSpan(key.Length));
            return publicKey.Encrypt(payload, RSAEncryptionPadding.OaepSHA256);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(payload);
        }
    }

    private byte[] UnwrapV1(string keyId, ReadOnlySpan<byte> wrappedKey, int expectedKeySizeInBytes)
    {
        var blob = RsaV1ProtectedKey.Parse(wrappedKey, keyId);
        if (!string.Equals(blob.KeyId, keyId, StringComparison.Ordinal))
        {
            throw new InvalidProtectedDataException($"The protected document key names key '{blob.KeyId}', but the record names '{keyId}'.");
        }

        // Signature first: nothing is decrypted for a blob the signing key did not make.
        if (!_keyring.SigningKey.VerifyV1(blob.SignedData, blob.Signature, $"under key '{keyId}'"))
        {
            throw new InvalidProtectedDataException(DiagnosticCodes.InvalidSignature, $"The protected document key under '{keyId}' is not signed by the keyring's signing key.");
        }

        var key = Decrypt(keyId, blob.Ciphertext, RSAEncryptionPadding.OaepSHA1);
        if (key.Length != expectedKeySizeInBytes)
        {
            CryptographicOperations.ZeroMemory(key);
            throw new InvalidProtectedDataException($"The document key under '{keyId}' has the wrong size.");
        }

        return key;
    }

    private byte[] UnwrapV2(string keyId, ReadOnlySpan<byte> wrappedKey, EncryptionContext context, int expectedKeySizeInBytes)
    {
        var payload = Decrypt(keyId, wrappedKey, RSAEncryptionPadding.OaepSHA256);
        try
        {
            if (payload.Length != expectedKeySizeInBytes + SHA256.HashSizeInBytes)
            {
                throw new InvalidProtectedDataException($"The data key under '{keyId}' has the wrong size.");
            }

            Span<byte> expectedHash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(ContextEncoding.Encode(context), expectedHash);
            if (!CryptographicOperations.FixedTimeEquals(payload.AsSpan(expectedKeySizeInBytes), expectedHash))
            {
                throw new InvalidProtectedDataException(DiagnosticCodes.WrongContext, $"The data key under '{keyId}' was made for another encryption context.");
            }

            return payload.AsSpan(0, expectedKeySizeInBytes).ToArray();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(payload);
        }
    }

    private byte[] Decrypt(string keyId, ReadOnlySpan<byte> ciphertext, RSAEncryptionPadding padding)
    {
        var privateKey = _keyring.GetPrivateKey(keyId);
        if (ciphertext.Length != privateKey.KeySize / 8)
        {
            throw new InvalidProtectedDataException($"The wrapped key under '{keyId}' does not have the size of the RSA key.");
        }

        try
        {
            return privateKey.Decrypt(ciphertext.ToArray(), padding);
        }
        catch (CryptographicException ex)
        {
            throw new InvalidProtectedDataException($"The wrapped key under '{keyId}' does not decrypt with the keyring's private key.", ex);
        }
    }
}

using SecretStore.Repositories;

namespace SecretStore.Keys;

/// <summary>
/// Wraps and unwraps data keys under a master key (AWS KMS, or an RSA keyring offline).
/// </summary>
public interface IKeyManager
{
    /// <summary>
    /// Creates a fresh random data key of <paramref name="keySizeInBytes"/> (32 for v2, 16 for v1) and
    /// wraps it under <paramref name="keyId"/>, bound to <paramref name="context"/>. The wrapped form for
    /// <see cref="ProtectedSecretFormat.V1"/> is the reference layout.
    /// </summary>
    Task<DataKey> GenerateDataKeyAsync(string keyId, int keySizeInBytes, EncryptionContext context, ProtectedSecretFormat format, CancellationToken cancellationToken = default);

    /// <summary>
    /// Wraps an existing plaintext data key (from <see cref="GenerateDataKeyAsync"/> for the record's first
    /// recipient) under one more master key, bound to <paramref name="context"/>: how one record gets several
    /// recipients. Returns the wrapped form only. The default refuses (<c>SSB0003</c>): a key manager that cannot
    /// wrap a given key cannot write records with several recipients.
    /// </summary>
    Task<byte[]> WrapDataKeyAsync(string keyId, ReadOnlyMemory<byte> plaintextKey, EncryptionContext context, CancellationToken cancellationToken = default) =>
        throw new Diagnostics.SecretStoreException(
            Diagnostics.DiagnosticCodes.InvalidArgument,
            $"This key manager ({GetType().Name}) cannot wrap a data key for a further recipient ('{keyId}'); write the record with one recipient.");

    /// <summary>
    /// Unwraps a data key. Throws <see cref="Diagnostics.MasterKeyNotFoundException"/> for an unknown key and
    /// <see cref="Diagnostics.InvalidProtectedDataException"/> (or a wrong-context error) when the wrapped key
    /// does not open under this key and context. The result has exactly <paramref name="expectedKeySizeInBytes"/> bytes.
    /// </summary>
    Task<DataKey> DecryptDataKeyAsync(string keyId, ReadOnlyMemory<byte> wrappedKey, EncryptionContext context, ProtectedSecretFormat format, int expectedKeySizeInBytes, CancellationToken cancellationToken = default);

    /// <summary>
    /// Whether records under <paramref name="keyId"/> (the key id stored in the record) may be read: the reader's
    /// allow-list of master keys. Never unwraps anything. The default allows every key the manager can open.
    /// </summary>
    ValueTask<bool> IsKeyAllowedAsync(string keyId, CancellationToken cancellationToken = default) => ValueTask.FromResult(true);

    /// <summary>
    /// Throws <c>SSB3012</c> naming <paramref name="subject"/> and the key when <paramref name="keyId"/> is outside
    /// the allow-list (or <c>SSB3013</c> when the manager has no allowed keys at all), before any unwrap.
    /// </summary>
    async ValueTask RequireKeyAllowedAsync(string keyId, string subject, CancellationToken cancellationToken = default)
    {
        if (!await IsKeyAllowedAsync(keyId, cancellationToken).ConfigureAwait(false))
        {
            throw new Diagnostics.SecretStoreException(
                Diagnostics.DiagnosticCodes.MasterKeyNotAllowed,
                $"{subject} is protected by master key '{keyId}', which is not one of the reader's allowed master keys; it was not opened.");
        }
    }

    /// <summary>
    /// Signs whole v2 envelopes when the key manager's wrapping key is public (RSA), so that holding the
    /// public key alone cannot plant a record. Null when the backend's permissions play that role (KMS).
    /// </summary>
    IEnvelopeSigner? EnvelopeSigner => null;
}

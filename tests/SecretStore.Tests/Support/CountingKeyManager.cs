using SecretStore.Keys;
using SecretStore.Repositories;

namespace SecretStore.Tests.Support;

/// <summary>Counts unwraps while delegating to a real key manager.</summary>
public sealed class CountingKeyManager(IKeyManager inner, bool hideSigner = false) : IKeyManager
{
    private int _unwraps;

    public int Unwraps => _unwraps;

    public IEnvelopeSigner? EnvelopeSigner => hideSigner ? null : inner.EnvelopeSigner;

    public Task<DataKey> GenerateDataKeyAsync(string keyId, int keySizeInBytes, EncryptionContext context, ProtectedSecretFormat format, CancellationToken cancellationToken = default) =>
        inner.GenerateDataKeyAsync(keyId, keySizeInBytes, context, format, cancellationToken);

    public Task<byte[]> WrapDataKeyAsync(string keyId, ReadOnlyMemory<byte> plaintextKey, EncryptionContext context, CancellationToken cancellationToken = default) =>
        inner.WrapDataKeyAsync(keyId, plaintextKey, context, cancellationToken);

    public Task<DataKey> DecryptDataKeyAsync(string keyId, ReadOnlyMemory<byte> wrappedKey, EncryptionContext context, ProtectedSecretFormat format, int expectedKeySizeInBytes, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _unwraps);
        return inner.DecryptDataKeyAsync(keyId, wrappedKey, context, format, expectedKeySizeInBytes, cancellationToken);
    }
}

using System.Security.Cryptography;

namespace SecretStore.Keys;

/// <summary>
/// A plaintext data key and its wrapped form. Dispose it as soon as the cipher is done: the plaintext is
/// zeroed. It has no <c>ToString</c> that could show key bytes.
/// </summary>
public sealed class DataKey : IDisposable
{
    private readonly byte[] _plaintext;
    private bool _disposed;

    /// <summary>Takes ownership of <paramref name="plaintext"/> (it is zeroed on dispose).</summary>
    public DataKey(string keyId, byte[] plaintext, byte[] wrappedKey)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        ArgumentNullException.ThrowIfNull(plaintext);
        ArgumentNullException.ThrowIfNull(wrappedKey);
        KeyId = keyId;
        _plaintext = plaintext;
        WrappedKey = wrappedKey;
    }

    /// <summary>The master key id that wraps this data key.</summary>
    public string KeyId { get; }

    /// <summary>The data key wrapped by the master key (safe to store).</summary>
    public byte[] WrappedKey { get; }

    /// <summary>The plaintext key bytes. Throws once disposed.</summary>
    public ReadOnlySpan<byte> Plaintext
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _plaintext;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_disposed)
        {
            CryptographicOperations.ZeroMemory(_plaintext);
            _disposed = true;
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"DataKey for '{KeyId}' (plaintext redacted)";
}

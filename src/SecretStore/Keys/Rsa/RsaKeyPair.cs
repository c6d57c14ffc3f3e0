using System.Security.Cryptography;

namespace SecretStore.Keys.Rsa;

/// <summary>
/// One parsed RSA key: the public half always, the private half when available. Parsed once and kept, so
/// each wrap or unwrap does not re-import PEM. Disposing frees both halves.
/// </summary>
internal sealed class RsaKeyPair : IDisposable
{
    public RsaKeyPair(RSA publicKey, RSA? privateKey, string? publicKeyFile, string? privateKeyFile, bool privateKeyAnchored = true)
    {
        PrivateKeyAnchored = privateKeyAnchored;
        PublicKey = publicKey;
        PrivateKey = privateKey;
        PublicKeyFile = publicKeyFile;
        PrivateKeyFile = privateKeyFile;
        SubjectPublicKeyInfo = publicKey.ExportSubjectPublicKeyInfo();
    }

    public RSA PublicKey { get; }

    public RSA? PrivateKey { get; private set; }

    /// <summary>
    /// False for a private key read from a plain PEM file (the form before trust anchors): it may be exported as a
    /// reader secret, but records are not read with it.
    /// </summary>
    public bool PrivateKeyAnchored { get; private set; }

    public string Fingerprint => KeyFingerprint.Of(SubjectPublicKeyInfo);

    public string? PublicKeyFile { get; }

    public string? PrivateKeyFile { get; }

    public byte[] SubjectPublicKeyInfo { get; }

    public int KeySizeInBits => PublicKey.KeySize;

    /// <summary>Takes ownership of a private key supplied from outside the files (environment variable).</summary>
    public void UsePrivateKey(RSA privateKey)
    {
        PrivateKey?.Dispose();
        PrivateKey = privateKey;
        PrivateKeyAnchored = true;
    }

    public void Dispose()
    {
        PublicKey.Dispose();
        PrivateKey?.Dispose();
    }

    public override string ToString() => $"RSA {KeySizeInBits} bits (key material redacted)";
}

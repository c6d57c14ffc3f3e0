using System.Security.Cryptography;
using SecretStore.Diagnostics;

namespace SecretStore.Keys.Rsa;

/// <summary>
/// Signs v2 envelopes with the keyring's signing key (RSA-PSS, SHA-256) and verifies records, v1 and v2, only
/// against the reader's trust anchor: the signing key of the folder is used to verify only when its fingerprint is
/// the anchor that came with the private key. Its id is that fingerprint, so a foreign signer is recognised.
/// </summary>
internal sealed class RsaEnvelopeSigner(RsaKeyPair signingKey, RsaKeyring keyring) : IEnvelopeSigner
{
    public string SigningKeyId { get; } = signingKey.Fingerprint;

    public byte[] Sign(ReadOnlySpan<byte> data) => Sign(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);

    public void RequireTrustedSigner(string? signingKeyId, string subject) => keyring.RequireTrustedSigner(signingKeyId, SigningKeyId, subject);

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        RequireTrustedSigner(null, "being verified");
        return Verify(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
    }

    /// <summary>v1: RSASSA-PKCS1-v1_5 with SHA-512 over key id bytes and RSA ciphertext, as the reference did.</summary>
    public byte[] SignV1(ReadOnlySpan<byte> data) => Sign(data, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1);

    public bool VerifyV1(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, string subject)
    {
        RequireTrustedSigner(null, subject);
        return Verify(data, signature, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1);
    }

    private byte[] Sign(ReadOnlySpan<byte> data, HashAlgorithmName hash, RSASignaturePadding padding)
    {
        var privateKey = signingKey.PrivateKey
            ?? throw new SecretStoreException(DiagnosticCodes.KeyMaterialMissing, $"Writing needs the signing private key of the keyring in '{keyring.Directory}'.");
        return privateKey.SignData(data, hash, padding);
    }

    private bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, HashAlgorithmName hash, RSASignaturePadding padding)
    {
        try
        {
            return signingKey.PublicKey.VerifyData(data, signature, hash, padding);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}

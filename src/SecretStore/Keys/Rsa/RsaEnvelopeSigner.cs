using System.Security.Cryptography;
using SecretStore.Diagnostics;

namespace SecretStore.Keys.Rsa;

/// <summary>
/// Signs v2 envelopes with the keyring's signing key (RSA-PSS, SHA-256). Its id is the SHA-256 fingerprint of
/// the signing public key, so an envelope signed by any other key is recognised as foreign.
/// </summary>
internal sealed class RsaEnvelopeSigner(RsaKeyPair signingKey, string keyringDirectory) : IEnvelopeSigner
{
    public string SigningKeyId { get; } = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(signingKey.SubjectPublicKeyInfo));

    public byte[] Sign(ReadOnlySpan<byte> data) => Sign(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        Verify(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);

    /// <summary>v1: RSASSA-PKCS1-v1_5 with SHA-512 over key id bytes and RSA ciphertext, as the reference did.</summary>
    public byte[] SignV1(ReadOnlySpan<byte> data) => Sign(data, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1);

    public bool VerifyV1(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        Verify(data, signature, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1);

    private byte[] Sign(ReadOnlySpan<byte> data, HashAlgorithmName hash, RSASignaturePadding padding)
    {
        var privateKey = signingKey.PrivateKey
            ?? throw new SecretStoreException(DiagnosticCodes.KeyMaterialMissing, $"Writing needs the signing private key of the keyring in '{keyringDirectory}'.");
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

using System.Buffers.Binary;
using System.Text;
using SecretStore.Diagnostics;

namespace SecretStore.Formats;

/// <summary>
/// The reference RSA layout of a v1 <c>ProtectedDocumentKey</c>:
/// <c>int32 LE keyIdLength | int32 LE signatureLength | signature | keyId (UTF-8) | RSA ciphertext</c>.
/// The signature covers <c>keyId bytes || RSA ciphertext</c>. Parsing is hardened: every length is checked
/// against what is left, so malformed input gives <see cref="InvalidProtectedDataException"/> only.
/// </summary>
internal sealed class RsaV1ProtectedKey
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private RsaV1ProtectedKey(string keyId, byte[] keyIdBytes, byte[] signature, byte[] ciphertext)
    {
        KeyId = keyId;
        Signature = signature;
        Ciphertext = ciphertext;
        SignedData = [.. keyIdBytes, .. ciphertext];
    }

    /// <summary>The key id recorded in the blob.</summary>
    public string KeyId { get; }

    /// <summary>The RSASSA-PKCS1-v1_5 SHA-512 signature.</summary>
    public byte[] Signature { get; }

    /// <summary>The RSA-OAEP (SHA-1) ciphertext of the 16-byte document key.</summary>
    public byte[] Ciphertext { get; }

    /// <summary>The bytes the signature covers: key id bytes followed by the ciphertext.</summary>
    public byte[] SignedData { get; }

    /// <summary>The bytes a signature must cover for the given key id and ciphertext.</summary>
    public static byte[] GetSignedData(string keyId, ReadOnlySpan<byte> ciphertext)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        return [.. StrictUtf8.GetBytes(keyId), .. ciphertext];
    }

    /// <summary>Lays out a protected document key.</summary>
    public static byte[] Encode(string keyId, ReadOnlySpan<byte> signature, ReadOnlySpan<byte> ciphertext)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        var keyIdBytes = StrictUtf8.GetBytes(keyId);
        var result = new byte[8 + signature.Length + keyIdBytes.Length + ciphertext.Length];
        BinaryPrimitives.WriteInt32LittleEndian(result, keyIdBytes.Length);
        BinaryPrimitives.WriteInt32LittleEndian(result.AsSpan(4), signature.Length);
        signature.CopyTo(result.AsSpan(8));
        keyIdBytes.CopyTo(result.AsSpan(8 + signature.Length));
        ciphertext.CopyTo(result.AsSpan(8 + signature.Length + keyIdBytes.Length));
        return result;
    }

    /// <summary>Parses a protected document key; <paramref name="subject"/> names the secret in errors.</summary>
    public static RsaV1ProtectedKey Parse(ReadOnlySpan<byte> blob, string subject)
    {
        if (blob.Length < 8)
        {
            throw Invalid(subject, "is shorter than its header");
        }

        var keyIdLength = BinaryPrimitives.ReadInt32LittleEndian(blob);
        var signatureLength = BinaryPrimitives.ReadInt32LittleEndian(blob[4..]);
        if (keyIdLength <= 0 || signatureLength <= 0)
        {
            throw Invalid(subject, "has a zero or negative length");
        }

        // long arithmetic: two int32 lengths near int.MaxValue must not wrap around.
        var remaining = (long)blob.Length - 8;
        if ((long)keyIdLength + signatureLength >= remaining)
        {
            throw Invalid(subject, "is truncated or its lengths overflow it");
        }

        var signature = blob.Slice(8, signatureLength).ToArray();
        var keyIdBytes = blob.Slice(8 + signatureLength, keyIdLength).ToArray();
        var ciphertext = blob[(8 + signatureLength + keyIdLength)..].ToArray();
        string keyId;
        try
        {
            keyId = StrictUtf8.GetString(keyIdBytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new InvalidProtectedDataException($"The protected document key of '{subject}' has a key id that is not UTF-8.", ex);
        }

        return new RsaV1ProtectedKey(keyId, keyIdBytes, signature, ciphertext);
    }

    private static InvalidProtectedDataException Invalid(string subject, string what) =>
        new($"The protected document key of '{subject}' {what}.");
}

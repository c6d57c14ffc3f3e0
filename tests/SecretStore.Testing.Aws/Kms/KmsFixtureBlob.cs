using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace SecretStore.Testing.Aws.Kms;

/// <summary>
/// The fixture's ciphertext blob: version (1) | key UUID (36 ASCII bytes) | nonce (12) | tag (16) | AES-GCM
/// ciphertext. The associated data is the canonical encryption context (pairs sorted by name, ordinal, each
/// part length-prefixed), so any context change makes the blob fail to open, as with real KMS.
/// </summary>
internal static class KmsFixtureBlob
{
    private const byte Version = 1;
    private const int KeyIdLength = 36;
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private const int HeaderLength = 1 + KeyIdLength + NonceLength + TagLength;

    public static byte[] Seal(string keyUuid, byte[] material, byte[] plaintext, IReadOnlyDictionary<string, string>? context)
    {
        var blob = new byte[HeaderLength + plaintext.Length];
        blob[0] = Version;
        Encoding.ASCII.GetBytes(keyUuid, blob.AsSpan(1, KeyIdLength));
        var nonce = blob.AsSpan(1 + KeyIdLength, NonceLength);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(material, TagLength);
        aes.Encrypt(nonce, plaintext, blob.AsSpan(HeaderLength), blob.AsSpan(1 + KeyIdLength + NonceLength, TagLength), AssociatedData(context));
        return blob;
    }

    public static bool TryReadKeyId(byte[] blob, out string keyUuid)
    {
        keyUuid = string.Empty;
        if (blob.Length < HeaderLength || blob[0] != Version)
        {
            return false;
        }

        keyUuid = Encoding.ASCII.GetString(blob, 1, KeyIdLength);
        return true;
    }

    public static byte[]? Open(byte[] blob, byte[] material, IReadOnlyDictionary<string, string>? context)
    {
        var plaintext = new byte[blob.Length - HeaderLength];
        using var aes = new AesGcm(material, TagLength);
        try
        {
            aes.Decrypt(
                blob.AsSpan(1 + KeyIdLength, NonceLength),
                blob.AsSpan(HeaderLength),
                blob.AsSpan(1 + KeyIdLength + NonceLength, TagLength),
                plaintext,
                AssociatedData(context));
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    private static byte[] AssociatedData(IReadOnlyDictionary<string, string>? context)
    {
        using var stream = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        foreach (var (name, value) in (context ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            foreach (var part in new[] { name, value })
            {
                var bytes = Encoding.UTF8.GetBytes(part);
                BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
                stream.Write(length);
                stream.Write(bytes);
            }
        }

        return stream.ToArray();
    }
}

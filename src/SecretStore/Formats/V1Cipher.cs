using System.Security.Cryptography;
using System.Text;
using SecretStore.Diagnostics;

namespace SecretStore.Formats;

/// <summary>
/// The reference (v1) value cipher: UTF-8 text, AES-128-CBC, PKCS#7 padding, a random 16-byte IV and no MAC.
/// Kept byte-compatible with LeapingGorilla SecretStore so existing stores stay readable.
/// </summary>
internal static class V1Cipher
{
    /// <summary>The document key size in bytes (AES-128).</summary>
    public const int KeySizeInBytes = 16;

    /// <summary>The IV size in bytes (one AES block).</summary>
    public const int IvSizeInBytes = 16;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Encrypts <paramref name="value"/> under a 16-byte key with a fresh random IV.</summary>
    public static (byte[] InitialisationVector, byte[] Ciphertext) Encrypt(ReadOnlySpan<byte> key, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (key.Length != KeySizeInBytes)
        {
            throw new ArgumentException("A v1 document key has 16 bytes.", nameof(key));
        }

        var iv = RandomNumberGenerator.GetBytes(IvSizeInBytes);
        var plaintext = StrictUtf8.GetBytes(value);
        try
        {
            using var aes = Aes.Create();
            aes.SetKey(key);
            return (iv, aes.EncryptCbc(plaintext, iv, PaddingMode.PKCS7));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>
    /// Decrypts a v1 value. Every failure (key, IV or ciphertext size, padding, invalid UTF-8) gives the same
    /// <see cref="InvalidProtectedDataException"/> with the same message and no inner exception: v1 has no MAC,
    /// so telling a padding error from a UTF-8 error would be a padding oracle for whoever can write the store.
    /// </summary>
    public static string Decrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> initialisationVector, ReadOnlySpan<byte> ciphertext, string subject)
    {
        if (key.Length != KeySizeInBytes || initialisationVector.Length != IvSizeInBytes || ciphertext.Length == 0 || ciphertext.Length % 16 != 0)
        {
            throw Failure(subject);
        }

        byte[]? plaintext = null;
        try
        {
            using var aes = Aes.Create();
            aes.SetKey(key);
            plaintext = aes.DecryptCbc(ciphertext, initialisationVector, PaddingMode.PKCS7);
            return StrictUtf8.GetString(plaintext);
        }
        catch (Exception ex) when (ex is CryptographicException or DecoderFallbackException or ArgumentException)
        {
            throw Failure(subject);
        }
        finally
        {
            if (plaintext is not null)
            {
                CryptographicOperations.ZeroMemory(plaintext);
            }
        }
    }

    /// <summary>The one failure of a v1 decryption, whatever went wrong (see <see cref="Decrypt"/>).</summary>
    public static InvalidProtectedDataException Failure(string subject) =>
        new($"The v1 record of '{subject}' does not decrypt: it was tampered with, or it is protected by another key.");
}

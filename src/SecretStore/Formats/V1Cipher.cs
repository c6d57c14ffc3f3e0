using System.Security.Cryptography;
using System.Text;
using SecretStore.Diagnostics;

namespace SecretStore.Formats;

/// <summary>
/// The reference (v1) value cipher: UTF-8 text, AES-128-CBC, PKCS#7 padding, a random 16-byte IV and no MAC.
/// Kept byte-compatible with LeapingGorilla SecretStore so existing stores stay readable.
/// </summary>
public static class V1Cipher
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
    /// Decrypts a v1 value. Any malformed input (IV size, block size, padding, invalid UTF-8) gives
    /// <see cref="InvalidProtectedDataException"/>; v1 has no MAC, so tampering is only caught when padding breaks.
    /// </summary>
    public static string Decrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> initialisationVector, ReadOnlySpan<byte> ciphertext, string subject)
    {
        if (key.Length != KeySizeInBytes)
        {
            throw new InvalidProtectedDataException($"The v1 document key of '{subject}' does not have 16 bytes.");
        }

        if (initialisationVector.Length != IvSizeInBytes)
        {
            throw new InvalidProtectedDataException($"The v1 initialisation vector of '{subject}' does not have 16 bytes.");
        }

        if (ciphertext.Length == 0 || ciphertext.Length % 16 != 0)
        {
            throw new InvalidProtectedDataException($"The v1 ciphertext of '{subject}' is not a whole number of AES blocks.");
        }

        byte[]? plaintext = null;
        try
        {
            using var aes = Aes.Create();
            aes.SetKey(key);
            plaintext = aes.DecryptCbc(ciphertext, initialisationVector, PaddingMode.PKCS7);
            return StrictUtf8.GetString(plaintext);
        }
        catch (CryptographicException ex)
        {
            throw new InvalidProtectedDataException($"The v1 value of '{subject}' does not decrypt (bad padding or wrong key).", ex);
        }
        catch (DecoderFallbackException ex)
        {
            throw new InvalidProtectedDataException($"The v1 value of '{subject}' is not valid UTF-8 after decryption.", ex);
        }
        finally
        {
            if (plaintext is not null)
            {
                CryptographicOperations.ZeroMemory(plaintext);
            }
        }
    }
}

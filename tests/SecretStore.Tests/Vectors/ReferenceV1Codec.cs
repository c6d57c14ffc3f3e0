using System.Security.Cryptography;
using System.Text;

namespace SecretStore.Tests.Vectors;

/// <summary>
/// A from-scratch v1 codec written from the reference layout alone, sharing no code with the engine:
/// <c>ProtectedDocumentKey = int32 LE keyIdLength | int32 LE signatureLength | signature | keyId (UTF-8) |
/// RSA-OAEP(SHA-1) ciphertext of the 16-byte key</c>, signature = RSASSA-PKCS1-v1_5 SHA-512 over
/// <c>keyId || ciphertext</c>; value = AES-128-CBC, PKCS#7, 16-byte IV, over UTF-8.
/// </summary>
public static class ReferenceV1Codec
{
    public sealed record Row(string MasterKeyId, byte[] ProtectedDocumentKey, byte[] InitialisationVector, byte[] ProtectedSecretValue);

    public static Row Encode(string keyId, string value, RSA encryptionPublicKey, RSA signingPrivateKey)
    {
        var documentKey = RandomNumberGenerator.GetBytes(16);
        var iv = RandomNumberGenerator.GetBytes(16);
        byte[] cipherValue;
        using (var aes = Aes.Create())
        {
            aes.Key = documentKey;
            aes.IV = iv;
            aes.Mode = CipherMode.CBC;
            aes.Padding = PaddingMode.PKCS7;
            using var encryptor = aes.CreateEncryptor();
            var plain = Encoding.UTF8.GetBytes(value);
            cipherValue = encryptor.TransformFinalBlock(plain, 0, plain.Length);
        }

        var rsaCipher = encryptionPublicKey.Encrypt(documentKey, RSAEncryptionPadding.OaepSHA1);
        var keyIdBytes = Encoding.UTF8.GetBytes(keyId);
        var signed = new byte[keyIdBytes.Length + rsaCipher.Length];
        Buffer.BlockCopy(keyIdBytes, 0, signed, 0, keyIdBytes.Length);
        Buffer.BlockCopy(rsaCipher, 0, signed, keyIdBytes.Length, rsaCipher.Length);
        var signature = signingPrivateKey.SignData(signed, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1);

        using var blob = new MemoryStream();
        using (var writer = new BinaryWriter(blob))
        {
            writer.Write(keyIdBytes.Length); // BinaryWriter writes int32 little-endian
            writer.Write(signature.Length);
            writer.Write(signature);
            writer.Write(keyIdBytes);
            writer.Write(rsaCipher);
        }

        return new Row(keyId, blob.ToArray(), iv, cipherValue);
    }

    public static string Decode(Row row, RSA encryptionPrivateKey, RSA signingPublicKey)
    {
        using var reader = new BinaryReader(new MemoryStream(row.ProtectedDocumentKey));
        var keyIdLength = reader.ReadInt32();
        var signatureLength = reader.ReadInt32();
        var signature = reader.ReadBytes(signatureLength);
        var keyIdBytes = reader.ReadBytes(keyIdLength);
        var rsaCipher = reader.ReadBytes(row.ProtectedDocumentKey.Length - 8 - signatureLength - keyIdLength);
        byte[] signed = [.. keyIdBytes, .. rsaCipher];
        if (!signingPublicKey.VerifyData(signed, signature, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1))
        {
            throw new InvalidOperationException("bad signature");
        }

        var documentKey = encryptionPrivateKey.Decrypt(rsaCipher, RSAEncryptionPadding.OaepSHA1);
        using var aes = Aes.Create();
        aes.Key = documentKey;
        aes.IV = row.InitialisationVector;
        using var decryptor = aes.CreateDecryptor();
        return Encoding.UTF8.GetString(decryptor.TransformFinalBlock(row.ProtectedSecretValue, 0, row.ProtectedSecretValue.Length));
    }
}

using System.Security.Cryptography;
using System.Text;
using Amazon.DynamoDBv2.Model;
using static SecretStore.Aws.DynamoDb.SecretTableAttributes;

namespace SecretStore.Aws.Tests.EndToEnd;

/// <summary>
/// Writes rows the way the reference tool did: the four v1 attributes and MasterKeyId, no Revision, no
/// Format, the value AES-128-CBC (PKCS#7, random IV) under a 16-byte document key. Built here by hand, not by
/// the engine's v1 codec, so the test checks compatibility rather than a round trip.
/// </summary>
public static class ReferenceRows
{
    public static Dictionary<string, AttributeValue> Item(string application, string name, string masterKeyId, byte[] wrappedDocumentKey, ReadOnlySpan<byte> documentKey, string value)
    {
        var iv = RandomNumberGenerator.GetBytes(16);
        using var aes = Aes.Create();
        aes.Key = documentKey.ToArray();
        var ciphertext = aes.EncryptCbc(Encoding.UTF8.GetBytes(value), iv, PaddingMode.PKCS7);
        return new Dictionary<string, AttributeValue>
        {
            [ApplicationName] = new() { S = application },
            [SecretName] = new() { S = name },
            [MasterKeyId] = new() { S = masterKeyId },
            [ProtectedDocumentKey] = new() { B = new MemoryStream(wrappedDocumentKey) },
            [InitialisationVector] = new() { B = new MemoryStream(iv) },
            [ProtectedSecretValue] = new() { B = new MemoryStream(ciphertext) },
        };
    }
}

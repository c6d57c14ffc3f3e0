using System.Buffers.Binary;
using CsCheck;
using SecretStore.Diagnostics;
using SecretStore.Formats;
using SecretStore.Keys;
using SecretStore.Repositories;
using SecretStore.Secrets;

namespace SecretStore.Tests.Formats;

public sealed class FormatParsingTests
{
    private static byte[] V1Blob(int keyIdLength, int signatureLength, int bodyLength)
    {
        var blob = new byte[8 + Math.Max(0, bodyLength)];
        BinaryPrimitives.WriteInt32LittleEndian(blob, keyIdLength);
        BinaryPrimitives.WriteInt32LittleEndian(blob.AsSpan(4), signatureLength);
        return blob;
    }

    public static TheoryData<int, int, int> MalformedV1Lengths => new()
    {
        { -1, 4, 20 },
        { 4, -1, 20 },
        { 0, 4, 20 },
        { 4, 0, 20 },
        { int.MaxValue, int.MaxValue, 20 },
        { int.MaxValue, 1, 20 },
        { 1, int.MaxValue, 20 },
        { int.MinValue, int.MinValue, 20 },
        { 10, 10, 20 },
        { 10, 10, 19 },
    };

    [Theory]
    [MemberData(nameof(MalformedV1Lengths))]
    public void V1_protected_key_with_bad_lengths_is_invalid_data(int keyIdLength, int signatureLength, int bodyLength)
    {
        var ex = Assert.Throws<InvalidProtectedDataException>(() => RsaV1ProtectedKey.Parse(V1Blob(keyIdLength, signatureLength, bodyLength), "app/name"));
        Assert.Equal("SSB3002", ex.Code.Id);
    }

    [Fact]
    public void V1_protected_key_shorter_than_its_header_is_invalid_data()
    {
        for (var length = 0; length < 8; length++)
        {
            Assert.Throws<InvalidProtectedDataException>(() => RsaV1ProtectedKey.Parse(new byte[length], "app/name"));
        }
    }

    [Fact]
    public void V1_protected_key_encodes_the_reference_layout()
    {
        var blob = RsaV1ProtectedKey.Encode("ké", [9, 9, 9], [7, 7]);

        Assert.Equal(new byte[] { 3, 0, 0, 0, 3, 0, 0, 0, 9, 9, 9, (byte)'k', 0xC3, 0xA9, 7, 7 }, blob);
        var parsed = RsaV1ProtectedKey.Parse(blob, "app/name");
        Assert.Equal("ké", parsed.KeyId);
        Assert.Equal(new byte[] { (byte)'k', 0xC3, 0xA9, 7, 7 }, parsed.SignedData);
    }

    [Fact]
    public void Random_bytes_never_escape_as_anything_but_invalid_data()
    {
        Gen.Byte.Array[0, 600].Sample(bytes =>
        {
            AssertCodedOrParsed(() => RsaV1ProtectedKey.Parse(bytes, "app/name"));
            AssertCodedOrParsed(() => V2Envelope.Parse(bytes, "app/name"));
            AssertCodedOrParsed(() => ContextEncoding.Decode(bytes, "app/name"));
        }, iter: 3000);
    }

    [Fact]
    public void Random_bytes_after_a_valid_v2_header_never_escape_as_anything_but_invalid_data()
    {
        Gen.Byte.Array[0, 600].Sample(tail =>
        {
            byte[] bytes = [.. "SSBE"u8, 2, 1, .. tail];
            AssertCodedOrParsed(() => V2Envelope.Parse(bytes, "app/name"));
        }, iter: 3000);
    }

    [Fact]
    public void V1_cipher_rejects_malformed_inputs_with_a_code()
    {
        var key = new byte[16];
        Assert.Throws<InvalidProtectedDataException>(() => V1Cipher.Decrypt(key, new byte[15], new byte[16], "a/b"));
        Assert.Throws<InvalidProtectedDataException>(() => V1Cipher.Decrypt(key, new byte[16], [], "a/b"));
        Assert.Throws<InvalidProtectedDataException>(() => V1Cipher.Decrypt(key, new byte[16], new byte[17], "a/b"));
        Assert.Throws<InvalidProtectedDataException>(() => V1Cipher.Decrypt(new byte[15], new byte[16], new byte[16], "a/b"));

        // Random blocks almost never end in valid PKCS#7 padding; whichever way it goes, it is coded or text.
        Gen.Byte.Array[16].Sample(block => AssertCodedOrParsed(() => V1Cipher.Decrypt(key, new byte[16], block, "a/b")), iter: 500);
    }

    [Fact]
    public void Context_encoding_is_canonical_and_round_trips()
    {
        var context = EncryptionContext.ForSecret(new SecretId("app", "név 🔑"), "alias/k", ProtectedSecretFormat.V2);
        var bytes = ContextEncoding.Encode(context);

        var (decoded, read) = ContextEncoding.Decode(bytes, "a/b");

        Assert.Equal(context, decoded);
        Assert.Equal(bytes.Length, read);
        Assert.Equal(4u, BinaryPrimitives.ReadUInt32LittleEndian(bytes));
    }

    [Fact]
    public void Context_with_pairs_out_of_order_is_not_canonical()
    {
        byte[] bytes = [2, 0, 0, 0, 1, 0, 0, 0, (byte)'b', 0, 0, 0, 0, 1, 0, 0, 0, (byte)'a', 0, 0, 0, 0];

        var ex = Assert.Throws<InvalidProtectedDataException>(() => ContextEncoding.Decode(bytes, "a/b"));

        Assert.Equal("SSB3002", ex.Code.Id);
    }

    private static void AssertCodedOrParsed(Action parse)
    {
        try
        {
            parse();
        }
        catch (SecretStoreException ex)
        {
            // The catalogue's code for malformed protected data is SSB3002 (docs/diagnostics.md); the one structural
            // exception is a signed envelope whose signature is empty, a missing signature: SSB3004.
            var expected = ex.Message.EndsWith("has an empty signature.", StringComparison.Ordinal) ? "SSB3004" : "SSB3002";
            Assert.Equal(expected, ex.Code.Id);
        }
    }
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using SecretStore.Diagnostics;
using SecretStore.Formats;
using SecretStore.Keys;
using SecretStore.Tests.Support;
using static SecretStore.Tests.Support.EnvelopeBytes;

namespace SecretStore.Tests.Formats;

/// <summary>
/// Pins the byte layouts and every rejection of the parsers, message and code included, so that a parser that
/// accepts one byte too many or reports the wrong failure is caught (these were Stryker survivors).
/// </summary>
public sealed class EnvelopeLayoutTests
{
    private static readonly byte[] Nonce = Enumerable.Range(1, 12).Select(i => (byte)i).ToArray();
    private static readonly byte[] Tag = Enumerable.Range(101, 16).Select(i => (byte)i).ToArray();
    private static readonly EncryptionContext OnePair = new([new("k", "v")]);

    private static byte[] UnsignedEnvelope(byte[] ciphertext) =>
        V2Envelope.Encode(OnePair, "kid", [5, 6], Nonce, ciphertext, Tag, signer: null);

    private static void AssertInvalid(string expectedMessage, Action parse, string code = "SSB3002")
    {
        var ex = Assert.Throws<InvalidProtectedDataException>(parse);
        Assert.Equal($"{code}: {expectedMessage}", ex.Message);
        Assert.Equal(code, ex.Code.Id);
    }

    [Fact]
    public void V2_unsigned_envelope_has_the_documented_layout()
    {
        var bytes = UnsignedEnvelope([9, 8, 7]);

        byte[] expected =
        [
            .. "SSBE"u8, 2, 0,
            1, 0, 0, 0, .. Prefixed((byte)'k'), .. Prefixed((byte)'v'),
            .. Prefixed("kid"u8.ToArray()),
            .. Prefixed(5, 6),
            .. Nonce,
            .. Prefixed(9, 8, 7),
            .. Tag,
        ];
        Assert.Equal(expected, bytes);
        var parsed = V2Envelope.Parse(bytes, "app/name");
        Assert.False(parsed.IsSigned);
        Assert.Null(parsed.SigningKeyId);
        Assert.Null(parsed.Signature);
        Assert.Null(parsed.SignedData);
        Assert.Equal(OnePair, parsed.Context);
        Assert.Equal("kid", parsed.KeyId);
        Assert.Equal(new byte[] { 5, 6 }, parsed.WrappedKey);
        Assert.Equal(Nonce, parsed.Nonce);
        Assert.Equal(new byte[] { 9, 8, 7 }, parsed.Ciphertext);
        Assert.Equal(Tag, parsed.Tag);
    }

    [Fact]
    public void V2_signed_envelope_signs_every_byte_before_the_signature_length()
    {
        var signer = new FixedSigner([0xAA, 0xBB]);

        var bytes = V2Envelope.Encode(OnePair, "kid", [5, 6], Nonce, [9], Tag, signer);

        var unsigned = UnsignedEnvelope([9]);
        byte[] signedPart = [.. unsigned[..4], 2, V2Envelope.SignedFlag, .. unsigned[6..], .. Prefixed("signer"u8.ToArray())];
        Assert.Equal(signedPart, signer.Signed);
        Assert.Equal([.. signedPart, .. Prefixed(0xAA, 0xBB)], bytes);
        var parsed = V2Envelope.Parse(bytes, "app/name");
        Assert.True(parsed.IsSigned);
        Assert.Equal("signer", parsed.SigningKeyId);
        Assert.Equal(new byte[] { 0xAA, 0xBB }, parsed.Signature);
        Assert.Equal(signedPart, parsed.SignedData);
    }

    [Fact]
    public void V2_envelope_with_empty_fields_round_trips()
    {
        // Zero-length prefixed fields (an empty value, an empty wrapped key) are legal: a reader must not refuse them.
        var bytes = V2Envelope.Encode(EncryptionContext.Empty, "", [], Nonce, [], Tag, signer: null);

        var parsed = V2Envelope.Parse(bytes, "app/name");

        Assert.Equal(EncryptionContext.Empty, parsed.Context);
        Assert.Equal("", parsed.KeyId);
        Assert.Empty(parsed.WrappedKey);
        Assert.Empty(parsed.Ciphertext);
        Assert.Equal(Tag, parsed.Tag);
    }

    [Theory]
    [InlineData(11, 16)]
    [InlineData(13, 16)]
    [InlineData(12, 15)]
    [InlineData(12, 17)]
    public void V2_encode_refuses_a_nonce_or_tag_of_the_wrong_size(int nonceLength, int tagLength)
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            V2Envelope.Encode(OnePair, "kid", [1], new byte[nonceLength], [1], new byte[tagLength], signer: null));

        Assert.Equal("The nonce has 12 bytes and the tag 16.", ex.Message);
    }

    [Fact]
    public void V2_encode_refuses_null_context_and_key_id()
    {
        Assert.Equal("context", Assert.Throws<ArgumentNullException>(() => V2Envelope.Encode(null!, "kid", [], Nonce, [], Tag, null)).ParamName);
        Assert.Equal("keyId", Assert.Throws<ArgumentNullException>(() => V2Envelope.Encode(OnePair, null!, [], Nonce, [], Tag, null)).ParamName);

        // Null is refused before the sizes are checked: with a wrong nonce as well, it is still the null that is reported.
        Assert.Equal("context", Assert.Throws<ArgumentNullException>(() => V2Envelope.Encode(null!, "kid", [], new byte[5], [], Tag, null)).ParamName);
        Assert.Equal("keyId", Assert.Throws<ArgumentNullException>(() => V2Envelope.Encode(OnePair, null!, [], new byte[5], [], Tag, null)).ParamName);
    }

    [Fact]
    public void V2_parse_names_each_structural_failure()
    {
        var good = UnsignedEnvelope([9, 8, 7]);

        AssertInvalid("The envelope of 'app/name' does not start with the v2 magic bytes.", () => V2Envelope.Parse([.. "SSBF"u8, .. good[4..]], "app/name"));
        AssertInvalid("The envelope of 'app/name' has unsupported version 3.", () => V2Envelope.Parse([.. good[..4], 3, .. good[5..]], "app/name"));
        AssertInvalid("The envelope of 'app/name' has unsupported version 1.", () => V2Envelope.Parse([.. good[..4], 1, .. good[5..]], "app/name"));
        AssertInvalid("The envelope of 'app/name' has unknown flags.", () => V2Envelope.Parse([.. good[..5], 0x02, .. good[6..]], "app/name"));
        AssertInvalid("The envelope of 'app/name' has unknown flags.", () => V2Envelope.Parse([.. good[..5], 0x81, .. good[6..]], "app/name"));
        AssertInvalid("The envelope of 'app/name' has trailing bytes.", () => V2Envelope.Parse([.. good, 0], "app/name"));
        AssertInvalid("The protected data of 'app/name' is truncated.", () => V2Envelope.Parse(good[..^1], "app/name"));
        AssertInvalid("The protected data of 'app/name' is truncated.", () => V2Envelope.Parse(good[..3], "app/name"));
    }

    [Fact]
    public void V2_signed_envelope_with_an_empty_signature_is_an_invalid_signature()
    {
        var bytes = V2Envelope.Encode(OnePair, "kid", [5, 6], Nonce, [9], Tag, new FixedSigner([]));

        AssertInvalid("The envelope of 'app/name' has an empty signature.", () => V2Envelope.Parse(bytes, "app/name"), "SSB3004");
    }

    [Fact]
    public void V2_signed_envelope_with_a_one_byte_signature_parses()
    {
        var bytes = V2Envelope.Encode(OnePair, "kid", [5, 6], Nonce, [9], Tag, new FixedSigner([0x01]));

        Assert.Equal(new byte[] { 0x01 }, V2Envelope.Parse(bytes, "app/name").Signature);
    }

    [Fact]
    public void V2_field_length_beyond_the_data_is_reported_as_such()
    {
        // The wrapped key's length says 1000 while only the nonce, ciphertext and tag follow.
        var good = UnsignedEnvelope([9]);
        var lengthAt = 4 + 1 + 1 + ContextEncoding.Encode(OnePair).Length + 4 + 3;
        var bytes = good.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(lengthAt), 1000);

        AssertInvalid("The protected data of 'app/name' has a field longer than the data.", () => V2Envelope.Parse(bytes, "app/name"));
    }

    [Fact]
    public void V2_field_exactly_as_long_as_the_rest_is_read()
    {
        // A signature is the last field: its length equals what is left, and that is not "longer than the data".
        var bytes = V2Envelope.Encode(OnePair, "kid", [], Nonce, [], Tag, new FixedSigner(new byte[300]));

        Assert.Equal(300, V2Envelope.Parse(bytes, "app/name").Signature!.Length);
    }

    [Fact]
    public void V2_key_id_that_is_not_utf8_is_invalid_data_with_the_decoder_error_inside()
    {
        var good = UnsignedEnvelope([9]);
        var keyIdAt = 4 + 1 + 1 + ContextEncoding.Encode(OnePair).Length + 4;
        var bytes = good.ToArray();
        bytes[keyIdAt] = 0xFF;

        var ex = Assert.Throws<InvalidProtectedDataException>(() => V2Envelope.Parse(bytes, "app/name"));

        Assert.Equal("SSB3002: The protected data of 'app/name' holds text that is not UTF-8.", ex.Message);
        Assert.IsType<DecoderFallbackException>(ex.InnerException);
    }

    [Fact]
    public void Span_reader_reads_little_endian_fields_and_tracks_the_position()
    {
        byte[] data = [7, 0x01, 0x02, 0x03, 0x04, 2, 0, 0, 0, (byte)'h', (byte)'i', 0xEE];
        var reader = new SpanReader(data, "a/b");

        Assert.Equal(7, reader.ReadByte());
        Assert.Equal(0x04030201u, reader.ReadUInt32());
        Assert.Equal(5, reader.Position);
        Assert.Equal(7, reader.Remaining);
        Assert.Equal("hi", reader.ReadUtf8());
        Assert.Equal(1, reader.Remaining);
        Assert.Equal(new byte[] { 0xEE }, reader.ReadFixed(1).ToArray());
        Assert.Equal(0, reader.Remaining);
        Assert.Equal(0, reader.ReadFixed(0).Length);
    }

    [Fact]
    public void Span_reader_refuses_a_negative_length()
    {
        var ex = Assert.Throws<InvalidProtectedDataException>(() => new SpanReader(new byte[4], "a/b").ReadFixed(-1));

        Assert.Equal("SSB3002: The protected data of 'a/b' is truncated.", ex.Message);
    }

    [Fact]
    public void Context_encoding_writes_counts_and_lengths_little_endian_in_key_order()
    {
        var bytes = ContextEncoding.Encode(new EncryptionContext([new("b", "é"), new("a", "")]));

        byte[] expected = [2, 0, 0, 0, .. Prefixed((byte)'a'), .. Prefixed(), .. Prefixed((byte)'b'), .. Prefixed(0xC3, 0xA9)];
        Assert.Equal(expected, bytes);
        Assert.Equal(expected.Length, ContextEncoding.Decode([.. bytes, 0xFF, 0xFF], "a/b").BytesRead);
    }

    [Fact]
    public void Encoders_refuse_text_that_is_not_well_formed_unicode()
    {
        // Strict UTF-8: a lone surrogate must not be silently written as U+FFFD (two ids would share one encoding).
        Assert.Throws<EncoderFallbackException>(() => ContextEncoding.Encode(new EncryptionContext([new("k", "a\ud800")])));
        Assert.Throws<EncoderFallbackException>(() => V2Envelope.Encode(OnePair, "kid\udc00", [], Nonce, [], Tag, signer: null));
    }

    [Fact]
    public void Context_encoding_refuses_null()
    {
        Assert.Throws<ArgumentNullException>(() => ContextEncoding.Encode(null!));
    }

    private static byte[] ContextOf(int pairs) =>
        ContextEncoding.Encode(new EncryptionContext(Enumerable.Range(0, pairs).Select(i => new KeyValuePair<string, string>($"k{i:D3}", "v"))));

    [Fact]
    public void Context_with_the_most_pairs_decodes_and_one_more_is_too_many()
    {
        Assert.Equal(ContextEncoding.MaxPairs, ContextEncoding.Decode(ContextOf(ContextEncoding.MaxPairs), "a/b").Context.Count);

        var tooMany = ContextOf(ContextEncoding.MaxPairs + 1);
        AssertInvalid("The encryption context of 'a/b' has too many pairs.", () => ContextEncoding.Decode(tooMany, "a/b"));
    }

    [Fact]
    public void Context_with_a_repeated_key_is_not_canonical()
    {
        byte[] bytes = [2, 0, 0, 0, .. Prefixed((byte)'a'), .. Prefixed(), .. Prefixed((byte)'a'), .. Prefixed()];

        AssertInvalid("The encryption context of 'a/b' is not in canonical order.", () => ContextEncoding.Decode(bytes, "a/b"));
    }

    [Fact]
    public void V1_cipher_round_trips_and_uses_a_fresh_iv()
    {
        var key = RandomNumberGenerator.GetBytes(16);

        var (iv, ciphertext) = V1Cipher.Encrypt(key, "café");
        var (iv2, _) = V1Cipher.Encrypt(key, "café");

        Assert.Equal(16, iv.Length);
        Assert.Equal(16, ciphertext.Length);
        Assert.NotEqual(iv, iv2);
        Assert.Equal("café", V1Cipher.Decrypt(key, iv, ciphertext, "a/b"));
        using var aes = Aes.Create();
        aes.Key = key;
        Assert.Equal("café"u8.ToArray(), aes.DecryptCbc(ciphertext, iv, PaddingMode.PKCS7));
    }

    [Theory]
    [InlineData(15)]
    [InlineData(24)]
    [InlineData(32)]
    public void V1_cipher_encrypts_only_under_a_16_byte_key(int keyLength)
    {
        // 24 and 32 bytes are valid AES keys: only the v1 check stops them.
        var ex = Assert.Throws<ArgumentException>(() => V1Cipher.Encrypt(new byte[keyLength], "x"));

        Assert.Equal("key", ex.ParamName);
        Assert.StartsWith("A v1 document key has 16 bytes.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void V1_cipher_refuses_a_null_value()
    {
        // The parameter is named, and null is refused before the key size is looked at (an 8-byte key would
        // otherwise be reported first): the encoder's own null check would name its own parameter 's'.
        Assert.Equal("value", Assert.Throws<ArgumentNullException>(() => V1Cipher.Encrypt(new byte[16], null!)).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentNullException>(() => V1Cipher.Encrypt(new byte[8], null!)).ParamName);
    }

    [Theory]
    [InlineData(24)]
    [InlineData(32)]
    public void V1_cipher_decrypts_only_under_a_16_byte_key(int keyLength)
    {
        // A valid AES-192/256 ciphertext of valid UTF-8 still is not a v1 record.
        var key = new byte[keyLength];
        using var aes = Aes.Create();
        aes.Key = key;
        var iv = new byte[16];
        var ciphertext = aes.EncryptCbc("x"u8, iv, PaddingMode.PKCS7);

        var ex = Assert.Throws<InvalidProtectedDataException>(() => V1Cipher.Decrypt(key, iv, ciphertext, "a/b"));

        Assert.Equal(V1Cipher.Failure("a/b").Message, ex.Message);
    }

    [Fact]
    public void V1_cipher_reports_invalid_utf8_exactly_like_a_padding_error()
    {
        var key = RandomNumberGenerator.GetBytes(16);
        var iv = new byte[16];
        using var aes = Aes.Create();
        aes.Key = key;
        var notUtf8 = aes.EncryptCbc(new byte[] { 0xFF, 0xFE }, iv, PaddingMode.PKCS7);
        var badPadding = aes.EncryptCbc(new byte[16], iv, PaddingMode.None);

        var utf8Error = Assert.Throws<InvalidProtectedDataException>(() => V1Cipher.Decrypt(key, iv, notUtf8, "a/b"));
        var paddingError = Assert.Throws<InvalidProtectedDataException>(() => V1Cipher.Decrypt(key, iv, badPadding, "a/b"));

        Assert.Equal("SSB3002: The v1 record of 'a/b' does not decrypt: it was tampered with, or it is protected by another key.", utf8Error.Message);
        Assert.Equal(utf8Error.Message, paddingError.Message);
        Assert.Null(utf8Error.InnerException);
        Assert.Null(paddingError.InnerException);
        Assert.Equal("SSB3002", utf8Error.Code.Id);
    }

    [Fact]
    public void V1_protected_key_parse_returns_each_field()
    {
        var blob = RsaV1ProtectedKey.Encode("kid", [1, 2, 3, 4], [7, 8, 9]);

        var parsed = RsaV1ProtectedKey.Parse(blob, "app/name");

        Assert.Equal("kid", parsed.KeyId);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, parsed.Signature);
        Assert.Equal(new byte[] { 7, 8, 9 }, parsed.Ciphertext);
        Assert.Equal([.. "kid"u8, 7, 8, 9], parsed.SignedData);
        Assert.Equal(parsed.SignedData, RsaV1ProtectedKey.GetSignedData("kid", [7, 8, 9]));
    }

    [Fact]
    public void V1_protected_key_with_a_one_byte_ciphertext_parses()
    {
        // The smallest valid blob: header, one signature byte, one key id byte, one ciphertext byte.
        var parsed = RsaV1ProtectedKey.Parse(RsaV1ProtectedKey.Encode("k", [1], [2]), "app/name");

        Assert.Equal(new byte[] { 2 }, parsed.Ciphertext);
    }

    [Fact]
    public void V1_protected_key_names_each_failure()
    {
        AssertInvalid("The protected document key of 'app/name' is shorter than its header.", () => RsaV1ProtectedKey.Parse(new byte[7], "app/name"));
        AssertInvalid("The protected document key of 'app/name' has a zero or negative length.", () => RsaV1ProtectedKey.Parse(new byte[8], "app/name"));
        // Exactly a header: the lengths are positive but nothing follows.
        byte[] header = [1, 0, 0, 0, 1, 0, 0, 0];
        AssertInvalid("The protected document key of 'app/name' is truncated or its lengths overflow it.", () => RsaV1ProtectedKey.Parse(header, "app/name"));
        AssertInvalid("The protected document key of 'app/name' is truncated or its lengths overflow it.", () => RsaV1ProtectedKey.Parse([.. header, 1, 2], "app/name"));
    }

    [Fact]
    public void V1_protected_key_with_a_key_id_that_is_not_utf8_is_invalid_data()
    {
        var blob = RsaV1ProtectedKey.Encode("k", [1], [2]);
        blob[9] = 0xFF;

        var ex = Assert.Throws<InvalidProtectedDataException>(() => RsaV1ProtectedKey.Parse(blob, "app/name"));

        Assert.Equal("SSB3002: The protected document key of 'app/name' has a key id that is not UTF-8.", ex.Message);
        Assert.IsType<DecoderFallbackException>(ex.InnerException);
    }

    [Fact]
    public void V1_protected_key_refuses_a_null_key_id()
    {
        // Named as the caller's parameter, not as the encoder's own ('s').
        Assert.Equal("keyId", Assert.Throws<ArgumentNullException>(() => RsaV1ProtectedKey.Encode(null!, [], [])).ParamName);
        Assert.Equal("keyId", Assert.Throws<ArgumentNullException>(() => RsaV1ProtectedKey.GetSignedData(null!, [])).ParamName);
    }
}

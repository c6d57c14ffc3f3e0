using System.Buffers.Binary;
using SecretStore.Diagnostics;
using SecretStore.Formats;
using SecretStore.Keys;
using SecretStore.Secrets;
using SecretStore.Tests.Support;
using static SecretStore.Tests.Support.EnvelopeBytes;

namespace SecretStore.Tests.Formats;

/// <summary>
/// Pins the byte layout of envelope version 3 (docs/format.md, "Envelope version 3") and every rejection of its parser,
/// message and code included.
/// </summary>
public sealed class EnvelopeV3LayoutTests
{
    private static readonly byte[] Nonce = Enumerable.Range(1, 12).Select(i => (byte)i).ToArray();
    private static readonly byte[] Tag = Enumerable.Range(101, 16).Select(i => (byte)i).ToArray();
    private static readonly EncryptionContext OnePair = new([new("k", "v")]);
    private static readonly EnvelopeRecipient Alice = new("alice", [5, 6]);
    private static readonly EnvelopeRecipient Bob = new("bob", [7]);

    private static byte[] Unsigned(params EnvelopeRecipient[] recipients) =>
        V3Envelope.Encode(V3Envelope.EncodeHeader(OnePair, recipients, signed: false), Nonce, [9, 8, 7], Tag, signer: null);

    private static void AssertInvalid(string expectedMessage, Action parse, string code = "SSB3002")
    {
        var ex = Assert.Throws<InvalidProtectedDataException>(parse);
        Assert.Equal($"{code}: {expectedMessage}", ex.Message);
        Assert.Equal(code, ex.Code.Id);
    }

    [Fact]
    public void Unsigned_envelope_has_the_documented_layout_and_its_header_is_everything_before_the_nonce()
    {
        var bytes = Unsigned(Alice, Bob);

        byte[] header =
        [
            .. "SSBE"u8, 3, 0,
            1, 0, 0, 0, .. Prefixed((byte)'k'), .. Prefixed((byte)'v'),
            2, 0, 0, 0,
            .. Prefixed("alice"u8.ToArray()), .. Prefixed(5, 6),
            .. Prefixed("bob"u8.ToArray()), .. Prefixed(7),
        ];
        Assert.Equal([.. header, .. Nonce, .. Prefixed(9, 8, 7), .. Tag], bytes);
        var parsed = V3Envelope.Parse(bytes, "app/name");
        Assert.Equal(header, parsed.Header);
        Assert.Equal(OnePair, parsed.Context);
        Assert.Equal(["alice", "bob"], parsed.Recipients.Select(r => r.KeyId));
        Assert.Equal(new byte[] { 5, 6 }, parsed.Recipients[0].WrappedKey);
        Assert.Equal(new byte[] { 7 }, parsed.Recipients[1].WrappedKey);
        Assert.Equal(Nonce, parsed.Nonce);
        Assert.Equal(new byte[] { 9, 8, 7 }, parsed.Ciphertext);
        Assert.Equal(Tag, parsed.Tag);
        Assert.False(parsed.IsSigned);
        Assert.Null(parsed.SignedData);
        Assert.Equal(3, V3Envelope.VersionOf(bytes));
    }

    [Fact]
    public void Signed_envelope_signs_every_byte_before_the_signature_length()
    {
        var signer = new FixedSigner([0xAA, 0xBB]);
        var header = V3Envelope.EncodeHeader(OnePair, [Alice], signed: true);

        var bytes = V3Envelope.Encode(header, Nonce, [9], Tag, signer);

        Assert.Equal(V2Envelope.SignedFlag, header[5]);
        byte[] signedPart = [.. header, .. Nonce, .. Prefixed(9), .. Tag, .. Prefixed("signer"u8.ToArray())];
        Assert.Equal(signedPart, signer.Signed);
        Assert.Equal([.. signedPart, .. Prefixed(0xAA, 0xBB)], bytes);
        var parsed = V3Envelope.Parse(bytes, "app/name");
        Assert.Equal("signer", parsed.SigningKeyId);
        Assert.Equal(signedPart, parsed.SignedData);
        Assert.Equal(header, parsed.Header);
    }

    [Fact]
    public void Encode_refuses_a_signed_flag_that_does_not_match_the_signer_and_bad_sizes()
    {
        Assert.Throws<ArgumentException>(() => V3Envelope.Encode(V3Envelope.EncodeHeader(OnePair, [Alice], signed: true), Nonce, [], Tag, signer: null));
        Assert.Throws<ArgumentException>(() => V3Envelope.Encode(V3Envelope.EncodeHeader(OnePair, [Alice], signed: false), Nonce, [], Tag, new FixedSigner([1])));
        Assert.Throws<ArgumentException>(() => V3Envelope.Encode(V3Envelope.EncodeHeader(OnePair, [Alice], signed: false), new byte[11], [], Tag, null));
        Assert.Throws<ArgumentException>(() => V3Envelope.EncodeHeader(OnePair, [], signed: false));
        Assert.Throws<ArgumentException>(() => V3Envelope.EncodeHeader(OnePair, [.. Enumerable.Range(0, 17).Select(i => new EnvelopeRecipient($"k{i}", [1]))], signed: false));
    }

    [Fact]
    public void Sixteen_recipients_parse()
    {
        var recipients = Enumerable.Range(0, V3Envelope.MaxRecipients).Select(i => new EnvelopeRecipient($"k{i}", [(byte)i])).ToArray();

        Assert.Equal(16, V3Envelope.Parse(Unsigned(recipients), "app/name").Recipients.Count);
    }

    [Fact]
    public void Parse_names_each_structural_failure()
    {
        var good = Unsigned(Alice, Bob);
        var countAt = 6 + ContextEncoding.Encode(OnePair).Length;

        AssertInvalid("The envelope of 'app/name' does not start with the envelope magic bytes.", () => V3Envelope.Parse([.. "SSBF"u8, .. good[4..]], "app/name"));
        AssertInvalid("The envelope of 'app/name' has unsupported version 2.", () => V3Envelope.Parse([.. good[..4], 2, .. good[5..]], "app/name"));
        AssertInvalid("The envelope of 'app/name' has unknown flags.", () => V3Envelope.Parse([.. good[..5], 0x02, .. good[6..]], "app/name"));
        AssertInvalid("The envelope of 'app/name' has trailing bytes.", () => V3Envelope.Parse([.. good, 0], "app/name"));
        AssertInvalid("The protected data of 'app/name' is truncated.", () => V3Envelope.Parse(good[..^1], "app/name"));
        AssertInvalid("The envelope of 'app/name' has 0 recipients; a record has 1 to 16.", () => V3Envelope.Parse(WithCount(good, countAt, 0), "app/name"));
        AssertInvalid("The envelope of 'app/name' has 17 recipients; a record has 1 to 16.", () => V3Envelope.Parse(WithCount(good, countAt, 17), "app/name"));
        AssertInvalid("The envelope of 'app/name' has 4294967295 recipients; a record has 1 to 16.", () => V3Envelope.Parse(WithCount(good, countAt, uint.MaxValue), "app/name"));
        AssertInvalid("The envelope of 'app/name' names recipient 'alice' twice.", () => V3Envelope.Parse(Unsigned(Alice, Alice with { WrappedKey = [1] }), "app/name"));
        AssertInvalid("The envelope of 'app/name' has a recipient with an empty key id or wrapped key.", () => V3Envelope.Parse(Unsigned(Alice, Bob with { WrappedKey = [] }), "app/name"));
        AssertInvalid("The envelope of 'app/name' has a recipient with an empty key id or wrapped key.", () => V3Envelope.Parse(Unsigned(new EnvelopeRecipient("", [1])), "app/name"));
        AssertInvalid(
            "The envelope of 'app/name' has an empty signature.",
            () => V3Envelope.Parse(V3Envelope.Encode(V3Envelope.EncodeHeader(OnePair, [Alice], signed: true), Nonce, [9], Tag, new FixedSigner([])), "app/name"),
            "SSB3004");
    }

    [Fact]
    public void The_v2_parser_refuses_a_v3_envelope_so_older_readers_fail_closed()
    {
        AssertInvalid("The envelope of 'app/name' has unsupported version 3.", () => V2Envelope.Parse(Unsigned(Alice), "app/name"));
    }

    [Fact]
    public void Record_context_binds_format_3_application_name_and_store_and_each_recipient_adds_its_key()
    {
        var id = new SecretId("web", "Db");

        var unbound = EncryptionContext.ForRecord(id, storeId: null);
        var bound = EncryptionContext.ForRecord(id, "0123456789abcdef");

        Assert.Equal(
            [new("secretstore:application", "web"), new("secretstore:format", "3"), new("secretstore:name", "Db")],
            unbound.ToArray());
        Assert.Equal("0123456789abcdef", bound.ValueOf(EncryptionContext.StoreKey));
        Assert.Null(unbound.ValueOf(EncryptionContext.StoreKey));
        Assert.Equal("alice", bound.ForRecipient("alice").ValueOf(EncryptionContext.MasterKeyIdKey));
        Assert.Equal(5, bound.ForRecipient("alice").Count);
        Assert.NotEqual(bound.ForRecipient("alice"), bound.ForRecipient("bob"));
    }

    private static byte[] WithCount(byte[] envelope, int at, uint count)
    {
        var bytes = envelope.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), count);
        return bytes;
    }
}

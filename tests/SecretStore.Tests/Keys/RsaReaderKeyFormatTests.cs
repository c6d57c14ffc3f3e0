using System.Buffers.Binary;
using System.Security.Cryptography;
using SecretStore.Diagnostics;
using SecretStore.Keys.Rsa;
using SecretStore.Tests.Support;

namespace SecretStore.Tests.Keys;

/// <summary>The reader secret's binary layout, parsed field by field (bodies built here, one committed test key).</summary>
public sealed class RsaReaderKeyFormatTests
{
    private const string Malformed = "SSB3007: test is not a valid reader secret.";

    private static readonly Lazy<byte[]> Pkcs8 = new(LoadPkcs8, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly byte[] Anchor = Enumerable.Repeat((byte)7, 32).ToArray();

    private static byte[] LoadPkcs8()
    {
        using var temp = new TempDirectory();
        using var keyring = RsaKeyring.Load(TestKeyrings.CopyTo(temp.Combine("k")));
        return keyring.GetPrivateKey(TestKeyrings.PrimaryKeyId).ExportPkcs8PrivateKey();
    }

    private static byte[] Header(uint count, byte version = 1, string magic = "SSRK")
    {
        var header = new byte[4 + 1 + 32 + 4];
        System.Text.Encoding.ASCII.GetBytes(magic).CopyTo(header, 0);
        header[4] = version;
        Anchor.CopyTo(header, 5);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(37), count);
        return header;
    }

    private static byte[] Field(byte[] content)
    {
        var field = new byte[4 + content.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(field, (uint)content.Length);
        content.CopyTo(field, 4);
        return field;
    }

    private static byte[] Entry(string keyId, byte[]? pkcs8 = null) =>
        [.. Field(System.Text.Encoding.UTF8.GetBytes(keyId)), .. Field(pkcs8 ?? Pkcs8.Value)];

    private static string Armour(byte[] body) => new string(PemEncoding.Write(RsaReaderKey.PemLabel, body)) + "\n";

    private static SecretStoreException Refused(byte[] body) =>
        Assert.Throws<SecretStoreException>(() => RsaReaderKey.Parse(Armour(body), "test"));

    [Fact]
    public void A_body_built_by_hand_in_the_documented_layout_parses()
    {
        using var parsed = RsaReaderKey.Parse(Armour([.. Header(1), .. Entry("a")]), "test");
        Assert.Equal(Anchor, parsed.Anchor);
        Assert.Equal(["a"], parsed.Keys.Select(k => k.Key));
        Assert.Equal($"reader secret (1 keys, anchor {parsed.AnchorFingerprint}; key material redacted)", parsed.ToString());
    }

    [Fact]
    public void Encode_refuses_an_anchor_that_is_not_a_sha256_hash()
    {
        using var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(Pkcs8.Value, out _);
        var ex = Assert.Throws<ArgumentException>(() => RsaReaderKey.Encode(new byte[31], [new("a", rsa)]));
        Assert.Equal("anchor", ex.ParamName);
        Assert.Equal("The anchor must be a SHA-256 hash. (Parameter 'anchor')", ex.Message);
    }

    [Fact]
    public void Encode_writes_the_documented_layout_armoured_with_a_final_newline()
    {
        using var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(Pkcs8.Value, out _);
        Assert.Equal(Armour([.. Header(1), .. Entry("a")]), RsaReaderKey.Encode(Anchor, [new("a", rsa)]));
    }

    [Theory]
    [InlineData("-----BEGIN SECRETSTORE READER KEY-----", true)]
    [InlineData("SECRETSTORE READER KEY-----", false)]
    [InlineData("-----BEGIN SECRETSTORE READER KEY", false)]
    public void Is_reader_key_text_needs_the_whole_begin_line(string text, bool expected) =>
        Assert.Equal(expected, RsaReaderKey.IsReaderKeyText(text));

    [Fact]
    public void Text_before_or_after_the_armour_is_refused()
    {
        var text = Armour([.. Header(1), .. Entry("a")]);
        Assert.Equal(Malformed, Assert.Throws<SecretStoreException>(() => RsaReaderKey.Parse("x\n" + text, "test")).Message);
        Assert.Equal(Malformed, Assert.Throws<SecretStoreException>(() => RsaReaderKey.Parse(text + "x\n", "test")).Message);
    }

    [Fact]
    public void A_valid_body_under_another_label_first_is_refused()
    {
        byte[] body = [.. Header(1), .. Entry("a")];
        var other = new string(PemEncoding.Write("OTHER KEY", body)) + "\n";
        var ex = Assert.Throws<SecretStoreException>(() => RsaReaderKey.Parse(other + Armour(body), "test"));
        Assert.Equal(Malformed, ex.Message);
    }

    [Fact]
    public void Wrong_magic_or_version_is_refused_even_when_the_rest_is_valid()
    {
        Assert.Equal(Malformed, Refused([.. Header(1, magic: "SSRX"), .. Entry("a")]).Message);
        Assert.Equal(Malformed, Refused([.. Header(1, version: 2), .. Entry("a")]).Message);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(40)]
    public void A_body_shorter_than_the_header_is_refused_before_any_field_is_read(int length)
    {
        var body = Header(1)[..length];
        var ex = Refused(body);
        Assert.Equal("SSB3007", ex.Code.Id);
        Assert.Equal(Malformed, ex.Message);
    }

    [Fact]
    public void Sixty_four_keys_are_read_and_sixty_five_are_refused()
    {
        byte[] Entries(int count) => Enumerable.Range(0, count).SelectMany(i => Entry($"k{i}")).ToArray();
        using (var parsed = RsaReaderKey.Parse(Armour([.. Header(64), .. Entries(64)]), "test"))
        {
            Assert.Equal(64, parsed.Keys.Count);
        }

        Assert.Equal(Malformed, Refused([.. Header(65), .. Entries(65)]).Message);
    }

    [Fact]
    public void An_empty_or_repeated_key_id_is_refused()
    {
        Assert.Equal(Malformed, Refused([.. Header(1), .. Entry("")]).Message);
        Assert.Equal(Malformed, Refused([.. Header(2), .. Entry("a"), .. Entry("a")]).Message);
    }

    [Fact]
    public void A_key_id_that_is_not_utf8_is_refused_naming_the_decoder_error()
    {
        byte[] body = [.. Header(1), .. Field([0xFF]), .. Field(Pkcs8.Value)];
        Assert.Equal("SSB3007: test is not a valid reader secret (DecoderFallbackException).", Refused(body).Message);
    }

    [Fact]
    public void A_private_key_field_with_bytes_after_the_key_is_refused()
    {
        Assert.Equal(Malformed, Refused([.. Header(1), .. Entry("a", [.. Pkcs8.Value, 0])]).Message);
    }

    [Fact]
    public void Bytes_after_the_last_key_are_refused()
    {
        Assert.Equal(Malformed, Refused([.. Header(1), .. Entry("a"), 0]).Message);
    }

    [Fact]
    public void An_empty_private_key_field_at_the_very_end_is_read_and_refused_by_the_key_import()
    {
        byte[] body = [.. Header(1), .. Field("a"u8.ToArray()), 0, 0, 0, 0];
        Assert.Equal("SSB3007: test is not a valid reader secret (CryptographicException).", Refused(body).Message);
    }

    [Fact]
    public void A_length_prefix_cut_short_or_longer_than_the_rest_is_refused()
    {
        Assert.Equal(Malformed, Refused([.. Header(1), .. Field("a"u8.ToArray()), 0, 0]).Message);
        Assert.Equal(Malformed, Refused([.. Header(1), .. Field("a"u8.ToArray()), 9, 0, 0, 0, 1]).Message);
    }

    [Fact]
    public void Dispose_disposes_the_keys_not_taken_and_empties_the_list()
    {
        var parsed = RsaReaderKey.Parse(Armour([.. Header(2), .. Entry("a"), .. Entry("b")]), "test");
        using var taken = parsed.Take("a");
        var kept = parsed.Keys.Single().Value;

        parsed.Dispose();

        Assert.Empty(parsed.Keys);
        Assert.Throws<ObjectDisposedException>(() => kept.ExportSubjectPublicKeyInfo());
        Assert.NotEmpty(taken.ExportSubjectPublicKeyInfo());
    }
}

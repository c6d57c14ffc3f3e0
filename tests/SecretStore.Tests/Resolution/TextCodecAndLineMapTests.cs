using System.Text;
using SecretStore.Resolution.Text;

namespace SecretStore.Tests.Resolution;

public sealed class TextCodecAndLineMapTests
{
    [Fact]
    public void Blank_lines_each_count_as_a_line()
    {
        var map = new LineMap("a\n\nb");
        Assert.Equal((3, 1), map.Locate(3));
        Assert.Equal((2, 1), map.Locate(2));
    }

    [Fact]
    public void Crlf_ends_one_line_and_is_the_style()
    {
        var map = new LineMap("ab\r\ncd\nef");
        Assert.Equal("\r\n", map.LineEnding);
        Assert.Equal((1, 2), map.Locate(1));
        Assert.Equal((2, 1), map.Locate(4));
        Assert.Equal((2, 2), map.Locate(5));
        Assert.Equal((3, 2), map.Locate(8));
    }

    [Fact]
    public void Lone_cr_ends_a_line_and_the_first_ending_wins()
    {
        var map = new LineMap("ab\rcd\r\nef");
        Assert.Equal("\r", map.LineEnding);
        Assert.Equal((2, 1), map.Locate(3));
        Assert.Equal((2, 2), map.Locate(4));
        Assert.Equal((3, 1), map.Locate(7));
    }

    [Fact]
    public void Lf_style_and_single_line_default()
    {
        Assert.Equal("\n", new LineMap("a\nb\r\nc").LineEnding);
        Assert.Equal("\n", new LineMap("abc").LineEnding);
        Assert.Equal((1, 3), new LineMap("abc").Locate(2));
    }

    [Fact]
    public void Line_of_utf8_byte_counts_only_newlines_before_the_offset()
    {
        var bytes = "a\nb\nc"u8;
        Assert.Equal(1, LineMap.LineOfUtf8Byte(bytes, 1));
        Assert.Equal(2, LineMap.LineOfUtf8Byte(bytes, 2));
        Assert.Equal(3, LineMap.LineOfUtf8Byte(bytes, 99));
    }

    [Theory]
    [InlineData(TextEncodingKind.Utf16LittleEndian)]
    [InlineData(TextEncodingKind.Utf16BigEndian)]
    public void Marker_at_offset_zero_is_found_in_utf16(TextEncodingKind kind)
    {
        var bytes = TextCodec.EncodeFragment("#{secret:x}", kind);
        Assert.True(TextCodec.MayContainMarker(bytes, kind));
        Assert.False(TextCodec.MayContainMarker(TextCodec.EncodeFragment("#{other}", kind), kind));
    }

    [Fact]
    public void Successful_decode_reports_no_bad_byte()
    {
        Assert.True(TextCodec.TryDecode([0x61, 0x62], TextEncodingKind.Utf8, out var text, out var bad));
        Assert.Equal("ab", text);
        Assert.Equal(-1, bad);
        Assert.True(TextCodec.TryDecode([0xFF, 0xFE, 0x41, 0x00], TextEncodingKind.Utf16LittleEndian, out text, out bad));
        Assert.Equal("A", text);
        Assert.Equal(-1, bad);
        Assert.True(TextCodec.TryDecode([0xFE, 0xFF, 0x00, 0x41], TextEncodingKind.Utf16BigEndian, out text, out bad));
        Assert.Equal("A", text);
    }

    [Fact]
    public void Invalid_utf8_leaves_the_text_empty_and_points_at_the_bad_byte()
    {
        Assert.False(TextCodec.TryDecode([0xEF, 0xBB, 0xBF, 0x61, 0xC3], TextEncodingKind.Utf8Bom, out var text, out var bad));
        Assert.Equal(string.Empty, text);
        Assert.Equal(4, bad);
    }

    [Fact]
    public void Odd_utf16_length_points_at_the_last_byte()
    {
        Assert.False(TextCodec.TryDecode([0xFF, 0xFE, 0x41, 0x00, 0x42], TextEncodingKind.Utf16LittleEndian, out var text, out var bad));
        Assert.Equal(string.Empty, text);
        Assert.Equal(4, bad);
    }

    [Theory]
    [InlineData(TextEncodingKind.Utf16LittleEndian, new byte[] { 0xFF, 0xFE, 0x41, 0x00, 0x42, 0x00, 0x00, 0xD8, 0x43, 0x00 })]
    [InlineData(TextEncodingKind.Utf16BigEndian, new byte[] { 0xFE, 0xFF, 0x00, 0x41, 0x00, 0x42, 0xD8, 0x00, 0x00, 0x43 })]
    public void Lone_surrogate_in_utf16_is_reported_not_replaced(TextEncodingKind kind, byte[] bytes)
    {
        Assert.False(TextCodec.TryDecode(bytes, kind, out var text, out var bad));
        Assert.Equal(string.Empty, text);
        // The lone surrogate is at bytes 6-7; the decoder notices it at the next unit, so the offset is 6 or 8.
        Assert.InRange(bad, 6, 8);
    }

    [Theory]
    [InlineData(TextEncodingKind.Utf8)]
    [InlineData(TextEncodingKind.Utf16LittleEndian)]
    [InlineData(TextEncodingKind.Utf16BigEndian)]
    public void Encoding_a_lone_surrogate_throws(TextEncodingKind kind) =>
        Assert.Throws<EncoderFallbackException>(() => TextCodec.Encode("a\uD800b", kind));

    [Fact]
    public void Encode_writes_the_bom_and_the_byte_order()
    {
        Assert.Equal(new byte[] { 0xFF, 0xFE, 0x41, 0x00 }, TextCodec.Encode("A", TextEncodingKind.Utf16LittleEndian));
        Assert.Equal(new byte[] { 0xFE, 0xFF, 0x00, 0x41 }, TextCodec.Encode("A", TextEncodingKind.Utf16BigEndian));
        Assert.Equal(new byte[] { 0x41 }, TextCodec.Encode("A", TextEncodingKind.Utf8));
    }
}

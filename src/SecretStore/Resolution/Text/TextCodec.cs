using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace SecretStore.Resolution.Text;

/// <summary>
/// Strict decoding and encoding: invalid input is reported, never replaced by U+FFFD, so that a file
/// written back is byte-for-byte the original outside the substituted spans.
/// </summary>
internal static class TextCodec
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly UnicodeEncoding StrictUtf16Le = new(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true);
    private static readonly UnicodeEncoding StrictUtf16Be = new(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true);

    /// <summary>Finds the encoding from the byte order mark (none: UTF-8).</summary>
    public static TextEncodingKind Detect(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return TextEncodingKind.Utf8Bom;
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return TextEncodingKind.Utf16LittleEndian;
        }

        return bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) ? TextEncodingKind.Utf16BigEndian : TextEncodingKind.Utf8;
    }

    /// <summary>Length of the byte order mark of <paramref name="kind"/>.</summary>
    public static int BomLength(TextEncodingKind kind) => kind switch
    {
        TextEncodingKind.Utf8 => 0,
        TextEncodingKind.Utf8Bom => 3,
        _ => 2,
    };

    private static readonly byte[] MarkerUtf16Le = Encoding.Unicode.GetBytes(Syntax.PlaceholderScanner.Marker);
    private static readonly byte[] MarkerUtf16Be = Encoding.BigEndianUnicode.GetBytes(Syntax.PlaceholderScanner.Marker);

    /// <summary>
    /// A cheap, vectorized test run before any decoding: false means the bytes cannot hold <c>#{secret</c>
    /// (placeholders and <c>##{secret</c> escapes both contain it), so the file needs no further work.
    /// </summary>
    public static bool MayContainMarker(ReadOnlySpan<byte> bytes, TextEncodingKind kind) => kind switch
    {
        TextEncodingKind.Utf16LittleEndian => bytes.IndexOf(MarkerUtf16Le) >= 0,
        TextEncodingKind.Utf16BigEndian => bytes.IndexOf(MarkerUtf16Be) >= 0,
        _ => bytes.IndexOf("#{secret"u8) >= 0,
    };

    /// <summary>Decodes strictly; on invalid input returns false and the byte offset of the first bad byte.</summary>
    public static bool TryDecode(byte[] bytes, TextEncodingKind kind, out string text, out int badByteOffset)
    {
        var bom = BomLength(kind);
        var body = bytes.AsSpan(bom);
        text = string.Empty;
        badByteOffset = -1;
        if (kind is TextEncodingKind.Utf8 or TextEncodingKind.Utf8Bom)
        {
            var chars = ArrayPool<char>.Shared.Rent(Math.Max(body.Length, 1));
            try
            {
                var status = Utf8.ToUtf16(body, chars, out var read, out var written, replaceInvalidSequences: false);
                if (status != OperationStatus.Done)
                {
                    badByteOffset = bom + read;
                    return false;
                }

                text = new string(chars, 0, written);
                return true;
            }
            finally
            {
                ArrayPool<char>.Shared.Return(chars);
            }
        }

        if (body.Length % 2 != 0)
        {
            badByteOffset = bytes.Length - 1;
            return false;
        }

        try
        {
            text = (kind == TextEncodingKind.Utf16LittleEndian ? StrictUtf16Le : StrictUtf16Be).GetString(body);
            return true;
        }
        catch (DecoderFallbackException ex)
        {
            badByteOffset = bom + Math.Max(ex.Index, 0);
            return false;
        }
    }

    /// <summary>Encodes <paramref name="text"/> with the same encoding and BOM the file had.</summary>
    public static byte[] Encode(string text, TextEncodingKind kind)
    {
        var encoding = GetEncoding(kind);
        var bom = BomLength(kind);
        var result = new byte[bom + encoding.GetByteCount(text)];
        switch (kind)
        {
            case TextEncodingKind.Utf8Bom:
                result[0] = 0xEF;
                result[1] = 0xBB;
                result[2] = 0xBF;
                break;
            case TextEncodingKind.Utf16LittleEndian:
                result[0] = 0xFF;
                result[1] = 0xFE;
                break;
            case TextEncodingKind.Utf16BigEndian:
                result[0] = 0xFE;
                result[1] = 0xFF;
                break;
            default:
                break;
        }

        encoding.GetBytes(text, result.AsSpan(bom));
        return result;
    }

    /// <summary>The bytes <paramref name="text"/> takes in a file of this encoding (no BOM).</summary>
    public static byte[] EncodeFragment(string text, TextEncodingKind kind) => GetEncoding(kind).GetBytes(text);

    private static Encoding GetEncoding(TextEncodingKind kind) => kind switch
    {
        TextEncodingKind.Utf16LittleEndian => StrictUtf16Le,
        TextEncodingKind.Utf16BigEndian => StrictUtf16Be,
        _ => StrictUtf8,
    };
}

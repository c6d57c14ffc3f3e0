using System.Buffers.Binary;
using System.Text;
using SecretStore.Diagnostics;
using SecretStore.Keys;

namespace SecretStore.Formats;

/// <summary>
/// The canonical byte encoding of an <see cref="EncryptionContext"/>, used as AES-GCM associated data and
/// inside the v2 envelope: <c>uint32 LE count</c>, then for each pair in ordinal key order
/// <c>uint32 LE keyLength | key (UTF-8) | uint32 LE valueLength | value (UTF-8)</c>.
/// </summary>
internal static class ContextEncoding
{
    /// <summary>The most pairs a stored context may hold; more is treated as malformed.</summary>
    public const int MaxPairs = 64;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Encodes a context canonically.</summary>
    public static byte[] Encode(EncryptionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var buffer = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)context.Count);
        buffer.Write(length);
        foreach (var pair in context)
        {
            WriteString(buffer, pair.Key);
            WriteString(buffer, pair.Value);
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Reads a context at the start of <paramref name="data"/>; returns it and the bytes consumed. Throws
    /// <see cref="InvalidProtectedDataException"/> on malformed or non-canonical input.
    /// </summary>
    public static (EncryptionContext Context, int BytesRead) Decode(ReadOnlySpan<byte> data, string subject)
    {
        var reader = new SpanReader(data, subject);
        var count = reader.ReadUInt32();
        if (count > MaxPairs)
        {
            throw new InvalidProtectedDataException($"The encryption context of '{subject}' has too many pairs.");
        }

        var pairs = new List<KeyValuePair<string, string>>((int)count);
        for (var i = 0; i < count; i++)
        {
            var key = reader.ReadUtf8();
            var value = reader.ReadUtf8();
            if (pairs.Count > 0 && string.CompareOrdinal(pairs[^1].Key, key) >= 0)
            {
                // Sorted and unique, or it is not the canonical form that was authenticated.
                throw new InvalidProtectedDataException($"The encryption context of '{subject}' is not in canonical order.");
            }

            pairs.Add(new(key, value));
        }

        return (new EncryptionContext(pairs), reader.Position);
    }

    private static void WriteString(MemoryStream buffer, string text)
    {
        var bytes = StrictUtf8.GetBytes(text);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)bytes.Length);
        buffer.Write(length);
        buffer.Write(bytes);
    }
}

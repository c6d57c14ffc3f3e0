using System.Buffers.Binary;
using System.Text;
using SecretStore.Diagnostics;

namespace SecretStore.Formats;

/// <summary>
/// Reads length-prefixed fields with every length checked against what is left, so malformed input gives
/// <see cref="InvalidProtectedDataException"/> and never an index, overflow or allocation failure.
/// </summary>
internal ref struct SpanReader(ReadOnlySpan<byte> data, string subject)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly ReadOnlySpan<byte> _data = data;

    public int Position { get; private set; }

    public readonly int Remaining => _data.Length - Position;

    public byte ReadByte() => ReadFixed(1)[0];

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(ReadFixed(4));

    public ReadOnlySpan<byte> ReadFixed(int length)
    {
        if (length < 0 || length > Remaining)
        {
            throw new InvalidProtectedDataException($"The protected data of '{subject}' is truncated.");
        }

        var slice = _data.Slice(Position, length);
        Position += length;
        return slice;
    }

    public ReadOnlySpan<byte> ReadPrefixed()
    {
        var length = ReadUInt32();
        if (length > (uint)Remaining)
        {
            throw new InvalidProtectedDataException($"The protected data of '{subject}' has a field longer than the data.");
        }

        return ReadFixed((int)length);
    }

    public string ReadUtf8()
    {
        var bytes = ReadPrefixed();
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new InvalidProtectedDataException($"The protected data of '{subject}' holds text that is not UTF-8.", ex);
        }
    }
}

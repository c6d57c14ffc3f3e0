using System.Buffers.Binary;
using System.Text;
using SecretStore.Diagnostics;
using SecretStore.Keys;

namespace SecretStore.Formats;

/// <summary>
/// The parts envelope versions 2 and 3 share (docs/format.md): the head (magic, version, flags) and the body (nonce,
/// ciphertext, tag, and the signing key id and signature when flag bit 0 is set), written and read once here.
/// </summary>
internal static class EnvelopeCoding
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>What follows a version's own header fields.</summary>
    public readonly record struct Body(byte[] Nonce, byte[] Ciphertext, byte[] Tag, string? SigningKeyId, byte[]? Signature, byte[]? SignedData);

    /// <summary>Throws unless the nonce has 12 bytes and the tag 16.</summary>
    public static void RequireSizes(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> tag)
    {
        if (nonce.Length != V2Envelope.NonceSizeInBytes || tag.Length != V2Envelope.TagSizeInBytes)
        {
            throw new ArgumentException("The nonce has 12 bytes and the tag 16.");
        }
    }

    /// <summary>Writes the magic, the version and the flags.</summary>
    public static void WriteHead(MemoryStream buffer, byte version, bool signed)
    {
        buffer.Write(V2Envelope.Magic);
        buffer.WriteByte(version);
        buffer.WriteByte(signed ? V2Envelope.SignedFlag : (byte)0);
    }

    /// <summary>
    /// Writes nonce, ciphertext and tag, then with <paramref name="signer"/> its key id and a signature over every byte of
    /// <paramref name="buffer"/> so far; returns the whole envelope.
    /// </summary>
    public static byte[] FinishWithBody(MemoryStream buffer, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, IEnvelopeSigner? signer)
    {
        buffer.Write(nonce);
        WritePrefixed(buffer, ciphertext);
        buffer.Write(tag);
        if (signer is not null)
        {
            WritePrefixed(buffer, StrictUtf8.GetBytes(signer.SigningKeyId));
            var signature = signer.Sign(buffer.ToArray());
            WritePrefixed(buffer, signature);
        }

        return buffer.ToArray();
    }

    /// <summary>Reads and checks the magic (<paramref name="magicName"/> names it in the error), the version and the flags; returns the flags.</summary>
    public static byte ReadHead(ref SpanReader reader, byte version, string magicName, string subject)
    {
        if (!reader.ReadFixed(V2Envelope.Magic.Length).SequenceEqual(V2Envelope.Magic))
        {
            throw new InvalidProtectedDataException($"The envelope of '{subject}' does not start with the {magicName} magic bytes.");
        }

        var found = reader.ReadByte();
        if (found != version)
        {
            throw new InvalidProtectedDataException($"The envelope of '{subject}' has unsupported version {found}.");
        }

        var flags = reader.ReadByte();
        if ((flags & ~V2Envelope.SignedFlag) != 0)
        {
            throw new InvalidProtectedDataException($"The envelope of '{subject}' has unknown flags.");
        }

        return flags;
    }

    /// <summary>Reads the body to the end of <paramref name="data"/>: trailing bytes and an empty signature are refused.</summary>
    public static Body ReadBody(ref SpanReader reader, ReadOnlySpan<byte> data, byte flags, string subject)
    {
        var nonce = reader.ReadFixed(V2Envelope.NonceSizeInBytes).ToArray();
        var ciphertext = reader.ReadPrefixed().ToArray();
        var tag = reader.ReadFixed(V2Envelope.TagSizeInBytes).ToArray();
        string? signingKeyId = null;
        byte[]? signature = null;
        byte[]? signedData = null;
        if ((flags & V2Envelope.SignedFlag) != 0)
        {
            signingKeyId = reader.ReadUtf8();
            signedData = data[..reader.Position].ToArray();
            signature = reader.ReadPrefixed().ToArray();
            if (signature.Length == 0)
            {
                throw new InvalidProtectedDataException(DiagnosticCodes.InvalidSignature, $"The envelope of '{subject}' has an empty signature.");
            }
        }

        if (reader.Remaining != 0)
        {
            throw new InvalidProtectedDataException($"The envelope of '{subject}' has trailing bytes.");
        }

        return new Body(nonce, ciphertext, tag, signingKeyId, signature, signedData);
    }

    public static void WriteUInt32(MemoryStream buffer, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        buffer.Write(bytes);
    }

    public static void WritePrefixed(MemoryStream buffer, ReadOnlySpan<byte> bytes)
    {
        WriteUInt32(buffer, (uint)bytes.Length);
        buffer.Write(bytes);
    }
}

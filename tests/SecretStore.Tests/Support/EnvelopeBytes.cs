using System.Buffers.Binary;
using SecretStore.Keys;

namespace SecretStore.Tests.Support;

/// <summary>Building blocks of the envelope layout tests (versions 2 and 3), written once.</summary>
internal static class EnvelopeBytes
{
    /// <summary>A uint32 little-endian length and the bytes, as every variable field of an envelope is laid out.</summary>
    public static byte[] Prefixed(params byte[] bytes)
    {
        var result = new byte[4 + bytes.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(result, (uint)bytes.Length);
        bytes.CopyTo(result, 4);
        return result;
    }

    /// <summary>A signer that signs with a fixed, recognisable signature and records what it signed.</summary>
    public sealed class FixedSigner(byte[] signature) : IEnvelopeSigner
    {
        public string SigningKeyId => "signer";

        public byte[]? Signed { get; private set; }

        public byte[] Sign(ReadOnlySpan<byte> data)
        {
            Signed = data.ToArray();
            return signature;
        }

        public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) => throw new NotSupportedException();
    }
}

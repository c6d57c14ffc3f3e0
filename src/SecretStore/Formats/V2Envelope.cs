using System.Text;
using SecretStore.Diagnostics;
using SecretStore.Keys;

namespace SecretStore.Formats;

/// <summary>
/// The v2 envelope (docs/format.md): magic <c>SSBE</c>, version 2, flags, encryption context, key id, wrapped
/// data key, 96-bit nonce, AES-256-GCM ciphertext and 128-bit tag, and, when flag bit 0 is set, the signing
/// key id and a signature over every byte before the signature's length field.
/// </summary>
internal sealed class V2Envelope
{
    /// <summary>The four magic bytes, ASCII <c>SSBE</c>.</summary>
    public static ReadOnlySpan<byte> Magic => "SSBE"u8;

    /// <summary>The version byte of this layout.</summary>
    public const byte Version = 2;

    /// <summary>Flag bit: the envelope ends with a signing key id and a signature.</summary>
    public const byte SignedFlag = 0x01;

    /// <summary>AES-GCM nonce size in bytes.</summary>
    public const int NonceSizeInBytes = 12;

    /// <summary>AES-GCM tag size in bytes.</summary>
    public const int TagSizeInBytes = 16;

    /// <summary>Data key size in bytes (AES-256).</summary>
    public const int DataKeySizeInBytes = 32;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private V2Envelope(
        EncryptionContext context,
        string keyId,
        byte[] wrappedKey,
        byte[] nonce,
        byte[] ciphertext,
        byte[] tag,
        string? signingKeyId,
        byte[]? signature,
        byte[]? signedData)
    {
        Context = context;
        KeyId = keyId;
        WrappedKey = wrappedKey;
        Nonce = nonce;
        Ciphertext = ciphertext;
        Tag = tag;
        SigningKeyId = signingKeyId;
        Signature = signature;
        SignedData = signedData;
    }

    /// <summary>The context stored in the envelope (compared with the one derived from the requested id).</summary>
    public EncryptionContext Context { get; }

    /// <summary>The master key id that wraps the data key.</summary>
    public string KeyId { get; }

    /// <summary>The wrapped data key.</summary>
    public byte[] WrappedKey { get; }

    /// <summary>The AES-GCM nonce.</summary>
    public byte[] Nonce { get; }

    /// <summary>The AES-GCM ciphertext of the UTF-8 value.</summary>
    public byte[] Ciphertext { get; }

    /// <summary>The AES-GCM tag.</summary>
    public byte[] Tag { get; }

    /// <summary>The signing key id, or null for an unsigned envelope.</summary>
    public string? SigningKeyId { get; }

    /// <summary>The signature, or null for an unsigned envelope.</summary>
    public byte[]? Signature { get; }

    /// <summary>The bytes the signature covers, or null for an unsigned envelope.</summary>
    public byte[]? SignedData { get; }

    /// <summary>True when the envelope carries a signature.</summary>
    public bool IsSigned => Signature is not null;

    /// <summary>
    /// Lays out an envelope. With <paramref name="signer"/>, the signing key id and a signature over all
    /// preceding bytes are appended.
    /// </summary>
    public static byte[] Encode(
        EncryptionContext context,
        string keyId,
        ReadOnlySpan<byte> wrappedKey,
        ReadOnlySpan<byte> nonce,
        ReadOnlySpan<byte> ciphertext,
        ReadOnlySpan<byte> tag,
        IEnvelopeSigner? signer)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(keyId);
        EnvelopeCoding.RequireSizes(nonce, tag);
        using var buffer = new MemoryStream();
        EnvelopeCoding.WriteHead(buffer, Version, signed: signer is not null);
        buffer.Write(ContextEncoding.Encode(context));
        EnvelopeCoding.WritePrefixed(buffer, StrictUtf8.GetBytes(keyId));
        EnvelopeCoding.WritePrefixed(buffer, wrappedKey);
        return EnvelopeCoding.FinishWithBody(buffer, nonce, ciphertext, tag, signer);
    }

    /// <summary>
    /// Parses an envelope. Only the structure is checked here (magic, version, flags, every length); the
    /// caller verifies the signature before using any field. Throws <see cref="InvalidProtectedDataException"/>.
    /// </summary>
    public static V2Envelope Parse(ReadOnlySpan<byte> data, string subject)
    {
        var reader = new SpanReader(data, subject);
        var flags = EnvelopeCoding.ReadHead(ref reader, Version, "v2", subject);
        var (context, contextLength) = ContextEncoding.Decode(data[reader.Position..], subject);
        reader.ReadFixed(contextLength);
        var keyId = reader.ReadUtf8();
        var wrappedKey = reader.ReadPrefixed().ToArray();
        var body = EnvelopeCoding.ReadBody(ref reader, data, flags, subject);
        return new V2Envelope(context, keyId, wrappedKey, body.Nonce, body.Ciphertext, body.Tag, body.SigningKeyId, body.Signature, body.SignedData);
    }
}

using System.Text;
using SecretStore.Diagnostics;
using SecretStore.Keys;

namespace SecretStore.Formats;

/// <summary>One master key that can open a record: its id and the record's data key wrapped under it.</summary>
/// <param name="KeyId">The master key id (keyring key id, or KMS key id or ARN).</param>
/// <param name="WrappedKey">The data key wrapped by that key, bound to the recipient's context.</param>
internal sealed record EnvelopeRecipient(string KeyId, byte[] WrappedKey);

/// <summary>
/// Envelope version 3 of the authenticated format (docs/format.md, "Envelope version 3"): magic <c>SSBE</c>,
/// version 3, flags, the record's encryption context (which may bind a store id), a list of one to
/// <see cref="MaxRecipients"/> recipients (key id and wrapped data key each), then the 96-bit nonce, the
/// AES-256-GCM ciphertext and tag, and when flag bit 0 is set the signing key id and a signature over every
/// byte before the signature's length field. The AES-GCM associated data is the whole header (every byte before
/// the nonce), so editing, adding, dropping or reordering a recipient fails authentication even where nothing is
/// signed (KMS).
/// </summary>
internal sealed class V3Envelope
{
    /// <summary>The version byte of this layout.</summary>
    public const byte Version = 3;

    /// <summary>The most recipients one record may have; a limit so a planted record cannot ask for thousands of unwraps.</summary>
    public const int MaxRecipients = 16;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private V3Envelope(
        byte[] header,
        EncryptionContext context,
        IReadOnlyList<EnvelopeRecipient> recipients,
        byte[] nonce,
        byte[] ciphertext,
        byte[] tag,
        string? signingKeyId,
        byte[]? signature,
        byte[]? signedData)
    {
        Header = header;
        Context = context;
        Recipients = recipients;
        Nonce = nonce;
        Ciphertext = ciphertext;
        Tag = tag;
        SigningKeyId = signingKeyId;
        Signature = signature;
        SignedData = signedData;
    }

    /// <summary>Every byte before the nonce: the AES-GCM associated data.</summary>
    public byte[] Header { get; }

    /// <summary>The record's context as stored (compared with the one derived from the requested id and the store).</summary>
    public EncryptionContext Context { get; }

    /// <summary>The recipients, in stored order; the first is the record's primary key.</summary>
    public IReadOnlyList<EnvelopeRecipient> Recipients { get; }

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
    /// Lays out the header (magic to the last recipient), which is the associated data the ciphertext is sealed
    /// with; <paramref name="signed"/> sets the flag that <see cref="Encode"/> must then honour.
    /// </summary>
    public static byte[] EncodeHeader(EncryptionContext context, IReadOnlyList<EnvelopeRecipient> recipients, bool signed)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(recipients);
        if (recipients.Count is < 1 or > MaxRecipients)
        {
            throw new ArgumentException($"A record has 1 to {MaxRecipients} recipients.", nameof(recipients));
        }

        using var buffer = new MemoryStream();
        EnvelopeCoding.WriteHead(buffer, Version, signed);
        buffer.Write(ContextEncoding.Encode(context));
        EnvelopeCoding.WriteUInt32(buffer, (uint)recipients.Count);
        foreach (var recipient in recipients)
        {
            EnvelopeCoding.WritePrefixed(buffer, StrictUtf8.GetBytes(recipient.KeyId));
            EnvelopeCoding.WritePrefixed(buffer, recipient.WrappedKey);
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Completes an envelope from its <paramref name="header"/> (from <see cref="EncodeHeader"/>): nonce,
    /// ciphertext and tag, then with <paramref name="signer"/> the signing key id and a signature over all of it.
    /// </summary>
    public static byte[] Encode(ReadOnlySpan<byte> header, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, IEnvelopeSigner? signer)
    {
        EnvelopeCoding.RequireSizes(nonce, tag);
        if (header.Length < 6 || ((header[5] & V2Envelope.SignedFlag) != 0) != (signer is not null))
        {
            throw new ArgumentException("The header's signed flag must match whether a signer is given.");
        }

        using var buffer = new MemoryStream();
        buffer.Write(header);
        return EnvelopeCoding.FinishWithBody(buffer, nonce, ciphertext, tag, signer);
    }

    /// <summary>
    /// Parses an envelope of version 3. Only the structure is checked here (magic, version, flags, every length,
    /// the recipient count, empty or repeated key ids); the caller verifies the signature before using any field.
    /// Throws <see cref="InvalidProtectedDataException"/>.
    /// </summary>
    public static V3Envelope Parse(ReadOnlySpan<byte> data, string subject)
    {
        var reader = new SpanReader(data, subject);
        var flags = EnvelopeCoding.ReadHead(ref reader, Version, "envelope", subject);
        var (context, contextLength) = ContextEncoding.Decode(data[reader.Position..], subject);
        reader.ReadFixed(contextLength);
        var count = reader.ReadUInt32();
        if (count is < 1 or > MaxRecipients)
        {
            throw new InvalidProtectedDataException($"The envelope of '{subject}' has {count} recipients; a record has 1 to {MaxRecipients}.");
        }

        var recipients = new List<EnvelopeRecipient>((int)count);
        for (var i = 0; i < count; i++)
        {
            var keyId = reader.ReadUtf8();
            var wrapped = reader.ReadPrefixed().ToArray();
            if (keyId.Length == 0 || wrapped.Length == 0)
            {
                throw new InvalidProtectedDataException($"The envelope of '{subject}' has a recipient with an empty key id or wrapped key.");
            }

            if (recipients.Exists(r => string.Equals(r.KeyId, keyId, StringComparison.Ordinal)))
            {
                throw new InvalidProtectedDataException($"The envelope of '{subject}' names recipient '{keyId}' twice.");
            }

            recipients.Add(new EnvelopeRecipient(keyId, wrapped));
        }

        var header = data[..reader.Position].ToArray();
        var body = EnvelopeCoding.ReadBody(ref reader, data, flags, subject);
        return new V3Envelope(header, context, recipients, body.Nonce, body.Ciphertext, body.Tag, body.SigningKeyId, body.Signature, body.SignedData);
    }

    /// <summary>
    /// The parsed envelope of an authenticated record in version 3, or null for any other record and for one whose
    /// envelope does not parse: for listings and imports, which show or copy what they can (opening it reports the damage).
    /// </summary>
    public static V3Envelope? TryParse(Repositories.ProtectedSecretRecord record)
    {
        if (record is not { Format: Repositories.ProtectedSecretFormat.V2, Envelope: { } bytes } || VersionOf(bytes) != Version)
        {
            return null;
        }

        try
        {
            return Parse(bytes, record.Id.ToString());
        }
        catch (InvalidProtectedDataException)
        {
            return null;
        }
    }

    /// <summary>The envelope version of <paramref name="data"/> (its fifth byte), or 0 when it is too short to have one.</summary>
    public static byte VersionOf(ReadOnlySpan<byte> data) => data.Length > 4 ? data[4] : (byte)0;
}

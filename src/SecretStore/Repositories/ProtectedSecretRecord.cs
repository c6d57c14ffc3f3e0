using SecretStore.Secrets;

namespace SecretStore.Repositories;

/// <summary>
/// A protected secret as a repository stores it. v1 records carry the reference design's four fields;
/// v2 records carry one self-describing <see cref="Envelope"/> and none of the v1 fields, so an old reader
/// fails closed. Holds no clear value, so it is safe to log its id (never its bytes).
/// </summary>
public sealed record ProtectedSecretRecord
{
    /// <summary>Application and name.</summary>
    public required SecretId Id { get; init; }

    /// <summary>The format of this record.</summary>
    public required ProtectedSecretFormat Format { get; init; }

    /// <summary>The revision the repository assigned (1 on first write, +1 on each update).</summary>
    public long Revision { get; init; }

    /// <summary>
    /// Set when the stored revision is out of range (negative, zero, not a whole number, too large, wrong type): the
    /// stored text (for the file store, the JSON as written, so that a write to another record keeps this one byte
    /// for byte). <see cref="Revision"/> is then 0 and the record is refused on read and write with <c>SSB2014</c>.
    /// </summary>
    public string? InvalidRevision { get; init; }

    /// <summary>The master key id (v1: the <c>MasterKeyId</c> field; v2: copied from the envelope for listing).</summary>
    public required string MasterKeyId { get; init; }

    /// <summary>v1 only: the wrapped 16-byte document key.</summary>
    public byte[]? ProtectedDocumentKey { get; init; }

    /// <summary>v1 only: the 16-byte AES-CBC IV.</summary>
    public byte[]? InitialisationVector { get; init; }

    /// <summary>v1 only: the AES-CBC ciphertext of the UTF-8 value.</summary>
    public byte[]? ProtectedSecretValue { get; init; }

    /// <summary>v2 only: the whole authenticated envelope (docs/format.md).</summary>
    public byte[]? Envelope { get; init; }

    /// <summary>Shows the id, format, revision and key id; never the protected bytes.</summary>
    public override string ToString() => $"{Id} ({Format}, revision {Revision}, key '{MasterKeyId}')";
}

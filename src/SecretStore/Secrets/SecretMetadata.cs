using SecretStore.Repositories;

namespace SecretStore.Secrets;

/// <summary>What may be said about a stored secret without decrypting it: never its value.</summary>
/// <param name="Id">Application and name.</param>
/// <param name="Revision">The record revision (1 for the first write; reference v1 rows without one read as 1).</param>
/// <param name="MasterKeyId">The id of the master key that protects the data key.</param>
/// <param name="Format">The protected-secret format of the record.</param>
public sealed record SecretMetadata(SecretId Id, long Revision, string MasterKeyId, ProtectedSecretFormat Format)
{
    /// <summary>
    /// Whether <see cref="MasterKeyId"/> is one of the reader's allowed master keys (set by list; a record outside
    /// the allow-list is refused on read with <c>SSB3012</c>). Null where it was not checked.
    /// </summary>
    public bool? IsKeyAllowed { get; init; }

    /// <summary>True when the stored revision is out of range (set by list; reading or writing it is <c>SSB2014</c>).</summary>
    public bool HasInvalidRevision { get; init; }

    /// <summary>
    /// The digest of the protected record this was read from (<see cref="Locking.RecordDigest"/>), which a lock file
    /// keeps; null where no record was read (a write's result, a store that is not an envelope store).
    /// </summary>
    public string? RecordDigest { get; init; }

    /// <summary>
    /// The master keys that can open the record, primary first: several for an envelope version 3 record written for
    /// several recipients, else just <see cref="MasterKeyId"/>.
    /// </summary>
    public IReadOnlyList<string> Recipients { get; init; } = [MasterKeyId];

    /// <summary>
    /// The envelope version of an authenticated record (<see cref="ProtectedSecretFormat.V2"/>): 3 for records written by
    /// this version (several recipients, store id), 2 for older ones (<c>rewrap</c> moves them on); null for v1 or where
    /// no record was read.
    /// </summary>
    public int? EnvelopeVersion { get; init; }

    /// <summary>The store id the record is bound to (envelope version 3 records of a store that has one), or null.</summary>
    public string? StoreId { get; init; }

    /// <summary>
    /// Set by a write that replaced a record: the recipients of the record it replaced, so that a face can say when the
    /// write changed who can read the secret (<see cref="RecipientsChanged"/>). Null for a new secret.
    /// </summary>
    public IReadOnlyList<string>? ReplacedRecipients { get; init; }

    /// <summary>True when a write replaced a record whose recipients were not these (same keys in the same order).</summary>
    public bool RecipientsChanged => ReplacedRecipients is { } before && !before.SequenceEqual(Recipients, StringComparer.Ordinal);

    /// <summary>Set by a write: the revision it replaced, or null when it created the secret.</summary>
    public long? ReplacedRevision { get; init; }

    /// <summary>What a write did to the revision, for a log line: <c>revision 3 -> 4</c>, or <c>revision 1 (new)</c>.</summary>
    public string RevisionChange => ReplacedRevision is { } replaced
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"revision {replaced} -> {Revision}")
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"revision {Revision} (new)");

    /// <summary>Value equality, with <see cref="Recipients"/> compared item by item (a list has reference equality).</summary>
    public bool Equals(SecretMetadata? other) =>
        other is not null
        && Id == other.Id
        && Revision == other.Revision
        && string.Equals(MasterKeyId, other.MasterKeyId, StringComparison.Ordinal)
        && Format == other.Format
        && IsKeyAllowed == other.IsKeyAllowed
        && HasInvalidRevision == other.HasInvalidRevision
        && string.Equals(RecordDigest, other.RecordDigest, StringComparison.Ordinal)
        && Recipients.SequenceEqual(other.Recipients, StringComparer.Ordinal)
        && string.Equals(StoreId, other.StoreId, StringComparison.Ordinal)
        && EnvelopeVersion == other.EnvelopeVersion
        && ReplacedRevision == other.ReplacedRevision
        && (ReplacedRecipients ?? []).SequenceEqual(other.ReplacedRecipients ?? [], StringComparer.Ordinal)
        && (ReplacedRecipients is null) == (other.ReplacedRecipients is null);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Id, Revision, MasterKeyId, Format, RecordDigest, StoreId, Recipients.Count);
}

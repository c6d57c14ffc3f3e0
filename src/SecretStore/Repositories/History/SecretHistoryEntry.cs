using SecretStore.Secrets;

namespace SecretStore.Repositories.History;

/// <summary>
/// One revision of a secret as its history keeps it: the protected record written at that revision, or a deletion
/// (a tombstone, <see cref="Record"/> null). Holds no clear value, so it is safe to list (never its bytes).
/// </summary>
public sealed record SecretHistoryEntry
{
    /// <summary>Application and name.</summary>
    public required SecretId Id { get; init; }

    /// <summary>The revision (1 for the first write; a deletion takes a revision of its own).</summary>
    public required long Revision { get; init; }

    /// <summary>When the repository wrote it (UTC, whole seconds), or null when unknown (a row written before history).</summary>
    public DateTimeOffset? WrittenAt { get; init; }

    /// <summary>
    /// Who wrote it as the writer said (the user name of the process, or <see cref="HistoryOptions.Writer"/>), or null
    /// when unknown. Not authenticated: whoever can write the store can write any name here.
    /// </summary>
    public string? Writer { get; init; }

    /// <summary>The record at this revision (its <see cref="ProtectedSecretRecord.Revision"/> equals <see cref="Revision"/>), or null for a deletion.</summary>
    public ProtectedSecretRecord? Record { get; init; }

    /// <summary>True for the tombstone a delete leaves.</summary>
    public bool IsDeletion => Record is null;

    /// <summary>Shows the id and revision; never the protected bytes.</summary>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Id} revision {Revision}{(IsDeletion ? " (deleted)" : string.Empty)}");
}

using SecretStore.Repositories;

namespace SecretStore.Secrets;

/// <summary>One line of a secret's history: what may be said about a revision without decrypting it, never its value.</summary>
/// <param name="Id">Application and name.</param>
/// <param name="Revision">The revision number.</param>
/// <param name="WrittenAt">When it was written (UTC), or null when unknown (a row written before history).</param>
/// <param name="Writer">Who wrote it as the writer said (not authenticated), or null when unknown.</param>
/// <param name="MasterKeyId">The key id of the record, or null for a deletion.</param>
/// <param name="Format">The format of the record, or null for a deletion.</param>
public sealed record SecretRevisionInfo(SecretId Id, long Revision, DateTimeOffset? WrittenAt, string? Writer, string? MasterKeyId, ProtectedSecretFormat? Format)
{
    /// <summary>True for the revision a delete left.</summary>
    public bool IsDeletion => MasterKeyId is null;

    /// <summary>
    /// The master keys that can open this revision, primary first (several for an envelope version 3 record written for
    /// several recipients; empty for a deletion): who can still read an old value.
    /// </summary>
    public IReadOnlyList<string> Recipients { get; init; } = [];

    /// <summary>True for the revision unpinned reads get.</summary>
    public bool IsCurrent { get; init; }
}

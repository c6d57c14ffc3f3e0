using SecretStore.Diagnostics;
using SecretStore.Secrets;

namespace SecretStore.Repositories;

/// <summary>
/// The one rule for record revisions, shared by the engine and every repository: a stored revision is a whole
/// number from 1 to <see cref="long.MaxValue"/>, and the next one is computed with checked arithmetic. Revisions
/// come from whoever can write the store, so a bad one refuses that record (<c>SSB2014</c>), never the store.
/// </summary>
public static class RecordRevision
{
    /// <summary>Whether <paramref name="revision"/> can be a stored revision.</summary>
    public static bool IsValid(long revision) => revision >= 1;

    /// <summary>
    /// The revision a write over <paramref name="current"/> (0 for a new record) gets. Throws <c>SSB2014</c> naming
    /// <paramref name="id"/> when it would overflow: an unchecked <c>long.MaxValue + 1</c> wrote a negative revision
    /// that no later write could match.
    /// </summary>
    public static long Next(SecretId id, long current)
    {
        if (current < 0 || current == long.MaxValue)
        {
            throw new SecretStoreException(DiagnosticCodes.RevisionOutOfRange, $"The record of '{id}' is at revision {current}, which has no successor; nothing was written.");
        }

        return current + 1;
    }

    /// <summary>The refusal of a record whose stored revision is out of range; names the record, not the stored text.</summary>
    public static SecretStoreException OutOfRange(SecretId id) =>
        new(DiagnosticCodes.RevisionOutOfRange, $"The record of '{id}' has a revision that is not a whole number from 1 to {long.MaxValue}; it is refused (other records are not affected) and nothing was written.");
}

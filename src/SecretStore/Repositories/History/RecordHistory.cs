using SecretStore.Secrets;

namespace SecretStore.Repositories.History;

/// <summary>
/// The history rules every repository shares, so that the file store, DynamoDB and later ones number and prune revisions
/// the same way.
/// </summary>
public static class RecordHistory
{
    /// <summary>
    /// The revision a write gets: one past both the revision it replaces (<paramref name="expectedRevision"/>, 0 for a
    /// new record) and the newest revision the history holds (<paramref name="newestInHistory"/>, 0 for none), so that a
    /// secret deleted and created again, or a row the reference implementation rewrote without a revision, never gives
    /// one revision number two values. <paramref name="requested"/> (an import keeping its source's numbers) is used when
    /// it is higher.
    /// </summary>
    public static long NextRevision(SecretId id, long expectedRevision, long newestInHistory, long? requested = null)
    {
        var next = RecordRevision.Next(id, Math.Max(expectedRevision, newestInHistory));
        return requested is { } wanted && wanted > next ? wanted : next;
    }

    /// <summary>
    /// The history as readers see it, oldest first: <paramref name="entries"/>, with the current record standing for its
    /// revision (a row written before history, or rewritten by the reference implementation, has no entry of its own; an
    /// entry with the same revision but other bytes is not what unpinned readers get, so the current record wins).
    /// </summary>
    public static IReadOnlyList<SecretHistoryEntry> WithCurrent(IEnumerable<SecretHistoryEntry> entries, ProtectedSecretRecord? current)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var byRevision = new SortedDictionary<long, SecretHistoryEntry>();
        foreach (var entry in entries)
        {
            byRevision[entry.Revision] = entry;
        }

        if (current is { InvalidRevision: null } && RecordRevision.IsValid(current.Revision))
        {
            if (byRevision.TryGetValue(current.Revision, out var kept) && kept.Record is { } record && SameRecord(record, current))
            {
                // The usual case: the entry the write added, with its time and writer.
            }
            else
            {
                byRevision[current.Revision] = new SecretHistoryEntry { Id = current.Id, Revision = current.Revision, Record = current };
            }
        }

        return [.. byRevision.Values];
    }

    /// <summary>
    /// The entry a write or delete must add for the record it replaces when the history does not keep that record (a row
    /// written before history existed, or rewritten by the reference implementation), so that no write loses an earlier
    /// value. It keeps its own revision when the history has none under that number (<paramref name="keptAtItsRevision"/>
    /// null), else the next one past the history (the number is taken by other bytes). Null when the history keeps it, or
    /// when there is nothing to keep. <paramref name="keptAtItsRevision"/> is the history's entry at
    /// <paramref name="replaced"/>'s revision.
    /// </summary>
    public static SecretHistoryEntry? Unkept(ProtectedSecretRecord? replaced, long newestInHistory, SecretHistoryEntry? keptAtItsRevision)
    {
        if (replaced is null || replaced.InvalidRevision is not null || !RecordRevision.IsValid(replaced.Revision))
        {
            return null;
        }

        if (keptAtItsRevision?.Record is { } kept && SameRecord(kept, replaced))
        {
            return null;
        }

        var revision = keptAtItsRevision is null ? replaced.Revision : RecordRevision.Next(replaced.Id, newestInHistory);
        return new SecretHistoryEntry { Id = replaced.Id, Revision = revision, Record = replaced with { Revision = revision } };
    }

    /// <summary>
    /// What a purge leaves of a secret: nothing of any value, but one deletion one past every revision it had, so that a
    /// secret created again never reuses a number a lock or a pin names (a purged record a store writer puts back is then
    /// below the lock). Null when there is nothing to purge: no record and no history, or only such a mark already.
    /// </summary>
    public static SecretHistoryEntry? PurgeMark(SecretId id, ProtectedSecretRecord? current, IReadOnlyCollection<SecretHistoryEntry> history, HistoryOptions options)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(options);
        if (current is null && history.All(e => e.IsDeletion) && history.Count <= 1)
        {
            return null;
        }

        var newest = Math.Max(current is { InvalidRevision: null } ? current.Revision : 0, history.Count > 0 ? history.Max(e => e.Revision) : 0);
        return new SecretHistoryEntry { Id = id, Revision = RecordRevision.Next(id, newest), WrittenAt = options.Now(), Writer = options.EffectiveWriter };
    }

    /// <summary>
    /// The revisions to remove so that at most <paramref name="keep"/> remain (the oldest first), or none when
    /// <paramref name="keep"/> is null. <paramref name="revisions"/> must be in ascending order.
    /// </summary>
    public static IReadOnlyList<long> ToPrune(IReadOnlyList<long> revisions, int? keep)
    {
        ArgumentNullException.ThrowIfNull(revisions);
        return keep is { } limit && revisions.Count > limit ? [.. revisions.Take(revisions.Count - limit)] : [];
    }

    /// <summary>Whether two records hold the same protected bytes (id, format, revision, key id and every field).</summary>
    public static bool SameRecord(ProtectedSecretRecord a, ProtectedSecretRecord b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Id == b.Id && a.Format == b.Format && a.Revision == b.Revision
            && string.Equals(a.MasterKeyId, b.MasterKeyId, StringComparison.Ordinal)
            && Same(a.Envelope, b.Envelope) && Same(a.ProtectedDocumentKey, b.ProtectedDocumentKey)
            && Same(a.InitialisationVector, b.InitialisationVector) && Same(a.ProtectedSecretValue, b.ProtectedSecretValue);
    }

    private static bool Same(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);
}

using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Repositories.History;
using SecretStore.Secrets;

namespace SecretStore.Testing.Repositories;

/// <summary>
/// A repository in memory, with the same conditional-save semantics as the persistent ones; test code only (it
/// never ships: issue 13 moved it out of the engine's public API). Records are kept in the store file's order
/// (ordinal by application, then name). Thread-safe.
/// </summary>
public sealed class InMemorySecretRepository : IProtectedSecretRepository
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<(string App, string Name), ProtectedSecretRecord> _records = new(Comparer<(string App, string Name)>.Create(static (x, y) =>
    {
        var app = string.CompareOrdinal(x.App, y.App);
        return app != 0 ? app : string.CompareOrdinal(x.Name, y.Name);
    }));

    private readonly Dictionary<SecretId, SortedDictionary<long, SecretHistoryEntry>> _history = [];

    /// <summary>How many revisions of history are kept per secret (null: all).</summary>
    public int? KeepRevisions { get; init; }

    /// <summary>The writer and clock of the revisions written (null: "in-memory" at the Unix epoch); its retention is not used (see <see cref="KeepRevisions"/>).</summary>
    public HistoryOptions? History { get; init; }

    private DateTimeOffset Now() => History?.Now() ?? DateTimeOffset.UnixEpoch;

    private string Writer => History?.EffectiveWriter ?? "in-memory";

    /// <inheritdoc />
    public Task<ProtectedSecretRecord?> GetAsync(SecretId id, CancellationToken cancellationToken = default)
    {
        EnsureWellFormed(id);
        lock (_gate)
        {
            return Task.FromResult(_records.GetValueOrDefault((id.ApplicationName, id.Name)));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ProtectedSecretRecord>> GetManyAsync(IReadOnlyCollection<SecretId> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var distinct = ids.Distinct().ToList();
        distinct.ForEach(EnsureWellFormed);
        lock (_gate)
        {
            IReadOnlyList<ProtectedSecretRecord> result = [.. distinct.Select(id => _records.GetValueOrDefault((id.ApplicationName, id.Name))).OfType<ProtectedSecretRecord>()];
            return Task.FromResult(result);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListApplicationsAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<string> result = [.. _records.Values.Select(r => r.Id.ApplicationName).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
            return Task.FromResult(result);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ProtectedSecretRecord>> QueryByApplicationAsync(string applicationName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(applicationName);
        EnsureWellFormed(new SecretId(applicationName, "-"));
        lock (_gate)
        {
            IReadOnlyList<ProtectedSecretRecord> result = [.. _records.Values.Where(r => string.Equals(r.Id.ApplicationName, applicationName, StringComparison.Ordinal))];
            return Task.FromResult(result);
        }
    }

    /// <inheritdoc />
    public Task<long> SaveAsync(ProtectedSecretRecord record, long expectedRevision, CancellationToken cancellationToken = default) =>
        Save(record, expectedRevision, newRevision: null);

    /// <inheritdoc />
    public Task<long> SaveAtRevisionAsync(ProtectedSecretRecord record, long expectedRevision, long newRevision, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(newRevision, expectedRevision);
        return Save(record, expectedRevision, newRevision);
    }

    private Task<long> Save(ProtectedSecretRecord record, long expectedRevision, long? newRevision)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedRevision);
        EnsureWellFormed(record.Id);
        lock (_gate)
        {
            var key = (record.Id.ApplicationName, record.Id.Name);
            var current = _records.GetValueOrDefault(key)?.Revision ?? 0;
            if (current != expectedRevision)
            {
                throw new ConcurrencyConflictException(record.Id, expectedRevision, current);
            }

            var revisions = HistoryOf(record.Id);
            var next = RecordHistory.NextRevision(record.Id, expectedRevision, revisions.Count > 0 ? revisions.Keys.Max() : 0, newRevision);
            var written = record with { Revision = next, InvalidRevision = null };
            _records[key] = written;
            Append(revisions, new SecretHistoryEntry { Id = record.Id, Revision = next, WrittenAt = Now(), Writer = Writer, Record = written });
            return Task.FromResult(next);
        }
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(SecretId id, long? expectedRevision = null, CancellationToken cancellationToken = default)
    {
        EnsureWellFormed(id);
        if (expectedRevision is { } wanted)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(wanted, nameof(expectedRevision));
        }

        lock (_gate)
        {
            var key = (id.ApplicationName, id.Name);
            if (!_records.TryGetValue(key, out var existing))
            {
                return Task.FromResult(false);
            }

            if (expectedRevision is { } expected && existing.Revision != expected)
            {
                throw new ConcurrencyConflictException(id, expected, existing.Revision);
            }

            _records.Remove(key);
            var revisions = HistoryOf(id);
            var tombstone = RecordHistory.NextRevision(id, existing.Revision, revisions.Count > 0 ? revisions.Keys.Max() : 0);
            Append(revisions, new SecretHistoryEntry { Id = id, Revision = tombstone, WrittenAt = Now(), Writer = Writer });
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SecretHistoryEntry>> GetHistoryAsync(SecretId id, CancellationToken cancellationToken = default)
    {
        EnsureWellFormed(id);
        lock (_gate)
        {
            var kept = _history.TryGetValue(id, out var revisions) ? [.. revisions.Values] : Array.Empty<SecretHistoryEntry>();
            return Task.FromResult(RecordHistory.WithCurrent(kept, _records.GetValueOrDefault((id.ApplicationName, id.Name))));
        }
    }

    /// <inheritdoc />
    public async Task<SecretHistoryEntry?> GetRevisionAsync(SecretId id, long revision, CancellationToken cancellationToken = default) =>
        (await GetHistoryAsync(id, cancellationToken).ConfigureAwait(false)).FirstOrDefault(e => e.Revision == revision);

    /// <inheritdoc />
    public Task<bool> PurgeAsync(SecretId id, CancellationToken cancellationToken = default)
    {
        EnsureWellFormed(id);
        lock (_gate)
        {
            var mark = RecordHistory.PurgeMark(id, _records.GetValueOrDefault((id.ApplicationName, id.Name)), _history.TryGetValue(id, out var kept) ? kept.Values : [], History ?? new HistoryOptions { Writer = "in-memory" });
            if (mark is null)
            {
                return Task.FromResult(false);
            }

            _records.Remove((id.ApplicationName, id.Name));
            _history[id] = new SortedDictionary<long, SecretHistoryEntry> { [mark.Revision] = mark with { WrittenAt = Now() } };
            return Task.FromResult(true);
        }
    }

    /// <summary><c>SSB2010</c> for an id no store can hold, as the persistent stores refuse it.</summary>
    private static void EnsureWellFormed(SecretId id)
    {
        if (id == default)
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidSecret, "A secret id must have an application name and a secret name.");
        }

        if (!id.IsWellFormed)
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidSecret, "A secret id contains a lone surrogate and cannot be stored as UTF-8.");
        }
    }

    private SortedDictionary<long, SecretHistoryEntry> HistoryOf(SecretId id)
    {
        if (!_history.TryGetValue(id, out var revisions))
        {
            _history[id] = revisions = [];
        }

        return revisions;
    }

    private void Append(SortedDictionary<long, SecretHistoryEntry> revisions, SecretHistoryEntry entry)
    {
        revisions[entry.Revision] = entry;
        foreach (var old in RecordHistory.ToPrune([.. revisions.Keys], KeepRevisions))
        {
            revisions.Remove(old);
        }
    }
}

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

    /// <inheritdoc />
    public Task<ProtectedSecretRecord?> GetAsync(SecretId id, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_records.GetValueOrDefault((id.ApplicationName, id.Name)));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ProtectedSecretRecord>> GetManyAsync(IReadOnlyCollection<SecretId> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        lock (_gate)
        {
            IReadOnlyList<ProtectedSecretRecord> result = [.. ids.Distinct().Select(id => _records.GetValueOrDefault((id.ApplicationName, id.Name))).OfType<ProtectedSecretRecord>()];
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
            Append(revisions, new SecretHistoryEntry { Id = record.Id, Revision = next, WrittenAt = DateTimeOffset.UnixEpoch, Writer = "in-memory", Record = written });
            return Task.FromResult(next);
        }
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(SecretId id, long? expectedRevision = null, CancellationToken cancellationToken = default)
    {
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
            Append(revisions, new SecretHistoryEntry { Id = id, Revision = tombstone, WrittenAt = DateTimeOffset.UnixEpoch, Writer = "in-memory" });
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SecretHistoryEntry>> GetHistoryAsync(SecretId id, CancellationToken cancellationToken = default)
    {
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
        lock (_gate)
        {
            var mark = RecordHistory.PurgeMark(id, _records.GetValueOrDefault((id.ApplicationName, id.Name)), _history.TryGetValue(id, out var kept) ? kept.Values : [], new HistoryOptions { Writer = "in-memory" });
            if (mark is null)
            {
                return Task.FromResult(false);
            }

            _records.Remove((id.ApplicationName, id.Name));
            _history[id] = new SortedDictionary<long, SecretHistoryEntry> { [mark.Revision] = mark with { WrittenAt = DateTimeOffset.UnixEpoch } };
            return Task.FromResult(true);
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

using SecretStore.Diagnostics;
using SecretStore.Repositories;
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

            var next = newRevision ?? RecordRevision.Next(record.Id, expectedRevision);
            _records[key] = record with { Revision = next, InvalidRevision = null };
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

            return Task.FromResult(_records.Remove(key));
        }
    }
}

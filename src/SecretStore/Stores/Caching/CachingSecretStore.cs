using SecretStore.Diagnostics;
using SecretStore.Secrets;

namespace SecretStore.Stores.Caching;

/// <summary>
/// An <see cref="ISecretStore"/> in front of another that keeps what it read in memory for a while: values for
/// <see cref="CachingSecretStoreOptions.TimeToLive"/>, "not found" for the shorter
/// <see cref="CachingSecretStoreOptions.NotFoundTimeToLive"/>, at most <see cref="CachingSecretStoreOptions.MaxEntries"/>
/// entries (least recently used out first). Concurrent reads of one secret that is not cached make one backend
/// call (single flight), also when they come through <see cref="GetManyAsync"/>; a cold get-many returns every
/// secret the store has, not only the cached ones. Writes and deletes through this store go to the inner store and
/// drop the entry, so this process sees its own writes at once; a write by anyone else is seen when the entry
/// expires (or after <see cref="Invalidate"/> / <see cref="Clear"/>). Listing is never cached: it carries no value.
/// </summary>
/// <remarks>
/// What stays in memory: each cached <see cref="Secret"/>, whose value is a .NET string, until it expires, is
/// evicted or <see cref="Clear"/> / <see cref="Dispose"/> runs; the cache then drops its reference. .NET strings are
/// immutable and the garbage collector may have copied them while compacting, so neither this class nor any .NET
/// code can promise that the characters are wiped from the process's memory: only that the cache stops holding them
/// and the memory is reused in time. Backend failures (other than "not found") are never cached.
/// </remarks>
public sealed class CachingSecretStore : ISecretStore, IDisposable
{
    private readonly ISecretStore _inner;
    private readonly bool _ownsInner;
    private readonly CachingSecretStoreOptions _options;
    private readonly object _gate = new();
    private readonly Dictionary<SecretId, LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _recency = new();
    private readonly Dictionary<SecretId, Task<Secret?>> _inFlight = [];
    private long _generation;
    private bool _disposed;

    /// <summary>Wraps <paramref name="inner"/>; with <paramref name="ownsInner"/>, disposing this disposes it.</summary>
    public CachingSecretStore(ISecretStore inner, CachingSecretStoreOptions? options = null, bool ownsInner = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _options = options ?? new CachingSecretStoreOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxEntries, 1);
        if (_options.TimeToLive != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(_options.TimeToLive, TimeSpan.Zero);
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(_options.NotFoundTimeToLive, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(_options.TimeProvider);
        _inner = inner;
        _ownsInner = ownsInner;
    }

    /// <summary>The number of entries held now (values and "not found"), for tests and diagnostics.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <inheritdoc />
    public async Task<Secret> GetAsync(SecretId id, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Task<Secret?> flight;
        lock (_gate)
        {
            if (TryGetFresh(id, out var cached))
            {
                return cached ?? throw new SecretNotFoundException(id);
            }

            if (!_inFlight.TryGetValue(id, out var running))
            {
                running = FetchOneAsync(id, _generation);
                _inFlight[id] = running;
            }

            flight = running;
        }

        // Each caller may give up on its own; the shared fetch goes on for the others.
        var secret = await flight.WaitAsync(cancellationToken).ConfigureAwait(false);
        return secret ?? throw new SecretNotFoundException(id);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<SecretId, Secret>> GetManyAsync(IEnumerable<SecretId> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var result = new Dictionary<SecretId, Secret>();
        var waits = new List<(SecretId Id, Task<Secret?> Flight)>();
        var missing = new List<SecretId>();
        Task<IReadOnlyDictionary<SecretId, Secret>>? batch = null;
        lock (_gate)
        {
            foreach (var id in ids.Distinct())
            {
                if (TryGetFresh(id, out var cached))
                {
                    if (cached is not null)
                    {
                        result[id] = cached;
                    }
                }
                else if (_inFlight.TryGetValue(id, out var running))
                {
                    waits.Add((id, running));
                }
                else
                {
                    missing.Add(id);
                }
            }

            if (missing.Count > 0)
            {
                // One backend call for every id nobody is fetching yet; each id joins the flight table, so a
                // concurrent GetAsync of one of them waits for this batch instead of calling the backend again.
                var generation = _generation;
                batch = FetchManyAsync(missing, generation);
                foreach (var id in missing)
                {
                    var one = PickAsync(batch, id);
                    _inFlight[id] = one;
                    waits.Add((id, one));
                }
            }
        }

        foreach (var (id, flight) in waits)
        {
            if (await flight.WaitAsync(cancellationToken).ConfigureAwait(false) is { } secret)
            {
                result[id] = secret;
            }
        }

        return result;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SecretMetadata>> ListAsync(string applicationName, CancellationToken cancellationToken = default) =>
        _inner.ListAsync(applicationName, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListApplicationsAsync(CancellationToken cancellationToken = default) =>
        _inner.ListApplicationsAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<SecretMetadata> SetAsync(SecretId id, string value, SetSecretOptions? options = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _inner.SetAsync(id, value, options, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Dropped whatever happened: a failed write may still have reached the store.
            Invalidate(id);
        }
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(SecretId id, long? expectedRevision = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _inner.DeleteAsync(id, expectedRevision, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Invalidate(id);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SecretRevisionInfo>> GetHistoryAsync(SecretId id, CancellationToken cancellationToken = default) =>
        _inner.GetHistoryAsync(id, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Not cached: a pinned read is rare, and the cache holds current values only.</remarks>
    public Task<Secret> GetRevisionAsync(SecretId id, long revision, CancellationToken cancellationToken = default) =>
        _inner.GetRevisionAsync(id, revision, cancellationToken);

    /// <inheritdoc />
    public async Task<SecretMetadata> RollbackAsync(SecretId id, long revision, SetSecretOptions? options = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _inner.RollbackAsync(id, revision, options, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Invalidate(id);
        }
    }

    /// <inheritdoc />
    public async Task<bool> PurgeAsync(SecretId id, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _inner.PurgeAsync(id, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Invalidate(id);
        }
    }

    /// <summary>Drops the entry of <paramref name="id"/>; the next read asks the store.</summary>
    public void Invalidate(SecretId id)
    {
        lock (_gate)
        {
            Remove(id);
            _inFlight.Remove(id);

            // A fetch that started before the write may still bring the old value: it must not be stored.
            _generation++;
        }
    }

    /// <summary>Drops every entry (values and "not found"); fetches under way are not stored.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
            _recency.Clear();
            _inFlight.Clear();
            _generation++;
        }
    }

    /// <summary>Drops every entry; disposes the inner store when this one owns it.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Clear();
        if (_ownsInner && _inner is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    /// <summary>One backend read shared by every caller; stored only if no write or clear came since <paramref name="generation"/>.</summary>
    private async Task<Secret?> FetchOneAsync(SecretId id, long generation)
    {
        // Off the caller's context: the flight is shared, so no caller's cancellation or context may end it.
        await Task.Yield();
        Secret? secret;
        try
        {
            secret = await _inner.GetAsync(id, CancellationToken.None).ConfigureAwait(false);
        }
        catch (SecretNotFoundException)
        {
            secret = null;
        }
        catch
        {
            lock (_gate)
            {
                _inFlight.Remove(id);
            }

            throw;
        }

        lock (_gate)
        {
            _inFlight.Remove(id);
            if (generation == _generation)
            {
                Store(id, secret);
            }
        }

        return secret;
    }

    /// <summary>One backend get-many for <paramref name="ids"/>, stored like <see cref="FetchOneAsync"/>.</summary>
    private async Task<IReadOnlyDictionary<SecretId, Secret>> FetchManyAsync(List<SecretId> ids, long generation)
    {
        await Task.Yield();
        try
        {
            var found = await _inner.GetManyAsync(ids, CancellationToken.None).ConfigureAwait(false);
            lock (_gate)
            {
                foreach (var id in ids)
                {
                    _inFlight.Remove(id);
                    if (generation == _generation)
                    {
                        Store(id, found.TryGetValue(id, out var secret) ? secret : null);
                    }
                }
            }

            return found;
        }
        catch
        {
            lock (_gate)
            {
                foreach (var id in ids)
                {
                    _inFlight.Remove(id);
                }
            }

            throw;
        }
    }

    private static async Task<Secret?> PickAsync(Task<IReadOnlyDictionary<SecretId, Secret>> batch, SecretId id) =>
        (await batch.ConfigureAwait(false)).TryGetValue(id, out var secret) ? secret : null;

    /// <summary>True when a fresh entry exists: <paramref name="secret"/> is the value, or null for "not found".</summary>
    private bool TryGetFresh(SecretId id, out Secret? secret)
    {
        secret = null;
        if (!_entries.TryGetValue(id, out var node))
        {
            return false;
        }

        if (node.Value.ExpiresAt <= _options.TimeProvider.GetUtcNow())
        {
            Remove(id);
            return false;
        }

        _recency.Remove(node);
        _recency.AddFirst(node);
        secret = node.Value.Secret;
        return true;
    }

    private void Store(SecretId id, Secret? secret)
    {
        var lifetime = secret is null ? _options.NotFoundTimeToLive : _options.TimeToLive;
        Remove(id);
        if (lifetime <= TimeSpan.Zero && lifetime != Timeout.InfiniteTimeSpan)
        {
            return;
        }

        while (_entries.Count >= _options.MaxEntries && _recency.Last is { } oldest)
        {
            Remove(oldest.Value.Id);
        }

        var expires = lifetime == Timeout.InfiniteTimeSpan ? DateTimeOffset.MaxValue : _options.TimeProvider.GetUtcNow() + lifetime;
        var node = _recency.AddFirst(new Entry(id, secret, expires));
        _entries[id] = node;
    }

    private void Remove(SecretId id)
    {
        if (_entries.Remove(id, out var node))
        {
            _recency.Remove(node);
        }
    }

    /// <summary>One cached answer: the secret, or null for "not found".</summary>
    private sealed record Entry(SecretId Id, Secret? Secret, DateTimeOffset ExpiresAt);
}

using SecretStore.Secrets;

namespace SecretStore.Testing.Stores;

/// <summary>Counts the reads that reach the real store; can hold them at a gate, or fail the next ones.</summary>
public sealed class RecordingStore(ISecretStore inner) : ISecretStore, IDisposable
{
    /// <summary>What a read fails with when <see cref="FailNext"/> is set and <see cref="Failure"/> is not.</summary>
    public sealed class FailureException() : Exception("backend down (test)");

    private int _ids;
    private int _lists;

    /// <summary>Every id a get or get-many asked the real store for.</summary>
    public int IdsRead => Volatile.Read(ref _ids);

    /// <summary>List calls (revision checks).</summary>
    public int Lists => Volatile.Read(ref _lists);

    /// <summary>What a failed read throws; null: <see cref="FailureException"/>. Lists fail too while set.</summary>
    public Func<Exception>? Failure { get; set; }

    /// <summary>True: every call fails with <see cref="Failure"/> (a backend outage) until set back.</summary>
    public bool Down { get; set; }

    private int _gets;
    private int _getManys;

    public int Gets => Volatile.Read(ref _gets);

    public int GetManys => Volatile.Read(ref _getManys);

    public TaskCompletionSource? Gate { get; set; }

    public TaskCompletionSource FirstCall { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int FailNext { get; set; }

    public bool Disposed { get; private set; }

    /// <summary>True: a held read has already read the store when it waits at the gate (it brings an old value).</summary>
    public bool HoldAfterRead { get; set; }

    public async Task<Secret> GetAsync(SecretId id, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _gets);
        Interlocked.Increment(ref _ids);
        if (HoldAfterRead)
        {
            var read = await inner.GetAsync(id, cancellationToken);
            await PassAsync();
            return read;
        }

        await PassAsync();
        return await inner.GetAsync(id, cancellationToken);
    }

    public async Task<IReadOnlyDictionary<SecretId, Secret>> GetManyAsync(IEnumerable<SecretId> ids, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _getManys);
        var list = ids.ToList();
        Interlocked.Add(ref _ids, list.Count);
        await PassAsync();
        return await inner.GetManyAsync(list, cancellationToken);
    }

    public Task<IReadOnlyList<SecretMetadata>> ListAsync(string applicationName, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _lists);
        return Down ? Task.FromException<IReadOnlyList<SecretMetadata>>(Failure?.Invoke() ?? new FailureException()) : inner.ListAsync(applicationName, cancellationToken);
    }

    public Task<IReadOnlyList<string>> ListApplicationsAsync(CancellationToken cancellationToken = default) => inner.ListApplicationsAsync(cancellationToken);

    public Task<SecretMetadata> SetAsync(SecretId id, string value, SetSecretOptions? options = null, CancellationToken cancellationToken = default) => inner.SetAsync(id, value, options, cancellationToken);

    public Task<bool> DeleteAsync(SecretId id, long? expectedRevision = null, CancellationToken cancellationToken = default) => inner.DeleteAsync(id, expectedRevision, cancellationToken);

    public Task<IReadOnlyList<SecretRevisionInfo>> GetHistoryAsync(SecretId id, CancellationToken cancellationToken = default) => inner.GetHistoryAsync(id, cancellationToken);

    /// <summary>A pinned read: counted and gated like a get (the runtime provider reads pinned placeholders this way).</summary>
    public async Task<Secret> GetRevisionAsync(SecretId id, long revision, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _gets);
        Interlocked.Increment(ref _ids);
        await PassAsync();
        return await inner.GetRevisionAsync(id, revision, cancellationToken);
    }

    public Task<SecretMetadata> RollbackAsync(SecretId id, long revision, SetSecretOptions? options = null, CancellationToken cancellationToken = default) => inner.RollbackAsync(id, revision, options, cancellationToken);

    public Task<bool> PurgeAsync(SecretId id, CancellationToken cancellationToken = default) => inner.PurgeAsync(id, cancellationToken);

    public void Dispose() => Disposed = true;

    private async Task PassAsync()
    {
        FirstCall.TrySetResult();
        if (Down)
        {
            throw Failure?.Invoke() ?? new FailureException();
        }

        if (FailNext > 0)
        {
            FailNext--;
            throw Failure?.Invoke() ?? new FailureException();
        }

        if (Gate is { } gate)
        {
            await gate.Task;
        }
    }
}

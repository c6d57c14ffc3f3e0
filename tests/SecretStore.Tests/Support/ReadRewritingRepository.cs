using SecretStore.Repositories;
using SecretStore.Repositories.History;
using SecretStore.Secrets;

namespace SecretStore.Tests.Support;

/// <summary>
/// A repository that hands out what <paramref name="inner"/> holds, passed through <paramref name="onRead"/>: what a
/// store writer (or a broken backend) can make a reader see, such as a row that names another secret or an out-of-range
/// revision, which the real repositories never return on their own.
/// </summary>
public sealed class ReadRewritingRepository(IProtectedSecretRepository inner, Func<ProtectedSecretRecord, ProtectedSecretRecord> onRead) : IProtectedSecretRepository
{
    public async Task<ProtectedSecretRecord?> GetAsync(SecretId id, CancellationToken cancellationToken = default) =>
        await inner.GetAsync(id, cancellationToken) is { } record ? onRead(record) : null;

    public async Task<IReadOnlyList<ProtectedSecretRecord>> GetManyAsync(IReadOnlyCollection<SecretId> ids, CancellationToken cancellationToken = default) =>
        [.. (await inner.GetManyAsync(ids, cancellationToken)).Select(onRead)];

    public Task<IReadOnlyList<string>> ListApplicationsAsync(CancellationToken cancellationToken = default) => inner.ListApplicationsAsync(cancellationToken);

    public async Task<IReadOnlyList<ProtectedSecretRecord>> QueryByApplicationAsync(string applicationName, CancellationToken cancellationToken = default) =>
        [.. (await inner.QueryByApplicationAsync(applicationName, cancellationToken)).Select(onRead)];

    public Task<long> SaveAsync(ProtectedSecretRecord record, long expectedRevision, CancellationToken cancellationToken = default) =>
        inner.SaveAsync(record, expectedRevision, cancellationToken);

    public Task<long> SaveAtRevisionAsync(ProtectedSecretRecord record, long expectedRevision, long newRevision, CancellationToken cancellationToken = default) =>
        inner.SaveAtRevisionAsync(record, expectedRevision, newRevision, cancellationToken);

    public Task<bool> DeleteAsync(SecretId id, long? expectedRevision = null, CancellationToken cancellationToken = default) =>
        inner.DeleteAsync(id, expectedRevision, cancellationToken);

    public async Task<IReadOnlyList<SecretHistoryEntry>> GetHistoryAsync(SecretId id, CancellationToken cancellationToken = default) =>
        [.. (await inner.GetHistoryAsync(id, cancellationToken)).Select(e => e.Record is { } r ? e with { Record = onRead(r) } : e)];

    public async Task<SecretHistoryEntry?> GetRevisionAsync(SecretId id, long revision, CancellationToken cancellationToken = default) =>
        await inner.GetRevisionAsync(id, revision, cancellationToken) is { } e ? (e.Record is { } r ? e with { Record = onRead(r) } : e) : null;

    public Task<bool> PurgeAsync(SecretId id, CancellationToken cancellationToken = default) => inner.PurgeAsync(id, cancellationToken);
}

using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Secrets;

namespace SecretStore.Benchmarks.Support;

/// <summary>
/// Values held in memory with no crypto and no I/O: it isolates the resolver's own cost (scan, escape,
/// render, shape check, write) from the store's. The stores are measured on their own in Stores/.
/// </summary>
public sealed class PlainSecretStore(IEnumerable<(string Name, string Value)> values) : ISecretStore
{
    private readonly Dictionary<SecretId, Secret> _secrets = values.ToDictionary(
        v => new SecretId(Workload.Application, v.Name),
        v => new Secret(new SecretId(Workload.Application, v.Name), v.Value, new SecretMetadata(new SecretId(Workload.Application, v.Name), 1, "plain", ProtectedSecretFormat.V2)));

    /// <inheritdoc />
    public Task<Secret> GetAsync(SecretId id, CancellationToken cancellationToken = default) =>
        _secrets.TryGetValue(id, out var secret) ? Task.FromResult(secret) : throw new SecretNotFoundException(id);

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<SecretId, Secret>> GetManyAsync(IEnumerable<SecretId> ids, CancellationToken cancellationToken = default)
    {
        var found = new Dictionary<SecretId, Secret>();
        foreach (var id in ids)
        {
            if (_secrets.TryGetValue(id, out var secret))
            {
                found[id] = secret;
            }
        }

        return Task.FromResult<IReadOnlyDictionary<SecretId, Secret>>(found);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListApplicationsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<string>>([.. _secrets.Values.Select(s => s.ApplicationName).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);

    /// <inheritdoc />
    public Task<IReadOnlyList<SecretMetadata>> ListAsync(string applicationName, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<SecretMetadata>>([.. _secrets.Values.Select(s => s.Metadata)]);

    /// <inheritdoc />
    public Task<SecretMetadata> SetAsync(SecretId id, string value, SetSecretOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The benchmark store is read-only.");

    /// <inheritdoc />
    public Task<bool> DeleteAsync(SecretId id, long? expectedRevision = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The benchmark store is read-only.");

    /// <inheritdoc />
    public Task<IReadOnlyList<SecretRevisionInfo>> GetHistoryAsync(SecretId id, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<SecretRevisionInfo>>(_secrets.ContainsKey(id) ? [new SecretRevisionInfo(id, 1, null, null, "plain", ProtectedSecretFormat.V2) { IsCurrent = true }] : []);

    /// <inheritdoc />
    public Task<Secret> GetRevisionAsync(SecretId id, long revision, CancellationToken cancellationToken = default) =>
        revision == 1 && _secrets.TryGetValue(id, out var secret)
            ? Task.FromResult(secret)
            : throw new SecretStoreException(DiagnosticCodes.RevisionNotFound, $"Secret '{id}' has no revision {revision} (each value here has only revision 1).");

    /// <inheritdoc />
    public Task<SecretMetadata> RollbackAsync(SecretId id, long revision, SetSecretOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The benchmark store is read-only.");

    /// <inheritdoc />
    public Task<bool> PurgeAsync(SecretId id, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The benchmark store is read-only.");
}

using SecretStore.Secrets;

namespace SecretStore.Aws;

/// <summary>A store together with what it owns (keyring, AWS clients); dispose it at the end of the run.</summary>
public sealed class OwnedSecretStore(ISecretStore store, IDisposable owner) : ISecretStore, IDisposable
{
    /// <summary>The store.</summary>
    public ISecretStore Store { get; } = store;

    /// <inheritdoc />
    public Task<Secret> GetAsync(SecretId id, CancellationToken cancellationToken = default) => Store.GetAsync(id, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<SecretId, Secret>> GetManyAsync(IEnumerable<SecretId> ids, CancellationToken cancellationToken = default) =>
        Store.GetManyAsync(ids, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<SecretMetadata>> ListAsync(string applicationName, CancellationToken cancellationToken = default) =>
        Store.ListAsync(applicationName, cancellationToken);

    /// <inheritdoc />
    public Task<SecretMetadata> SetAsync(SecretId id, string value, SetSecretOptions? options = null, CancellationToken cancellationToken = default) =>
        Store.SetAsync(id, value, options, cancellationToken);

    /// <inheritdoc />
    public Task<bool> DeleteAsync(SecretId id, long? expectedRevision = null, CancellationToken cancellationToken = default) =>
        Store.DeleteAsync(id, expectedRevision, cancellationToken);

    /// <inheritdoc />
    public void Dispose() => owner.Dispose();
}

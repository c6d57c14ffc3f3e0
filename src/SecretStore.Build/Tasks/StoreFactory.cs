using SecretStore.Configuration;
using SecretStore.Diagnostics;
using SecretStore.Secrets;
using SecretStore.Stores;

namespace SecretStore.Build.Tasks;

/// <summary>
/// Opens the store the settings describe. The one place that knows the providers: the AWS provider
/// (src/SecretStore.Aws) plugs in here.
/// </summary>
internal static class StoreFactory
{
    public static DisposableStore Create(StoreSettings settings) => settings.Provider switch
    {
        StoreProvider.File => new DisposableStore(FileSecretStoreFactory.Create(settings)),
        _ => throw new SecretStoreException(
            DiagnosticCodes.InvalidStoreConfiguration,
            $"SecretStoreProvider '{settings.Provider}' is not available in this build of SecretStore.Build; use File."),
    };
}

/// <summary>A store and whatever it owns (keyring, AWS clients), disposed together.</summary>
internal sealed class DisposableStore(ISecretStore store) : ISecretStore, IDisposable
{
    public Task<Secret> GetAsync(SecretId id, CancellationToken cancellationToken = default) => store.GetAsync(id, cancellationToken);

    public Task<IReadOnlyDictionary<SecretId, Secret>> GetManyAsync(IEnumerable<SecretId> ids, CancellationToken cancellationToken = default) => store.GetManyAsync(ids, cancellationToken);

    public Task<IReadOnlyList<SecretMetadata>> ListAsync(string applicationName, CancellationToken cancellationToken = default) => store.ListAsync(applicationName, cancellationToken);

    public Task<SecretMetadata> SetAsync(SecretId id, string value, SetSecretOptions? options = null, CancellationToken cancellationToken = default) => store.SetAsync(id, value, options, cancellationToken);

    public Task<bool> DeleteAsync(SecretId id, long? expectedRevision = null, CancellationToken cancellationToken = default) => store.DeleteAsync(id, expectedRevision, cancellationToken);

    public void Dispose() => (store as IDisposable)?.Dispose();
}

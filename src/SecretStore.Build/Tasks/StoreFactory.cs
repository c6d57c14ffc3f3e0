using SecretStore.Aws;
using SecretStore.Configuration;
using SecretStore.Diagnostics;
using SecretStore.Secrets;
using SecretStore.Stores;

namespace SecretStore.Build.Tasks;

/// <summary>
/// Opens the store the settings describe: the one place that knows the providers. The AWS SDK is only
/// loaded when the Aws provider is used (it is a separate assembly, touched only by that branch).
/// </summary>
internal static class StoreFactory
{
    public static DisposableStore Create(StoreSettings settings) => settings.Provider switch
    {
        StoreProvider.File => new DisposableStore(FileSecretStoreFactory.Create(settings)),
        StoreProvider.Aws => CreateAws(settings),
        _ => throw new SecretStoreException(
            DiagnosticCodes.InvalidStoreConfiguration,
            $"SecretStoreProvider '{settings.Provider}' is not supported; use File or Aws."),
    };

    // Kept out of Create's body so that the JIT only resolves the AWS assemblies when this provider is chosen.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static DisposableStore CreateAws(StoreSettings settings) => new(AwsSecretStore.Create(settings));
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

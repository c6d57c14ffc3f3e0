using SecretStore.Configuration;
using SecretStore.Keys.Rsa;
using SecretStore.Repositories;
using SecretStore.Repositories.File;
using SecretStore.Stores;

namespace SecretStore.Testing.Stores;

/// <summary>
/// An engine-only <see cref="ISecretStoreFactory"/> for runner tests: opens the scope's store file and keyring afresh
/// each time (the runner disposes what it opens), whatever the settings say.
/// </summary>
public sealed class ScopeStoreFactory(StoreScope scope) : ISecretStoreFactory
{
    /// <inheritdoc />
    public EnvelopeSecretStore Open(StoreSettings settings) =>
        new(new FileSecretRepository(scope.StorePath), new RsaKeyManager(RsaKeyring.Load(scope.KeyringPath)), new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId }, ownsComponents: true);

    /// <inheritdoc />
    public IProtectedSecretRepository OpenRepository(StoreSettings settings) => new FileSecretRepository(scope.StorePath);
}

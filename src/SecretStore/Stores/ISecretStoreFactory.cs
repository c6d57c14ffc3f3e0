using SecretStore.Configuration;
using SecretStore.Repositories;

namespace SecretStore.Stores;

/// <summary>
/// Opens the store that <see cref="StoreSettings"/> describe: any storage with any protection. The engine runner and
/// every face open stores through one implementation (<c>SecretStore.Aws.SecretStoreFactory</c>, which knows the
/// AWS backends as well as the embedded ones); tests may pass their own.
/// </summary>
public interface ISecretStoreFactory
{
    /// <summary>
    /// Opens the store. The result owns its repository and key manager (keyring, AWS clients): dispose it, which
    /// also zeroes cached key material. Throws <c>SSB0003</c> for settings that cannot work.
    /// </summary>
    EnvelopeSecretStore Open(StoreSettings settings);

    /// <summary>
    /// Opens only the repository: no keyring and no KMS, for moving protected records as they are (import).
    /// Dispose the result when it is <see cref="IDisposable"/>.
    /// </summary>
    IProtectedSecretRepository OpenRepository(StoreSettings settings);
}

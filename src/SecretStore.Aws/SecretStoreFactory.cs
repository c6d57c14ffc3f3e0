using SecretStore.Configuration;
using SecretStore.Aws.DynamoDb;
using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Repositories.File;
using SecretStore.Secrets;
using SecretStore.Stores;

namespace SecretStore.Aws;

/// <summary>
/// Opens the store that <see cref="StoreSettings"/> describe, whichever the provider. The faces (MSBuild task,
/// Cake aliases, CLI) all call this one method, so a store is configured the same way everywhere.
/// </summary>
public static class SecretStoreFactory
{
    /// <summary>
    /// Opens a file store (<see cref="StoreProvider.File"/>) or a DynamoDB + KMS store (<see cref="StoreProvider.Aws"/>).
    /// The caller owns the result and must dispose it (that zeroes cached key material).
    /// Throws <c>SSB0003</c> for incomplete settings.
    /// </summary>
    public static OwnedSecretStore Open(StoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Provider switch
        {
            StoreProvider.File => Own(FileSecretStoreFactory.Create(settings)),
            StoreProvider.Aws => Own(AwsSecretStore.Create(settings)),
            _ => throw new SecretStoreException(DiagnosticCodes.InvalidStoreConfiguration, $"Unknown store provider '{settings.Provider}'."),
        };
    }

    /// <summary>
    /// Opens only the repository of the store that <paramref name="settings"/> describe: no keyring and no KMS,
    /// for moving protected records as they are (import). Dispose the result when it is <see cref="IDisposable"/>
    /// (the DynamoDB repository owns its client). Throws <c>SSB0003</c> for incomplete settings.
    /// </summary>
    public static IProtectedSecretRepository OpenRepository(StoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Provider switch
        {
            StoreProvider.File when !string.IsNullOrWhiteSpace(settings.FilePath) => new FileSecretRepository(settings.FilePath),
            StoreProvider.File => throw new SecretStoreException(DiagnosticCodes.InvalidStoreConfiguration, "The file store needs a store file path."),
            StoreProvider.Aws => DynamoDbSecretRepository.Create(settings),
            _ => throw new SecretStoreException(DiagnosticCodes.InvalidStoreConfiguration, $"Unknown store provider '{settings.Provider}'."),
        };
    }

    private static OwnedSecretStore Own<T>(T store)
        where T : ISecretStore, IDisposable => new(store, store);
}

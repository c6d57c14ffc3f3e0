using SecretStore.Configuration;
using SecretStore.Diagnostics;
using SecretStore.Keys.Rsa;
using SecretStore.Repositories.File;

namespace SecretStore.Stores;

/// <summary>Builds the embedded store (JSON file + RSA keyring) from <see cref="StoreSettings"/>.</summary>
public static class FileSecretStoreFactory
{
    /// <summary>
    /// Loads the keyring at <see cref="StoreSettings.KeyringPath"/> (with the private key from
    /// <see cref="StoreSettings.PrivateKeyEnvironmentVariable"/> when set) and opens the store file at
    /// <see cref="StoreSettings.FilePath"/>. The default key is <see cref="StoreSettings.KeyId"/> or the keyring's
    /// default. The returned store owns the keyring: dispose it. Throws <c>SSB0003</c> for incomplete settings.
    /// </summary>
    public static EnvelopeSecretStore Create(StoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Provider != StoreProvider.File)
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidStoreConfiguration, $"The file store factory cannot build a '{settings.Provider}' store.");
        }

        if (string.IsNullOrWhiteSpace(settings.FilePath))
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidStoreConfiguration, "The file store needs a store file path.");
        }

        if (string.IsNullOrWhiteSpace(settings.KeyringPath))
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidStoreConfiguration, "The file store needs a keyring folder.");
        }

        var keyring = RsaKeyring.Load(settings.KeyringPath, new RsaKeyringLoadOptions { PrivateKeyEnvironmentVariable = settings.PrivateKeyEnvironmentVariable });
        try
        {
            var options = new EnvelopeSecretStoreOptions
            {
                DefaultKeyId = settings.KeyId ?? keyring.DefaultKeyId,
                AllowV1 = settings.AllowV1,
                MaxDegreeOfParallelism = Math.Max(1, settings.MaxDegreeOfParallelism),
            };
            return new EnvelopeSecretStore(new FileSecretRepository(settings.FilePath), new RsaKeyManager(keyring, AllowedKeys(settings)), options, owned: keyring);
        }
        catch
        {
            keyring.Dispose();
            throw;
        }
    }

    /// <summary>An allow-list only when one is configured; the write key joins it then (it is always allowed).</summary>
    private static IReadOnlyList<string> AllowedKeys(StoreSettings settings) =>
        settings.AllowedKeyIds is not { Count: > 0 } listed
            ? []
            : [.. listed.Append(settings.KeyId).Where(id => !string.IsNullOrWhiteSpace(id)).Select(id => id!.Trim()).Distinct(StringComparer.Ordinal)];
}

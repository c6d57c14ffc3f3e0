using SecretStore.Aws;
using SecretStore.Configuration;
using SecretStore.Keys.Rsa;
using SecretStore.Secrets;
using SecretStore.Stores;

namespace SecretStore.Build.Tests.Infrastructure;

/// <summary>A throwaway RSA keyring and file store, made with the engine's own API.</summary>
public sealed class TestStore
{
    public const string KeyId = "test-key";

    private TestStore(string directory)
    {
        KeyringDirectory = Path.Combine(directory, "keyring");
        StoreFile = Path.Combine(directory, "secrets.json");
    }

    public string KeyringDirectory { get; }

    public string StoreFile { get; }

    /// <summary>The MSBuild properties that point a publish at this store.</summary>
    public IReadOnlyList<string> PublishProperties => [$"-p:SecretStoreFile={StoreFile}", $"-p:SecretStoreKeyring={KeyringDirectory}"];

    public static async Task<TestStore> CreateAsync(string directory, IEnumerable<(string Application, string Name, string Value)> secrets)
    {
        var store = new TestStore(directory);
        // 2048 bits: the minimum the keyring accepts, and the quickest to generate.
        RsaKeyring.Create(store.KeyringDirectory, KeyId, RsaKeyring.MinimumKeySizeInBits).Dispose();
        using var secretStore = SecretStoreFactory.Default.Open(new StoreSettings
        {
            FilePath = store.StoreFile,
            KeyringPath = store.KeyringDirectory,
        });
        foreach (var (application, name, value) in secrets)
        {
            await secretStore.SetAsync(new SecretId(application, name), value);
        }

        return store;
    }
}

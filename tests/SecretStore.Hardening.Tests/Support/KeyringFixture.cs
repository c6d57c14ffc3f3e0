using SecretStore.Aws;
using SecretStore.Keys.Rsa;
using SecretStore.Repositories.File;
using SecretStore.Stores;

namespace SecretStore.Hardening.Tests.Support;

/// <summary>One real RSA keyring (made once per test class: key generation is slow) and file stores over it.</summary>
public sealed class KeyringFixture : IDisposable
{
    public const string KeyId = "alias/hardening";

    private readonly TempDirectory _tree = new();

    public KeyringFixture()
    {
        KeyringPath = System.IO.Path.Combine(_tree.Path, "keyring");
        RsaKeyring.Create(KeyringPath, KeyId).Dispose();
    }

    public string KeyringPath { get; }

    /// <summary>A file store over a new store file in <paramref name="folder"/> (or a given path).</summary>
    public EnvelopeSecretStore OpenFileStore(string storePath, bool allowV1 = false) =>
        SecretStoreFactory.Default.Open(new Configuration.StoreSettings
        {
            Storage = Configuration.StorageKind.File,
            FilePath = storePath,
            KeyringPath = KeyringPath,
            AllowV1 = allowV1,
        });

    public static FileSecretRepository Repository(string storePath) => new(storePath);

    public void Dispose() => _tree.Dispose();
}

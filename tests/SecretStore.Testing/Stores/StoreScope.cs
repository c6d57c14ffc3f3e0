using SecretStore.Keys;
using SecretStore.Keys.Rsa;
using SecretStore.Repositories;
using SecretStore.Repositories.File;
using SecretStore.Stores;

namespace SecretStore.Testing.Stores;

/// <summary>A file store with its own copy of the test keyring, in a temp folder.</summary>
public sealed class StoreScope : IDisposable
{
    private readonly TempDirectory _temp = new();

    public StoreScope(EnvelopeSecretStoreOptions? options = null)
    {
        KeyringPath = TestKeyrings.CopyTo(_temp.Combine("keyring"));
        StorePath = _temp.Combine("secrets.json");
        Keyring = RsaKeyring.Load(KeyringPath);
        KeyManager = new RsaKeyManager(Keyring);
        Repository = new FileSecretRepository(StorePath);
        // Most tests of this project run for v1 and v2 alike, so the scope's store opts in to v1; tests of the
        // default policy open a store with default options (OpenStore).
        Store = new EnvelopeSecretStore(Repository, KeyManager, options ?? new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId, AllowV1 = true });
    }

    public string KeyringPath { get; }

    public string StorePath { get; }

    public RsaKeyring Keyring { get; }

    public IKeyManager KeyManager { get; }

    public IProtectedSecretRepository Repository { get; }

    public EnvelopeSecretStore Store { get; }

    public string Combine(params string[] parts) => _temp.Combine(parts);

    public EnvelopeSecretStore OpenStore(RsaKeyring keyring, EnvelopeSecretStoreOptions? options = null) =>
        new(Repository, new RsaKeyManager(keyring), options ?? new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId, AllowV1 = true });

    public void Dispose()
    {
        Keyring.Dispose();
        _temp.Dispose();
    }
}

using Amazon.DynamoDBv2;
using SecretStore.Aws;
using SecretStore.Aws.Kms;
using SecretStore.Aws.Tests.Infrastructure;
using SecretStore.Configuration;
using SecretStore.Diagnostics;
using SecretStore.Keys;
using SecretStore.Keys.Rsa;
using SecretStore.Repositories;
using SecretStore.Repositories.File;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Testing.Stores;

namespace SecretStore.Aws.Tests;

public sealed class SecretStoreFactoryTests
{
    private static readonly SecretId Db = new("acme-web", "Db");

    [Fact]
    public void Settings_are_required()
    {
        Assert.Equal("settings", Assert.Throws<ArgumentNullException>(() => SecretStoreFactory.Default.Open(null!)).ParamName);
    }

    [Fact]
    public void An_unknown_storage_or_protection_is_SSB0003_listing_the_forms()
    {
        using var scope = new StoreScope();

        var storage = Assert.Throws<SecretStoreException>(() => SecretStoreFactory.Default.Open(Settings(scope) with { Storage = (StorageKind)42 }));
        var protection = Assert.Throws<SecretStoreException>(() => SecretStoreFactory.Default.Open(Settings(scope) with { Protection = (ProtectionKind)42 }));

        Assert.Equal($"SSB0003: Unknown storage '42'; use {StoreSpec.StorageForms}.", storage.Message);
        Assert.Equal($"SSB0003: Unknown protection '42'; use {StoreSpec.ProtectionForms}.", protection.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(" ")]
    public void A_missing_store_path_or_keyring_folder_is_SSB0003_saying_which(string? missing)
    {
        using var scope = new StoreScope();

        var noFile = Assert.Throws<SecretStoreException>(() => SecretStoreFactory.Default.Open(Settings(scope) with { FilePath = missing }));
        var noKeyring = Assert.Throws<SecretStoreException>(() => SecretStoreFactory.Default.Open(Settings(scope) with { KeyringPath = missing }));

        Assert.Equal("SSB0003: File storage needs a store file path (file:<path>).", noFile.Message);
        Assert.Equal("SSB0003: RSA protection needs a keyring folder (rsa:<folder>); create one with 'secretstore keys init'.", noKeyring.Message);
    }

    [Fact]
    public void The_store_takes_the_keyring_default_key_the_v1_opt_in_and_the_parallelism_from_the_settings()
    {
        using var scope = new StoreScope();

        using var store = SecretStoreFactory.Default.Open(Settings(scope) with { AllowV1 = true, MaxDegreeOfParallelism = 3 });

        Assert.Equal(new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId, AllowV1 = true, MaxDegreeOfParallelism = 3 }, store.Options);
        Assert.Equal(scope.StorePath, Assert.IsType<FileSecretRepository>(store.Repository).FilePath);
    }

    [Fact]
    public void A_key_id_in_the_settings_wins_over_the_keyring_default_and_parallelism_is_at_least_one()
    {
        using var scope = new StoreScope();

        using var store = SecretStoreFactory.Default.Open(Settings(scope) with { KeyId = TestKeyrings.SecondKeyId, MaxDegreeOfParallelism = 0 });

        Assert.Equal(new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.SecondKeyId, AllowV1 = false, MaxDegreeOfParallelism = 1 }, store.Options);
    }

    [Fact]
    public async Task The_allow_list_is_trimmed_without_blank_entries_and_refuses_other_keys_with_SSB3012()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(Db, "x");

        using var store = SecretStoreFactory.Default.Open(Settings(scope) with { AllowedKeyIds = [$" {TestKeyrings.SecondKeyId} ", "  ", TestKeyrings.SecondKeyId] });
        var ex = await Assert.ThrowsAsync<SecretStoreException>(() => store.GetAsync(Db));

        Assert.Equal("SSB3012: The record of 'acme-web/Db' is protected by keyring key 'alias/acme-alpha', which is not one of the reader's allowed master keys (alias/acme-beta); it was not unwrapped.", ex.Message);
    }

    [Fact]
    public async Task The_write_key_joins_a_configured_allow_list()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(Db, "x");

        using var store = SecretStoreFactory.Default.Open(Settings(scope) with { KeyId = TestKeyrings.PrimaryKeyId, AllowedKeyIds = [TestKeyrings.SecondKeyId] });

        Assert.Equal("x", (await store.GetAsync(Db)).Value);
    }

    [Fact]
    public void A_store_path_the_repository_refuses_is_thrown_after_the_keyring_was_loaded()
    {
        using var scope = new StoreScope();

        Assert.Throws<ArgumentException>(() => SecretStoreFactory.Default.Open(Settings(scope) with { FilePath = "bad\0path.json" }));
    }

    [Fact]
    public void Disposing_the_store_disposes_the_keyring_it_loaded()
    {
        using var scope = new StoreScope();
        var store = SecretStoreFactory.Default.Open(Settings(scope));
        var keyring = Assert.IsType<RsaKeyManager>(store.KeyManager).Keyring;

        store.Dispose();

        Assert.Throws<ObjectDisposedException>(() => keyring.ExportPublicKeyPem(TestKeyrings.PrimaryKeyId));
    }

    [Fact]
    public async Task Disposing_a_DynamoDb_and_KMS_store_disposes_the_KMS_manager_and_the_DynamoDB_client_it_made()
    {
        // Both endpoints refuse connections: a part that was not disposed would try to connect and fail otherwise.
        var store = SecretStoreFactory.Default.Open(new StoreSettings
        {
            Storage = StorageKind.DynamoDb,
            Table = "secrets",
            ServiceUrl = ClosedLoopbackPort.NewUrl().ToString(),
            Protection = ProtectionKind.Kms,
            KmsServiceUrl = ClosedLoopbackPort.NewUrl().ToString(),
            KeyId = "alias/orders",
        });
        var keyManager = store.KeyManager;
        var repository = store.Repository;

        store.Dispose();

        // The KMS client inside the manager cannot be seen without reflection: the disposed manager refuses first.
        var kms = await Assert.ThrowsAsync<ObjectDisposedException>(() => keyManager.GenerateDataKeyAsync("alias/orders", 32, EncryptionContext.Empty, ProtectedSecretFormat.V2));
        var dynamoDb = await Assert.ThrowsAsync<SecretStoreException>(() => repository.GetAsync(Db));
        Assert.Equal(typeof(KmsKeyManager).FullName, kms.ObjectName);
        Assert.Equal("SSB0099: DynamoDB GetItem on table 'secrets' failed unexpectedly (ObjectDisposedException).", dynamoDb.Message);
        Assert.Equal(typeof(AmazonDynamoDBClient).FullName, Assert.IsType<ObjectDisposedException>(dynamoDb.InnerException).ObjectName);
    }

    private static StoreSettings Settings(StoreScope scope) => new()
    {
        FilePath = scope.StorePath,
        KeyringPath = scope.KeyringPath,
    };
}

using SecretStore.Aws.Kms;
using SecretStore.Aws.Tests.Infrastructure;
using SecretStore.Diagnostics;
using SecretStore.Testing.Repositories;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Testing.Aws.Kms;

namespace SecretStore.Aws.Tests.Kms;

/// <summary>
/// Issue 23 section 2: a table writer who holds another KMS key the reader's role may decrypt with plants a
/// record under that key, with a consistent context. The reader's allow-list refuses it before KMS Decrypt.
/// </summary>
public sealed class MasterKeyAllowListTests : IClassFixture<KmsServerFixture>
{
    private const string Planted = "Password=planted-by-the-table-writer";
    private const string Genuine = "Password=the-genuine-value";
    private readonly KmsServerFixture _kms;

    public MasterKeyAllowListTests(KmsServerFixture kms)
    {
        _kms = kms;
        kms.Server.ClearFaults();
    }

    private KmsFixtureServer Server => _kms.Server;

    [Fact]
    public async Task Record_planted_under_a_second_decryptable_key_is_refused_with_SSB3012_before_any_Decrypt()
    {
        var (expected, foreign) = (Server.CreateKey(), Server.CreateKey());
        var repository = new InMemorySecretRepository();
        var id = new SecretId("shop", "Db");
        await PlantAsync(repository, id, foreign.Arn, Planted);
        using var reader = Reader(repository, expected.Arn);
        Server.ResetCounters();

        var error = await Assert.ThrowsAnyAsync<SecretStoreException>(() => reader.GetAsync(id));

        Assert.Equal("SSB3012", error.Code.Id);
        Assert.Contains(foreign.Arn, error.Message, StringComparison.Ordinal);
        Assert.Contains("'shop/Db'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Planted, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, Server.RequestCount("Decrypt"));
    }

    [Fact]
    public async Task Get_many_with_one_planted_record_is_refused_with_SSB3012_before_any_Decrypt_even_for_the_good_ones()
    {
        var (expected, foreign) = (Server.CreateKey(), Server.CreateKey());
        var repository = new InMemorySecretRepository();
        await PlantAsync(repository, new SecretId("shop", "Api"), expected.Arn, Genuine);
        await PlantAsync(repository, new SecretId("shop", "Db"), foreign.Arn, Planted);
        using var reader = Reader(repository, expected.Arn);
        Server.ResetCounters();

        var error = await Assert.ThrowsAnyAsync<SecretStoreException>(() =>
            reader.GetManyAsync([new SecretId("shop", "Api"), new SecretId("shop", "Db")]));

        Assert.Equal("SSB3012", error.Code.Id);
        Assert.Equal(0, Server.RequestCount("Decrypt"));
    }

    [Fact]
    public async Task An_alias_in_the_allow_list_admits_records_under_its_key_ARN_and_its_own_text_but_not_another_key()
    {
        var expected = Server.CreateKey("allow-" + Guid.NewGuid().ToString("N"));
        var foreign = Server.CreateKey("foreign-" + Guid.NewGuid().ToString("N"));
        var repository = new InMemorySecretRepository();
        await PlantAsync(repository, new SecretId("shop", "ByArn"), expected.Arn, Genuine);
        await PlantAsync(repository, new SecretId("shop", "ByAlias"), expected.AliasName!, Genuine);
        await PlantAsync(repository, new SecretId("shop", "Foreign"), foreign.AliasName!, Planted);
        using var reader = Reader(repository, expected.AliasName!);

        Assert.Equal(Genuine, (await reader.GetAsync(new SecretId("shop", "ByArn"))).Value);
        Assert.Equal(Genuine, (await reader.GetAsync(new SecretId("shop", "ByAlias"))).Value);
        Server.ResetCounters();
        var error = await Assert.ThrowsAnyAsync<SecretStoreException>(() => reader.GetAsync(new SecretId("shop", "Foreign")));

        Assert.Equal("SSB3012", error.Code.Id);
        Assert.Equal(0, Server.RequestCount("Decrypt"));
    }

    [Fact]
    public async Task Reading_with_neither_KeyId_nor_AllowedKeyIds_is_refused_with_SSB3013_naming_both_settings()
    {
        var key = Server.CreateKey();
        var repository = new InMemorySecretRepository();
        var id = new SecretId("shop", "Db");
        await PlantAsync(repository, id, key.Arn, Genuine);
        using var keyManager = new KmsKeyManager(_kms.Client);
        using var reader = new EnvelopeSecretStore(repository, keyManager, new EnvelopeSecretStoreOptions());
        Server.ResetCounters();

        var error = await Assert.ThrowsAnyAsync<SecretStoreException>(() => reader.GetAsync(id));

        Assert.Equal("SSB3013", error.Code.Id);
        Assert.Contains("KeyId", error.Message, StringComparison.Ordinal);
        Assert.Contains("AllowedKeyIds", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, Server.RequestCount("Decrypt"));
    }

    [Fact]
    public async Task List_flags_records_under_keys_outside_the_allow_list_without_any_Decrypt()
    {
        var (expected, foreign) = (Server.CreateKey(), Server.CreateKey());
        var repository = new InMemorySecretRepository();
        await PlantAsync(repository, new SecretId("shop", "Api"), expected.Arn, Genuine);
        await PlantAsync(repository, new SecretId("shop", "Db"), foreign.Arn, Planted);
        using var reader = Reader(repository, expected.Arn);
        Server.ResetCounters();

        var listed = await reader.ListAsync("shop");

        Assert.Equal([("Api", true), ("Db", false)], listed.Select(m => (m.Id.Name, m.IsKeyAllowed == true)).ToArray());
        Assert.Equal(0, Server.RequestCount("Decrypt"));
    }

    [Fact]
    public void The_settings_allow_the_configured_KeyId_and_every_AllowedKeyIds_entry()
    {
        var settings = new Configuration.StoreSettings { KeyId = " key-a ", AllowedKeyIds = ["key-b", "key-a", " "] };

        Assert.Equal(["key-a", "key-b"], KmsKeyManager.AllowedKeys(settings));
    }

    /// <summary>The table writer's side: he may use any key he holds, and writes a consistent record under it.</summary>
    private async Task PlantAsync(InMemorySecretRepository repository, SecretId id, string keyId, string value)
    {
        using var keyManager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = [keyId] });
        using var writer = new EnvelopeSecretStore(repository, keyManager, new EnvelopeSecretStoreOptions { DefaultKeyId = keyId });
        await writer.SetAsync(id, value);
    }

    private EnvelopeSecretStore Reader(InMemorySecretRepository repository, string keyId) =>
        new(repository, new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = [keyId] }), new EnvelopeSecretStoreOptions { DefaultKeyId = keyId });
}

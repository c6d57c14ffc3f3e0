using System.Text.Json.Nodes;
using SecretStore.Diagnostics;
using SecretStore.Formats;
using SecretStore.Keys;
using SecretStore.Keys.Rsa;
using SecretStore.Repositories;
using SecretStore.Repositories.File;
using SecretStore.Repositories.Import;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Testing.Stores;
using SecretStore.Tests.Support;

namespace SecretStore.Tests.Stores;

/// <summary>
/// Store ids: a store made by this version has one, its records are bound to it, and a record copied into another
/// store that shares the key is refused (SSB3014) before anything is unwrapped. Stores and records from before stay readable.
/// </summary>
public sealed class StoreIdTests : IDisposable
{
    private const string Value = "staging-only-value";
    private static readonly SecretId Db = new("web", "Db");
    private readonly StoreScope _scope = new();

    public void Dispose() => _scope.Dispose();

    [Fact]
    public async Task A_new_store_file_gets_a_store_id_that_its_records_are_bound_to()
    {
        var written = await _scope.Store.SetAsync(Db, Value);

        var storeId = (string?)JsonNode.Parse(File.ReadAllText(_scope.StorePath))!["storeId"];
        Assert.True(StoreIds.IsWellFormed(storeId));
        Assert.Equal(storeId, written.StoreId);
        Assert.Equal(storeId, await _scope.Repository.GetStoreIdAsync());
        Assert.Equal(storeId, V3Envelope.Parse((await _scope.Repository.GetAsync(Db))!.Envelope!, "Db").Context.ValueOf(EncryptionContext.StoreKey));
        Assert.Equal(storeId, (await _scope.Store.GetAsync(Db)).Metadata.StoreId);

        // The id is written once: later writes leave its line as it was.
        var before = File.ReadAllLines(_scope.StorePath)[2];
        await _scope.Store.SetAsync(new SecretId("web", "Other"), "x");
        await _scope.Store.DeleteAsync(Db);
        Assert.Equal(before, File.ReadAllLines(_scope.StorePath)[2]);
        Assert.Equal($"  \"storeId\": \"{storeId}\",", before);
    }

    [Fact]
    public async Task A_record_copied_into_another_store_with_the_same_key_is_refused_before_any_unwrap()
    {
        await _scope.Store.SetAsync(Db, Value);
        var production = new FileSecretRepository(_scope.Combine("production.json"));
        var keyManager = new CountingKeyManager(_scope.KeyManager);
        var productionStore = new EnvelopeSecretStore(production, keyManager, new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId });
        await productionStore.SetAsync(Db, "production value");
        var copied = (await _scope.Repository.GetAsync(Db))!;
        var current = (await production.GetAsync(Db))!;
        await production.SaveAsync(copied, current.Revision);

        var ex = await Assert.ThrowsAsync<InvalidProtectedDataException>(() => productionStore.GetAsync(Db));

        Assert.Equal("SSB3014", ex.Code.Id);
        Assert.Contains($"was written for store '{await _scope.Repository.GetStoreIdAsync()}', but this store is '{await production.GetStoreIdAsync()}'", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Value, ex.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, keyManager.Unwraps);
        var many = await Assert.ThrowsAsync<InvalidProtectedDataException>(() => productionStore.GetManyAsync([Db]));
        Assert.Equal("SSB3014", many.Code.Id);
        Assert.Equal(0, keyManager.Unwraps);
    }

    [Fact]
    public async Task A_bound_record_copied_into_a_store_without_an_id_is_refused()
    {
        await _scope.Store.SetAsync(Db, Value);
        var old = _scope.Combine("old.json");
        File.WriteAllText(old, "{\"version\":1,\"secrets\":[]}");
        var oldRepository = new FileSecretRepository(old);
        await oldRepository.SaveAsync((await _scope.Repository.GetAsync(Db))!, 0);

        var ex = await Assert.ThrowsAsync<InvalidProtectedDataException>(() => new EnvelopeSecretStore(oldRepository, _scope.KeyManager, new EnvelopeSecretStoreOptions()).GetAsync(Db));

        Assert.Equal("SSB3014", ex.Code.Id);
        Assert.Contains("this store has no store id", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Removing_the_store_binding_from_a_record_fails_authentication_even_re_signed()
    {
        await _scope.Store.SetAsync(Db, Value);
        var record = (await _scope.Repository.GetAsync(Db))!;
        var envelope = V3Envelope.Parse(record.Envelope!, "Db");
        var signer = _scope.KeyManager.EnvelopeSigner!;
        var header = V3Envelope.EncodeHeader(EncryptionContext.ForRecord(Db, storeId: null), envelope.Recipients, signed: true);
        var forged = V3Envelope.Encode(header, envelope.Nonce, envelope.Ciphertext, envelope.Tag, signer);
        var other = new FileSecretRepository(_scope.Combine("unbound.json"));
        await other.SaveAsync(record with { Envelope = forged }, 0);

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => new EnvelopeSecretStore(other, _scope.KeyManager, new EnvelopeSecretStoreOptions()).GetAsync(Db));

        // The wrapped key was made for the bound context: the keyring refuses it (SSB3003) before AES-GCM would.
        Assert.Equal("SSB3003", ex.Code.Id);
        Assert.DoesNotContain(Value, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_with_records_but_no_id_keeps_writing_unbound_records_until_one_is_created()
    {
        File.WriteAllText(_scope.StorePath, "{\"version\":1,\"secrets\":[]}");
        await _scope.Repository.SaveAsync(new ProtectedSecretRecord { Id = new SecretId("web", "Seed"), Format = ProtectedSecretFormat.V2, MasterKeyId = "k", Envelope = [1] }, 0);
        await _scope.Store.SetAsync(Db, Value);
        Assert.Null(await _scope.Repository.GetStoreIdAsync());
        Assert.Null((await _scope.Store.GetAsync(Db)).Metadata.StoreId);

        var created = await _scope.Repository.EnsureStoreIdAsync(createForExisting: true);

        Assert.True(StoreIds.IsWellFormed(created));
        Assert.Equal(created, await _scope.Repository.EnsureStoreIdAsync(createForExisting: true));
        var reopened = _scope.OpenStore(_scope.Keyring);
        Assert.Equal(Value, (await reopened.GetAsync(Db)).Value);
        Assert.Equal(created, (await reopened.SetAsync(new SecretId("web", "New"), "y")).StoreId);
        Assert.Equal("y", (await reopened.GetAsync(new SecretId("web", "New"))).Value);
    }

    [Fact]
    public async Task Two_writers_creating_one_store_agree_on_its_id_or_conflict()
    {
        var first = new EnvelopeSecretStore(new FileSecretRepository(_scope.StorePath), _scope.KeyManager, new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId });
        var secondRepository = new FileSecretRepository(_scope.StorePath);

        // The second writer took an id for a new store and sealed a record for it; the first created the file meanwhile.
        var pending = await secondRepository.EnsureStoreIdAsync();
        await first.SetAsync(Db, Value);
        var record = new ProtectedSecretRecord { Id = new SecretId("web", "B"), Format = ProtectedSecretFormat.V2, MasterKeyId = "k", Envelope = [1] };

        var ex = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => secondRepository.SaveAsync(record, 0));

        Assert.Equal("SSB2002", ex.Code.Id);
        var actual = await secondRepository.GetStoreIdAsync();
        Assert.NotEqual(pending, actual);
        Assert.Null(await secondRepository.GetAsync(record.Id));

        // Retried through the store, the write is bound to the id the file has.
        var second = new EnvelopeSecretStore(secondRepository, _scope.KeyManager, new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId });
        var retried = await second.SetAsync(record.Id, "b");
        Assert.Equal(actual, retried.StoreId);
        Assert.Equal("b", (await first.GetAsync(record.Id)).Value);
    }

    [Theory]
    [InlineData("\"storeId\": 5")]
    [InlineData("\"storeId\": \"short\"")]
    [InlineData("\"storeId\": \"has space in it\"")]
    public async Task A_malformed_store_id_is_SSB2004(string member)
    {
        File.WriteAllText(_scope.StorePath, "{\"version\":1," + member + ",\"secrets\":[]}");

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => _scope.Repository.GetStoreIdAsync().AsTask());

        Assert.Equal("SSB2004", ex.Code.Id);
        Assert.Equal("SSB2004", (await Assert.ThrowsAnyAsync<SecretStoreException>(() => _scope.Store.SetAsync(Db, Value))).Code.Id);
    }

    [Fact]
    public async Task Importing_a_stores_records_into_a_new_store_moves_its_id_with_them()
    {
        await _scope.Store.SetAsync(Db, Value);
        var records = await _scope.Repository.QueryByApplicationAsync("web");
        var moved = new FileSecretRepository(_scope.Combine("moved.json"));

        await ProtectedSecretImporter.ImportAsync(moved, records);

        Assert.Equal(await _scope.Repository.GetStoreIdAsync(), await moved.GetStoreIdAsync());
        Assert.Equal(Value, (await new EnvelopeSecretStore(moved, _scope.KeyManager, new EnvelopeSecretStoreOptions()).GetAsync(Db)).Value);
    }

    [Fact]
    public async Task Importing_bound_records_into_a_store_with_another_id_is_SSB3014_and_nothing_is_written()
    {
        await _scope.Store.SetAsync(Db, Value);
        var records = await _scope.Repository.QueryByApplicationAsync("web");
        var otherPath = _scope.Combine("other.json");
        var other = new EnvelopeSecretStore(new FileSecretRepository(otherPath), _scope.KeyManager, new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId });
        await other.SetAsync(new SecretId("web", "Own"), "own");
        var before = File.ReadAllBytes(otherPath);

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => ProtectedSecretImporter.ImportAsync(other.Repository, records, new ProtectedSecretImportOptions { Overwrite = true }));

        Assert.Equal("SSB3014", ex.Code.Id);
        Assert.Contains("Secret 'web/Db' is bound to store", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(otherPath));
    }
}

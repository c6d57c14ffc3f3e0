using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using SecretStore.Aws.DynamoDb;
using SecretStore.Aws.Kms;
using SecretStore.Aws.Tests.Infrastructure;
using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Repositories.Import;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Testing.Aws.DynamoDb;
using SecretStore.Testing.Aws.Kms;

namespace SecretStore.Aws.Tests.DynamoDb;

/// <summary>
/// The store id of a DynamoDB table (docs/format.md, "Store id"): one item of the history table, made by <c>table
/// create</c> for a new table or on request for an older one; a record copied between two tables under one KMS key is
/// refused (SSB3014) before any Decrypt. Against DynamoDB Local and the KMS fixture.
/// </summary>
public sealed class DynamoDbStoreIdTests : IClassFixture<KmsServerFixture>, IAsyncLifetime
{
    private const string Value = "Password=staging-only";
    private static readonly SecretId Db = new("orders", "Db");
    private readonly KmsServerFixture _kms;
    private readonly List<string> _tables = [];
    private AmazonDynamoDBClient _client = null!;

    public DynamoDbStoreIdTests(KmsServerFixture kms)
    {
        _kms = kms;
        kms.Server.ClearFaults();
    }

    public async Task InitializeAsync() => _client = await DynamoDbLocal.CreateClientAsync();

    public async Task DisposeAsync()
    {
        foreach (var table in _tables.SelectMany(t => new[] { t, HistoryTableAttributes.DefaultTableName(t) }))
        {
            try
            {
                await _client.DeleteTableAsync(table);
            }
            catch (ResourceNotFoundException)
            {
            }
        }

        _client.Dispose();
    }

    [Fact]
    public async Task A_new_table_gets_a_store_id_its_records_are_bound_to()
    {
        var table = await NewTableAsync();
        var key = _kms.Server.CreateKey();

        var storeId = await table.GetStoreIdAsync();
        using var store = Store(table, key.Arn);
        var written = await store.SetAsync(Db, Value);

        Assert.True(StoreIds.IsWellFormed(storeId), storeId);
        Assert.Equal(storeId, written.StoreId);
        Assert.Equal(storeId, (await store.GetAsync(Db)).Metadata.StoreId);
        Assert.Equal(["orders"], await table.ListApplicationsAsync());
        Assert.Equal(storeId, await table.EnsureStoreIdAsync(createForExisting: true));
    }

    [Fact]
    public async Task A_record_copied_between_two_tables_under_one_KMS_key_is_refused_before_any_Decrypt()
    {
        var (staging, production) = (await NewTableAsync(), await NewTableAsync());
        var key = _kms.Server.CreateKey();
        using (var writer = Store(staging, key.Arn))
        {
            await writer.SetAsync(Db, Value);
        }

        using var productionStore = Store(production, key.Arn);
        await productionStore.SetAsync(Db, "Password=production");
        await production.SaveAsync((await staging.GetAsync(Db))!, 1);
        _kms.Server.ResetCounters();

        var ex = await Assert.ThrowsAsync<InvalidProtectedDataException>(() => productionStore.GetAsync(Db));

        Assert.Equal("SSB3014", ex.Code.Id);
        Assert.Contains($"was written for store '{await staging.GetStoreIdAsync()}', but this store is '{await production.GetStoreIdAsync()}'", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Value, ex.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, _kms.Server.RequestCount("Decrypt"));
    }

    [Fact]
    public async Task An_older_table_writes_unbound_records_until_its_id_is_created_and_two_creators_agree()
    {
        var table = await NewTableAsync();
        await DeleteStoreItemAsync(table);
        var key = _kms.Server.CreateKey();
        using var store = Store(table, key.Arn);
        var unbound = await store.SetAsync(Db, Value);
        Assert.Null(unbound.StoreId);
        Assert.Null(await table.EnsureStoreIdAsync());

        var created = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => table.EnsureStoreIdAsync(createForExisting: true).AsTask()));

        Assert.Single(created.Distinct());
        Assert.True(StoreIds.IsWellFormed(created[0]));
        Assert.Equal(Value, (await store.GetAsync(Db)).Value);
        var rewrapped = Assert.Single(await SecretRewrapper.RewrapAsync(store, "orders", new RewrapOptions()));
        Assert.True(rewrapped.Changed);
        Assert.Equal(created[0], rewrapped.After.StoreId);
        Assert.Equal(created[0], (await store.GetAsync(Db)).Metadata.StoreId);
    }

    [Fact]
    public async Task Import_into_a_new_table_moves_the_store_id_and_into_another_store_is_SSB3014()
    {
        var source = await NewTableAsync();
        var key = _kms.Server.CreateKey();
        using (var writer = Store(source, key.Arn))
        {
            await writer.SetAsync(Db, Value);
        }

        var records = await source.QueryByApplicationAsync("orders");

        // A table made by hand (no store item) with no records is a new store: it takes the source's id.
        var target = await NewTableAsync(withStoreItem: false);
        await ProtectedSecretImporter.ImportAsync(target, records);
        Assert.Equal(await source.GetStoreIdAsync(), await target.GetStoreIdAsync());
        using (var moved = Store(target, key.Arn))
        {
            Assert.Equal(Value, (await moved.GetAsync(Db)).Value);
        }

        var other = await NewTableAsync();
        var refused = await Assert.ThrowsAnyAsync<SecretStoreException>(() => ProtectedSecretImporter.ImportAsync(other, records));
        Assert.Equal("SSB3014", refused.Code.Id);
        Assert.Empty(await other.QueryByApplicationAsync("orders"));
    }

    [Fact]
    public async Task A_store_item_without_a_valid_id_is_SSB3002_for_bound_records()
    {
        var table = await NewTableAsync();
        var key = _kms.Server.CreateKey();
        using var store = Store(table, key.Arn);
        await store.SetAsync(Db, Value);
        await _client.PutItemAsync(new PutItemRequest
        {
            TableName = table.HistoryTableName,
            Item = new(StoreItemKey()) { [HistoryTableAttributes.StoreId] = new AttributeValue { S = "x" } },
        });
        using var reader = Store(table, key.Arn);

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => reader.GetAsync(Db));

        Assert.Equal("SSB3002", ex.Code.Id);
        Assert.Contains("holds no valid store id", ex.Message, StringComparison.Ordinal);
    }

    private async Task<DynamoDbSecretRepository> NewTableAsync(bool withStoreItem = true)
    {
        var name = DynamoDbLocal.UniqueTableName("storeid");
        _tables.Add(name);
        var repository = new DynamoDbSecretRepository(_client, name);
        await repository.CreateTableAsync(TimeSpan.FromSeconds(30));
        if (!withStoreItem)
        {
            await DeleteStoreItemAsync(repository);
        }

        return repository;
    }

    /// <summary>The key of the history table's store item (docs/format.md, "Store id").</summary>
    private static Dictionary<string, AttributeValue> StoreItemKey() => new()
    {
        [SecretTableAttributes.ApplicationName] = new AttributeValue { S = HistoryTableAttributes.StorePartition },
        [HistoryTableAttributes.SecretRevision] = new AttributeValue { S = HistoryTableAttributes.StoreSortKey },
    };

    /// <summary>Makes a table look like one from before store ids.</summary>
    private Task DeleteStoreItemAsync(DynamoDbSecretRepository table) =>
        _client.DeleteItemAsync(new DeleteItemRequest { TableName = table.HistoryTableName, Key = StoreItemKey() });

    private EnvelopeSecretStore Store(DynamoDbSecretRepository repository, string keyArn) =>
        new(repository, new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = [keyArn] }), new EnvelopeSecretStoreOptions { DefaultKeyId = keyArn }, ownsComponents: false);
}

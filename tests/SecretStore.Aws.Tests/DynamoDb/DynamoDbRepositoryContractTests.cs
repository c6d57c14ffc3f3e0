using Amazon.DynamoDBv2.Model;
using SecretStore.Aws.DynamoDb;
using SecretStore.Aws.Tests.Infrastructure;
using SecretStore.Repositories;
using SecretStore.Repositories.History;
using SecretStore.Testing.Repositories;

namespace SecretStore.Aws.Tests.DynamoDb;

/// <summary>
/// The repository contract (<see cref="RepositoryContract"/>) on DynamoDB Local: one table for the class (made by
/// <c>table create</c>, so it has a store id), fresh application names per fact, and a table of its own, without a
/// store item, for each store-id fact.
/// </summary>
public sealed class DynamoDbRepositoryContractTests(SecretTableFixture table) : RepositoryContract, IClassFixture<SecretTableFixture>, IAsyncLifetime
{
    private readonly List<string> _tables = [];

    protected override StoreIdOrigin StoreIdOrigin => StoreIdOrigin.Creation;

    protected override Task<IProtectedSecretRepository> CreateRepositoryAsync(HistoryOptions? history = null) =>
        Task.FromResult<IProtectedSecretRepository>(table.NewRepository(new DynamoDbSecretRepositoryOptions { History = history ?? new HistoryOptions() }));

    /// <summary>A new table as one made by hand looks: both tables, no store item.</summary>
    protected override async Task<IProtectedSecretRepository> CreateEmptyStoreAsync()
    {
        var name = Testing.Aws.DynamoDb.DynamoDbLocal.UniqueTableName("contract");
        _tables.Add(name);
        var repository = new DynamoDbSecretRepository(table.Client, name);
        await repository.CreateTableAsync(TimeSpan.FromSeconds(30));
        await table.Client.DeleteItemAsync(new DeleteItemRequest
        {
            TableName = repository.HistoryTableName,
            Key = new()
            {
                [SecretTableAttributes.ApplicationName] = new AttributeValue { S = HistoryTableAttributes.StorePartition },
                [HistoryTableAttributes.SecretRevision] = new AttributeValue { S = HistoryTableAttributes.StoreSortKey },
            },
        });
        return repository;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var name in _tables.SelectMany(t => new[] { t, HistoryTableAttributes.DefaultTableName(t) }))
        {
            try
            {
                await table.Client.DeleteTableAsync(name);
            }
            catch (ResourceNotFoundException)
            {
            }
        }
    }
}

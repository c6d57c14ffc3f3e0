using SecretStore.PostgreSql;
using SecretStore.Repositories;
using SecretStore.Repositories.History;
using SecretStore.Testing.Repositories;

namespace SecretStore.PostgreSql.Tests.Repository;

/// <summary>
/// The repository contract (<see cref="RepositoryContract"/>) on the real PostgreSQL server: one database for the class
/// with the schema made by <c>table create</c>'s method, fresh application names per fact, and a new schema of its own for
/// each store-id fact (a new store gets its id from its first write, as a store file does).
/// </summary>
public sealed class PostgreSqlRepositoryContractTests(StoreDatabaseFixture database) : RepositoryContract, IClassFixture<StoreDatabaseFixture>
{
    private int _schemas;

    protected override StoreIdOrigin StoreIdOrigin => StoreIdOrigin.FirstWrite;

    protected override Task<IProtectedSecretRepository> CreateRepositoryAsync(HistoryOptions? history = null) =>
        Task.FromResult<IProtectedSecretRepository>(database.NewRepository(new PostgreSqlSecretRepositoryOptions { History = history ?? new HistoryOptions() }));

    /// <summary>A schema just made by 'table create': every table, no store row yet.</summary>
    protected override async Task<IProtectedSecretRepository> CreateEmptyStoreAsync()
    {
        var schema = $"empty_{Guid.NewGuid():N}_{Interlocked.Increment(ref _schemas)}";
        var repository = database.NewRepository(new PostgreSqlSecretRepositoryOptions { Schema = schema });
        Assert.True(await repository.CreateSchemaAsync());
        return database.NewRepository(new PostgreSqlSecretRepositoryOptions { Schema = schema });
    }
}

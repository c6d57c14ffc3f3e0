using SecretStore.PostgreSql;
using SecretStore.Repositories;
using SecretStore.Repositories.History;
using SecretStore.Testing.Repositories;

namespace SecretStore.PostgreSql.Tests.Repository;

/// <summary>
/// The repository contract (<see cref="RepositoryContract"/>) on the real PostgreSQL server: one database for the class
/// with the schema made by <c>table create</c>'s method (so it has a store id), fresh application names per fact, and a
/// schema of its own, without its store row, for each store-id fact.
/// </summary>
public sealed class PostgreSqlRepositoryContractTests(StoreDatabaseFixture database) : RepositoryContract, IClassFixture<StoreDatabaseFixture>
{
    private int _schemas;

    protected override StoreIdOrigin StoreIdOrigin => StoreIdOrigin.Creation;

    protected override Task<IProtectedSecretRepository> CreateRepositoryAsync(HistoryOptions? history = null) =>
        Task.FromResult<IProtectedSecretRepository>(database.NewRepository(new PostgreSqlSecretRepositoryOptions { History = history ?? new HistoryOptions() }));

    /// <summary>A schema as one made by hand from docs/postgres.md looks: every table, no store row.</summary>
    protected override async Task<IProtectedSecretRepository> CreateEmptyStoreAsync()
    {
        var schema = $"empty_{Guid.NewGuid():N}_{Interlocked.Increment(ref _schemas)}";
        var repository = database.NewRepository(new PostgreSqlSecretRepositoryOptions { Schema = schema });
        Assert.True(await repository.CreateSchemaAsync());
        await database.ExecuteAsync($"DELETE FROM \"{schema}\".store");
        return database.NewRepository(new PostgreSqlSecretRepositoryOptions { Schema = schema });
    }
}

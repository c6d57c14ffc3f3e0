using Npgsql;
using SecretStore.PostgreSql;
using SecretStore.Testing.PostgreSql;

namespace SecretStore.PostgreSql.Tests.Repository;

/// <summary>
/// One database per test class (CREATE DATABASE costs about half a second), with the store schema made by the
/// repository itself, and one connection pool that every repository of the class shares.
/// </summary>
public sealed class StoreDatabaseFixture : IAsyncLifetime
{
    private NpgsqlDataSource? _dataSource;

    /// <summary>The superuser's connection string to the class's database.</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>The shared pool.</summary>
    public NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>A repository on the class's store (schema <paramref name="schema"/>, default secretstore).</summary>
    public PostgreSqlSecretRepository NewRepository(PostgreSqlSecretRepositoryOptions? options = null) => new(DataSource, options);

    /// <summary>Runs SQL as the superuser on the class's database.</summary>
    public async Task ExecuteAsync(string sql, params object[] parameters)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        await command.ExecuteNonQueryAsync();
    }

    /// <summary>One value from SQL run as the superuser.</summary>
    public async Task<T?> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }

    public async Task InitializeAsync()
    {
        ConnectionString = await PostgresServer.CreateDatabaseAsync("store");
        _dataSource = NpgsqlDataSource.Create(ConnectionString);
        Assert.True(await NewRepository().CreateSchemaAsync());
    }

    public async Task DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }
    }
}

using Npgsql;
using SecretStore.Configuration;
using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Secrets;
using SecretStore.Testing.PostgreSql;
using SecretStore.Testing.Repositories;

namespace SecretStore.PostgreSql.Tests.Schema;

/// <summary>
/// The create-schema operation ('secretstore table create'): once, idempotent, safe under concurrent callers, a partial
/// schema refused; a store without a schema is SSB2025 on every operation; a store of another layout version is refused.
/// </summary>
public sealed class CreateSchemaTests
{
    [Fact]
    public async Task Create_makes_the_schema_once_and_the_first_write_gives_the_store_its_id()
    {
        var database = await PostgresServer.CreateDatabaseAsync("schema");
        await using var repository = PostgreSqlSecretRepository.Create(database);

        Assert.True(await repository.CreateSchemaAsync());
        Assert.Null(await repository.GetStoreIdAsync());
        Assert.False(await repository.CreateSchemaAsync());
        var id = await repository.EnsureStoreIdAsync();
        await using var other = PostgreSqlSecretRepository.Create(database);

        Assert.True(StoreIds.IsWellFormed(id));
        Assert.Equal(id, await other.GetStoreIdAsync());
        Assert.Equal(id, await other.EnsureStoreIdAsync());
    }

    [Fact]
    public async Task Four_concurrent_creators_make_one_schema_and_four_first_writers_agree_on_one_store_id()
    {
        var database = await PostgresServer.CreateDatabaseAsync("schema_race");
        var repositories = Enumerable.Range(0, 4).Select(_ => PostgreSqlSecretRepository.Create(database)).ToList();

        var created = await Task.WhenAll(repositories.Select(r => Task.Run(() => r.CreateSchemaAsync())));
        var ids = await Task.WhenAll(repositories.Select(r => Task.Run(async () => await r.EnsureStoreIdAsync())));

        Assert.Equal(1, created.Count(c => c));
        Assert.Single(ids.Distinct());
        Assert.True(StoreIds.IsWellFormed(ids[0]));
        foreach (var repository in repositories)
        {
            await repository.DisposeAsync();
        }
    }

    [Fact]
    public async Task Every_operation_on_a_database_without_the_schema_is_SSB2025_naming_table_create()
    {
        var database = await PostgresServer.CreateDatabaseAsync("no_schema");
        await using var repository = PostgreSqlSecretRepository.Create(database, new PostgreSqlSecretRepositoryOptions { MaxAttempts = 1 });
        var id = new SecretId("app", "Db");

        foreach (var call in new Func<Task>[]
        {
            () => repository.GetAsync(id),
            () => repository.GetManyAsync([id]),
            () => repository.QueryByApplicationAsync("app"),
            () => repository.SaveAsync(ProtectedRecords.V2(id), 0),
            () => repository.DeleteAsync(id),
            () => repository.GetHistoryAsync(id),
            () => repository.GetStoreIdAsync().AsTask(),
        })
        {
            var error = await Assert.ThrowsAsync<SecretStoreException>(call);
            Assert.Equal("SSB2025", error.Code.Id);
            Assert.Contains("'secretstore table create'", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_partial_schema_is_refused_and_left_as_it_is()
    {
        var database = await PostgresServer.CreateDatabaseAsync("partial");
        await Execute(database, "CREATE SCHEMA secretstore; CREATE TABLE secretstore.secrets (x int)");
        await using var repository = PostgreSqlSecretRepository.Create(database);

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => repository.CreateSchemaAsync());

        Assert.Equal("SSB2025", error.Code.Id);
        Assert.Contains("some of its tables exist", error.Message, StringComparison.Ordinal);
        Assert.Null(await Scalar(database, "SELECT to_regclass('secretstore.history')::text"));
    }

    [Fact]
    public async Task A_store_row_of_another_layout_version_is_SSB2025_and_a_malformed_store_id_SSB3002()
    {
        var database = await PostgresServer.CreateDatabaseAsync("version");
        await using (var creator = PostgreSqlSecretRepository.Create(database))
        {
            await creator.CreateSchemaAsync();
            await creator.EnsureStoreIdAsync();
        }

        await Execute(database, "UPDATE secretstore.store SET schema_version = 2");
        await using (var newer = PostgreSqlSecretRepository.Create(database))
        {
            Assert.Equal("SSB2025", (await Assert.ThrowsAsync<SecretStoreException>(() => newer.GetStoreIdAsync().AsTask())).Code.Id);
        }

        await Execute(database, "UPDATE secretstore.store SET schema_version = 1, store_id = 'not an id!'");
        await using var malformed = PostgreSqlSecretRepository.Create(database);
        Assert.Equal("SSB3002", (await Assert.ThrowsAsync<SecretStoreException>(() => malformed.GetStoreIdAsync().AsTask())).Code.Id);
    }

    [Fact]
    public async Task Another_schema_name_keeps_a_second_store_in_the_same_database()
    {
        var database = await PostgresServer.CreateDatabaseAsync("two_stores");
        await using var first = PostgreSqlSecretRepository.Create(database);
        await using var second = PostgreSqlSecretRepository.Create(database, new PostgreSqlSecretRepositoryOptions { Schema = "staging_store" });
        await first.CreateSchemaAsync();
        await second.CreateSchemaAsync();

        await first.SaveAsync(ProtectedRecords.V2(new SecretId("app", "Db")), 0);

        Assert.Null(await second.GetAsync(new SecretId("app", "Db")));
        Assert.NotEqual(await first.EnsureStoreIdAsync(createForExisting: true), await second.EnsureStoreIdAsync());
        Assert.Throws<ArgumentException>(() => new PostgreSqlSchema("Bad-Name"));
        Assert.Throws<ArgumentException>(() => new PostgreSqlSchema("x\"; DROP SCHEMA public; --"));
    }

    [Fact]
    public async Task A_corrupt_row_is_SSB3002_for_that_record_only_and_never_shows_its_bytes()
    {
        var database = await PostgresServer.CreateDatabaseAsync("corrupt");
        await using var repository = PostgreSqlSecretRepository.Create(database);
        await repository.CreateSchemaAsync();
        await repository.SaveAsync(ProtectedRecords.V2(new SecretId("app", "Good")), 0);
        await Execute(database, "INSERT INTO secretstore.secrets (application_name, secret_name, revision, format, master_key_id, envelope, protected_document_key) VALUES ('app', 'Mixed', 1, 2, 'k', '\\xc0ffee', '\\xbeef')");
        await Execute(database, "INSERT INTO secretstore.secrets (application_name, secret_name, revision, format, master_key_id, envelope) VALUES ('app', 'Future', 1, 7, 'k', '\\xc0ffee')");

        var mixed = await Assert.ThrowsAsync<InvalidProtectedDataException>(() => repository.GetAsync(new SecretId("app", "Mixed")));
        var future = await Assert.ThrowsAsync<InvalidProtectedDataException>(() => repository.GetAsync(new SecretId("app", "Future")));

        Assert.Equal("SSB3002: The row of 'app/Mixed' in PostgreSQL table \"secretstore\".secrets is corrupt: its fields do not match its format.", mixed.Message);
        Assert.Equal("SSB3002: The row of 'app/Future' in PostgreSQL table \"secretstore\".secrets is corrupt: its format 7 is unknown.", future.Message);
        Assert.NotNull(await repository.GetAsync(new SecretId("app", "Good")));
        // A write replaces a row that does not read (as the other stores do), keeping its number in the sequence.
        Assert.Equal(2, await repository.SaveAsync(ProtectedRecords.V2(new SecretId("app", "Mixed")), 1));
    }

    [Fact]
    public void The_settings_factory_reads_the_connection_string_from_the_named_variable_only()
    {
        var settings = new StoreSettings { Storage = StorageKind.PostgreSql, PostgreSqlConnection = "SHOP_PG" };

        var unset = Assert.Throws<SecretStoreException>(() => PostgreSqlSecretRepository.Create(settings, _ => null));
        using var opened = PostgreSqlSecretRepository.Create(settings, name => name == "SHOP_PG" ? "Host=db.internal;Port=6543;Database=secrets;Username=app;Password=pw-canary-91" : null);
        var bad = Assert.Throws<SecretStoreException>(() => PostgreSqlSecretRepository.Create(settings, _ => "Host=x;Frobnicate=pw-canary-92"));

        Assert.Equal("SSB0003", unset.Code.Id);
        Assert.Contains("SHOP_PG", unset.Message, StringComparison.Ordinal);
        Assert.Equal("the PostgreSQL store 'secretstore' in database 'secrets' on db.internal:6543", opened.ToString());
        Assert.Equal("SSB0003", bad.Code.Id);
        Assert.DoesNotContain("pw-canary", bad.ToString(), StringComparison.Ordinal);
    }

    private static async Task Execute(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> Scalar(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? null : value;
    }
}

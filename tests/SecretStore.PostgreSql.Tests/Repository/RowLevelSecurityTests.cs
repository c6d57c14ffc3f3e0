using Npgsql;
using SecretStore.Diagnostics;
using SecretStore.Secrets;
using SecretStore.Testing.PostgreSql;
using SecretStore.Testing.Repositories;

namespace SecretStore.PostgreSql.Tests.Repository;

/// <summary>
/// Least privilege with real roles and real password logins: a reader of application A, given exactly the grants
/// docs/postgres.md prints ('secretstore table sql --reader'), sees only A's rows, through the repository and through raw
/// SQL, and cannot write anything; a writer of A alone cannot write B. The owner (who made the schema) wrote the rows.
/// </summary>
public sealed class RowLevelSecurityTests(StoreDatabaseFixture database) : IClassFixture<StoreDatabaseFixture>, IAsyncLifetime
{
    private const string AppA = "Shop";
    private const string AppB = "Billing";
    private PostgresRole _reader = null!;
    private PostgresRole _writerA = null!;

    public async Task InitializeAsync()
    {
        var admin = await PostgresServer.GetAdminConnectionStringAsync();
        _reader = await PostgresServer.CreateLoginRoleAsync(admin, "reader_a");
        _writerA = await PostgresServer.CreateLoginRoleAsync(admin, "writer_a");
        var schema = database.NewRepository().Schema;
        await database.ExecuteAsync(schema.ReaderGrantScript(_reader.Name, AppA));
        await database.ExecuteAsync(schema.WriterGrantScript(_writerA.Name, AppA));

        // xunit makes the class once per fact; the rows are the class database's, written once.
        var owner = database.NewRepository();
        if (await owner.GetAsync(new SecretId(AppA, "Db")) is not null)
        {
            return;
        }

        Assert.NotNull(await owner.EnsureStoreIdAsync()); // What an engine write does first: readers must read it.
        foreach (var app in new[] { AppA, AppB })
        {
            await owner.SaveAsync(ProtectedRecords.V2(new SecretId(app, "Db")), 0);
            await owner.SaveAsync(ProtectedRecords.V2(new SecretId(app, "Db")), 1);
            await owner.SaveAsync(ProtectedRecords.V2(new SecretId(app, "Api")), 0);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_reader_of_A_reads_A_and_sees_nothing_of_B_through_the_repository()
    {
        await using var reader = Repository(_reader);

        Assert.NotNull(await reader.GetAsync(new SecretId(AppA, "Db")));
        Assert.Null(await reader.GetAsync(new SecretId(AppB, "Db")));
        Assert.Equal([AppA, AppA], (await reader.GetManyAsync([new(AppA, "Db"), new(AppB, "Db"), new(AppA, "Api"), new(AppB, "Api")])).Select(r => r.Id.ApplicationName));
        Assert.Equal(2, (await reader.QueryByApplicationAsync(AppA)).Count);
        Assert.Empty(await reader.QueryByApplicationAsync(AppB));
        Assert.Equal([AppA], await reader.ListApplicationsAsync());
        Assert.Equal(2, (await reader.GetHistoryAsync(new SecretId(AppA, "Db"))).Count);
        Assert.Empty(await reader.GetHistoryAsync(new SecretId(AppB, "Db")));
        Assert.Null(await reader.GetRevisionAsync(new SecretId(AppB, "Db"), 1));
        Assert.Equal(await database.NewRepository().GetStoreIdAsync(), await reader.GetStoreIdAsync());
    }

    [Fact]
    public async Task A_reader_cannot_write_delete_or_purge_even_its_own_application()
    {
        await using var reader = Repository(_reader);
        var id = new SecretId(AppA, "Db");

        var save = await Assert.ThrowsAsync<SecretStoreException>(() => reader.SaveAsync(ProtectedRecords.V2(id), 2));
        var create = await Assert.ThrowsAsync<SecretStoreException>(() => reader.SaveAsync(ProtectedRecords.V2(new SecretId(AppA, "New")), 0));
        var delete = await Assert.ThrowsAsync<SecretStoreException>(() => reader.DeleteAsync(id));
        var purge = await Assert.ThrowsAsync<SecretStoreException>(() => reader.PurgeAsync(id));

        foreach (var error in new[] { save, create, delete, purge })
        {
            Assert.Equal("SSB2007", error.Code.Id);
            Assert.DoesNotContain(_reader.Password, error.ToString(), StringComparison.Ordinal);
        }

        Assert.Equal(2, (await database.NewRepository().GetAsync(id))!.Revision);
        Assert.Null(await database.NewRepository().GetAsync(new SecretId(AppA, "New")));
    }

    [Fact]
    public async Task Raw_SQL_as_the_reader_sees_only_A_and_every_change_is_refused()
    {
        await using var connection = new NpgsqlConnection(PostgresServer.LoginConnectionString(database.ConnectionString, _reader));
        await connection.OpenAsync();

        Assert.Equal(2L, await ScalarAsync<long>(connection, "SELECT count(*) FROM secretstore.secrets WHERE secret_name IN ('Db', 'Api')"));
        Assert.Equal(0L, await ScalarAsync<long>(connection, "SELECT count(*) FROM secretstore.secrets WHERE application_name <> 'Shop'"));
        Assert.Equal(0L, await ScalarAsync<long>(connection, $"SELECT count(*) FROM secretstore.secrets WHERE application_name = '{AppB}'"));
        Assert.Equal(3L, await ScalarAsync<long>(connection, "SELECT count(*) FROM secretstore.history WHERE secret_name IN ('Db', 'Api')"));
        Assert.Equal(0L, await ScalarAsync<long>(connection, $"SELECT count(*) FROM secretstore.history WHERE application_name = '{AppB}'"));

        foreach (var sql in new[]
        {
            $"UPDATE secretstore.secrets SET revision = 9 WHERE application_name = '{AppA}'",
            $"DELETE FROM secretstore.secrets WHERE application_name = '{AppB}'",
            $"INSERT INTO secretstore.secrets (application_name, secret_name, revision, format, master_key_id, envelope) VALUES ('{AppA}', 'x', 1, 2, 'k', '\\x00')",
            "DELETE FROM secretstore.history",
            "SELECT count(*) FROM secretstore.access",
            $"INSERT INTO secretstore.access VALUES (current_user, '{AppB}', true)",
            "UPDATE secretstore.store SET store_id = 'x'",
            "ALTER TABLE secretstore.secrets DISABLE ROW LEVEL SECURITY",
        })
        {
            var error = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync<object>(connection, sql));
            Assert.True(error.SqlState is "42501", $"{sql}: {error.SqlState} {error.MessageText}");
        }

        Assert.Equal(4L, await database.ScalarAsync<long>("SELECT count(*) FROM secretstore.secrets WHERE secret_name IN ('Db', 'Api')"));
    }

    [Fact]
    public async Task A_writer_of_A_writes_A_but_neither_reads_nor_writes_B()
    {
        await using var writer = Repository(_writerA);
        var mine = new SecretId(AppA, "Writer");

        Assert.Equal(1, await writer.SaveAsync(ProtectedRecords.V2(mine), 0));
        Assert.True(await writer.DeleteAsync(mine));
        Assert.Null(await writer.GetAsync(new SecretId(AppB, "Db")));

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => writer.SaveAsync(ProtectedRecords.V2(new SecretId(AppB, "Writer")), 0));
        Assert.Equal("SSB2007", error.Code.Id);
        Assert.Contains("row-level security", error.Message, StringComparison.Ordinal);
        Assert.Null(await database.NewRepository().GetAsync(new SecretId(AppB, "Writer")));

        // B's row is invisible to its UPDATE, so a write "over" it is a create that collides: refused, B unchanged.
        await Assert.ThrowsAnyAsync<SecretStoreException>(() => writer.SaveAsync(ProtectedRecords.V2(new SecretId(AppB, "Db")), 0));
        Assert.Equal(2, (await database.NewRepository().GetAsync(new SecretId(AppB, "Db")))!.Revision);
    }

    private PostgreSqlSecretRepository Repository(PostgresRole role) =>
        PostgreSqlSecretRepository.Create(PostgresServer.LoginConnectionString(database.ConnectionString, role), new PostgreSqlSecretRepositoryOptions { MaxAttempts = 1 });

    private static async Task<T?> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }
}

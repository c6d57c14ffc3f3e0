using Npgsql;
using SecretStore.Diagnostics;
using SecretStore.Secrets;
using SecretStore.Testing.PostgreSql;
using SecretStore.Testing.Repositories;

namespace SecretStore.PostgreSql.Tests.Repository;

/// <summary>
/// Least privilege with real roles and real password logins: a reader of application A, given exactly the grants
/// docs/postgres.md prints ('secretstore table sql --reader'), sees only A's rows through the repository and
/// reaches no table through raw SQL (only the store's read functions, which hold it to A), and cannot write anything; a writer of A alone cannot write B. The owner (who made the schema) wrote the rows.
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
    public async Task Raw_SQL_as_the_reader_reaches_no_table_and_its_functions_only_A()
    {
        await using var connection = await OpenAsync(_reader);

        Assert.Equal(2L, await ScalarAsync<long>(connection, "SELECT count(*) FROM secretstore.read_secrets(ARRAY['Shop', 'Shop', 'Billing', 'Billing'], ARRAY['Db', 'Api', 'Db', 'Api'])"));
        Assert.Equal(0L, await ScalarAsync<long>(connection, $"SELECT count(*) FROM secretstore.list_secrets('{AppB}', NULL, 1000)"));
        Assert.Equal(0L, await ScalarAsync<long>(connection, $"SELECT count(*) FROM secretstore.read_history('{AppB}', 'Db', NULL)"));
        Assert.Equal(AppA, await ScalarAsync<string>(connection, "SELECT string_agg(a, ',') FROM secretstore.list_applications() a"));

        foreach (var sql in new[]
        {
            "SELECT count(*) FROM secretstore.secrets",
            "SELECT count(*) FROM secretstore.history",
            "SELECT count(*) FROM secretstore.store",
            "SELECT count(*) FROM secretstore.access",
            $"UPDATE secretstore.secrets SET revision = 9 WHERE application_name = '{AppA}'",
            $"DELETE FROM secretstore.secrets WHERE application_name = '{AppB}'",
            "DELETE FROM secretstore.history",
            $"INSERT INTO secretstore.access VALUES (current_user, '{AppB}', true)",
            "UPDATE secretstore.store SET store_id = 'x'",
            "ALTER TABLE secretstore.secrets DISABLE ROW LEVEL SECURITY",
            $"SELECT secretstore.delete_secret('{AppA}', 'Db')",
            $"SELECT secretstore.insert_secret('{AppA}', 'x', 1, 2::smallint, 'k', '\\x00', NULL, NULL, NULL)",
            $"SELECT * FROM secretstore.lock_secret('{AppA}', 'Db')",
            "SELECT secretstore.set_store_id('x', 1)",
            "SELECT secretstore.is_empty()",
        })
        {
            var error = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync<object>(connection, sql));
            Assert.True(error.SqlState is "42501", $"{sql}: {error.SqlState} {error.MessageText}");
        }

        Assert.Equal(4L, await database.ScalarAsync<long>("SELECT count(*) FROM secretstore.secrets WHERE secret_name IN ('Db', 'Api')"));
    }

    [Fact]
    public async Task EXPLAIN_ANALYZE_tells_a_reader_nothing_of_another_application()
    {
        // Red team round 8 (RT.21a): with SELECT on the table, "Rows Removed by Filter" counted Billing's rows that a
        // LIKE on the name or revision matched, so names and revisions came out by bisection. Through the functions the
        // plan of a query on Billing (which exists) is the plan of one on an application that does not.
        await using var connection = await OpenAsync(_reader);

        var billing = await PlanAsync(connection, $"SELECT * FROM secretstore.list_secrets('{AppB}', NULL, 1000) WHERE secret_name LIKE 'D%'");
        var nobody = await PlanAsync(connection, "SELECT * FROM secretstore.list_secrets('Nobody', NULL, 1000) WHERE secret_name LIKE 'D%'");
        var keys = await PlanAsync(connection, $"SELECT * FROM secretstore.read_secrets(ARRAY['{AppB}'], ARRAY['Db']) WHERE revision > 1");
        var noKeys = await PlanAsync(connection, "SELECT * FROM secretstore.read_secrets(ARRAY['Nobody'], ARRAY['Db']) WHERE revision > 1");

        Assert.Equal(nobody, billing);
        Assert.Equal(noKeys, keys);
        Assert.DoesNotContain("Rows Removed by Filter: 1", billing, StringComparison.Ordinal);
        var table = await Assert.ThrowsAsync<PostgresException>(() => PlanAsync(connection, "SELECT * FROM secretstore.secrets WHERE secret_name LIKE 'D%'"));
        Assert.Equal("42501", table.SqlState);

        // Column statistics are shown only to roles that may read the column: none of the store's.
        await database.ExecuteAsync("ANALYZE secretstore.secrets");
        Assert.Equal(0L, await ScalarAsync<long>(connection, "SELECT count(*) FROM pg_stats WHERE schemaname = 'secretstore'"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off")]
    [InlineData("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; SET LOCAL enable_nestloop = off; SET LOCAL enable_hashjoin = off")]
    [InlineData("SET LOCAL enable_indexscan = off; SET LOCAL enable_indexonlyscan = off; SET LOCAL enable_bitmapscan = off")]
    public async Task No_statistic_or_buffer_count_tells_a_reader_whether_another_applications_name_exists(string planner)
    {
        // Red team round 9 (B1): with the planner forced to an index scan, read_secrets fetched Billing's row before it
        // filtered it out, and the reader's own pg_stat_xact_user_tables.idx_tup_fetch (and EXPLAIN BUFFERS) counted it.
        // A reader of an application with no rows: whatever its reads fetch can only be another application's.
        var admin = await PostgresServer.GetAdminConnectionStringAsync();
        var ghost = await PostgresServer.CreateLoginRoleAsync(admin, "ghost");
        await database.ExecuteAsync(database.NewRepository().Schema.ReaderGrantScript(ghost.Name, "Ghost"));
        await using var connection = await OpenAsync(ghost);
        const string Exists = "ARRAY['Ghost', 'Billing', 'Billing'], ARRAY['Db', 'Db', 'Api']", Missing = "ARRAY['Ghost', 'Billing', 'Billing'], ARRAY['Db', 'Nope', 'Zzz']";

        // The first calls compile the function and plan its queries (catalog reads); measured after them, in both orders.
        for (var warm = 0; warm < 3; warm++)
        {
            _ = await FootprintAsync(connection, planner, warm % 2 == 0 ? Exists : Missing);
        }

        var exists = await FootprintAsync(connection, planner, Exists);
        var missing = await FootprintAsync(connection, planner, Missing);
        var existsAgain = await FootprintAsync(connection, planner, Exists);
        Assert.Equal(exists, existsAgain);

        Assert.Equal(missing, exists);
        Assert.Contains("rows=0", exists, StringComparison.Ordinal);
        Assert.EndsWith("\n0,0,0,0,0,0,0,1,0,0", exists, StringComparison.Ordinal); // One index probe, for its own key; Billing's never reach the table.
    }

    [Fact]
    public async Task A_writer_cannot_write_an_application_no_id_has_and_nobody_can_store_an_empty_name()
    {
        // Red team round 9 (B3): '' passed the "any writer" check meant for the store id, so every writer shared rows of
        // application '' that no reader sees and the tool cannot address.
        await using var connection = await OpenAsync(_writerA);
        foreach (var sql in new[]
        {
            "SELECT secretstore.ensure_writer('')",
            "SELECT secretstore.insert_secret('', 'rt_probe', 1, 2::smallint, 'k', '\\x00', NULL, NULL, NULL)",
            "SELECT secretstore.insert_history('', 'rt_probe', 1, 2::smallint, 'k', '\\x00', NULL, NULL, NULL, now(), 'rt')",
            "SELECT * FROM secretstore.lock_secret('', 'rt_probe')",
            "SELECT secretstore.prune_history('', 'rt_probe', 0)",
        })
        {
            var error = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync<object>(connection, sql));
            Assert.True(error.SqlState is "42501", $"{sql}: {error.SqlState} {error.MessageText}");
        }

        var empty = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync<object>(connection, $"SELECT secretstore.insert_secret('{AppA}', '', 1, 2::smallint, 'k', '\\x00', NULL, NULL, NULL)"));
        var owner = await Assert.ThrowsAsync<PostgresException>(() => database.ExecuteAsync("INSERT INTO secretstore.secrets VALUES ('', 'x', 1, 2, 'k', '\\x00')"));
        Assert.Equal(PostgresErrorCodes.CheckViolation, empty.SqlState);
        Assert.Equal(PostgresErrorCodes.CheckViolation, owner.SqlState);
    }

    [Fact]
    public async Task A_role_given_table_rights_by_hand_is_still_held_to_its_rows_by_row_level_security()
    {
        var admin = await PostgresServer.GetAdminConnectionStringAsync();
        var role = await PostgresServer.CreateLoginRoleAsync(admin, "hand_a");
        var schema = database.NewRepository().Schema;
        await database.ExecuteAsync(schema.ReaderGrantScript(role.Name, AppA));
        await database.ExecuteAsync($"GRANT SELECT, INSERT, UPDATE, DELETE ON secretstore.secrets, secretstore.history TO \"{role.Name}\"");
        await using var connection = await OpenAsync(role);

        Assert.Equal(2L, await ScalarAsync<long>(connection, "SELECT count(*) FROM secretstore.secrets WHERE secret_name IN ('Db', 'Api')"));
        Assert.Equal(0L, await ScalarAsync<long>(connection, "SELECT count(*) FROM secretstore.secrets WHERE application_name <> 'Shop'"));
        Assert.Equal(0L, await ScalarAsync<long>(connection, $"SELECT count(*) FROM secretstore.history WHERE application_name = '{AppB}'"));
        Assert.Equal(0L, await ScalarAsync<long>(connection, $"WITH d AS (DELETE FROM secretstore.secrets WHERE application_name = '{AppB}' RETURNING 1) SELECT count(*) FROM d"));
        var insert = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync<object>(connection, $"INSERT INTO secretstore.secrets (application_name, secret_name, revision, format, master_key_id, envelope) VALUES ('{AppA}', 'x', 1, 2, 'k', '\\x00')"));
        Assert.Equal("42501", insert.SqlState); // A reader's access row: no write policy passes.
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
        Assert.Contains($"may not write application {AppB}", error.Message, StringComparison.Ordinal);
        Assert.Null(await database.NewRepository().GetAsync(new SecretId(AppB, "Writer")));

        // B's row is invisible to its UPDATE, so a write "over" it is a create that collides: refused, B unchanged.
        await Assert.ThrowsAnyAsync<SecretStoreException>(() => writer.SaveAsync(ProtectedRecords.V2(new SecretId(AppB, "Db")), 0));
        Assert.Equal(2, (await database.NewRepository().GetAsync(new SecretId(AppB, "Db")))!.Revision);
    }

    [Fact]
    public async Task A_writer_of_A_can_neither_lock_the_table_nor_hold_up_B_and_a_held_row_of_A_times_out()
    {
        // Red team round 8 (RT.21b): with UPDATE on the table, a writer of Shop took LOCK TABLE ... ACCESS EXCLUSIVE and
        // every application's builds stopped. Now it holds no table right; what it can hold is its own rows.
        await using var connection = await OpenAsync(_writerA);
        foreach (var sql in new[]
        {
            "LOCK TABLE secretstore.secrets IN ACCESS EXCLUSIVE MODE",
            "LOCK TABLE secretstore.history IN SHARE MODE",
            $"SELECT * FROM secretstore.lock_secret('{AppB}', 'Db')",

            // Every write function checks on its own, not only the repository's first call of a write.
            $"SELECT secretstore.insert_secret('{AppB}', 'Raw', 1, 2::smallint, 'k', '\\x00', NULL, NULL, NULL)",
            $"SELECT secretstore.update_secret('{AppB}', 'Db', 9, 2::smallint, 'k', '\\x00', NULL, NULL, NULL)",
            $"SELECT secretstore.delete_secret('{AppB}', 'Db')",
            $"SELECT secretstore.insert_history('{AppB}', 'Db', 99, NULL, NULL, NULL, NULL, NULL, NULL, now(), 'x')",
            $"SELECT secretstore.prune_history('{AppB}', 'Db', 0)",
            $"SELECT secretstore.newest_revision('{AppB}', 'Db')",
            $"SELECT * FROM secretstore.kept_current('{AppB}', 'Db')",
        })
        {
            await using var attempt = await connection.BeginTransactionAsync();
            var error = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync<object>(connection, sql));
            Assert.True(error.SqlState is "42501", $"{sql}: {error.SqlState} {error.MessageText}");
        }

        await using var held = await connection.BeginTransactionAsync();
        await ScalarAsync<object>(connection, $"SELECT count(*) FROM secretstore.lock_secret('{AppA}', 'Api')");

        var owner = database.NewRepository(new PostgreSqlSecretRepositoryOptions { LockTimeout = TimeSpan.FromMilliseconds(300), MaxAttempts = 1 });
        var b = new SecretId(AppB, "Api");
        var revision = (await owner.GetAsync(b))!.Revision;
        Assert.Equal(revision + 1, await owner.SaveAsync(ProtectedRecords.V2(b), revision));

        var a = new SecretId(AppA, "Api");
        var current = (await owner.GetAsync(a))!.Revision;
        var stuck = await Assert.ThrowsAsync<SecretStoreException>(() => owner.SaveAsync(ProtectedRecords.V2(a), current));
        Assert.Equal("SSB2005", stuck.Code.Id);
        Assert.Contains("55P03", stuck.Message, StringComparison.Ordinal);
        await held.RollbackAsync();
        Assert.Equal(current, (await owner.GetAsync(a))!.Revision);
        Assert.Equal(2, (await owner.GetAsync(new SecretId(AppB, "Db")))!.Revision);
        Assert.Equal(2, (await owner.GetHistoryAsync(new SecretId(AppB, "Db"))).Count);
    }

    private async Task<NpgsqlConnection> OpenAsync(PostgresRole role)
    {
        var connection = new NpgsqlConnection(PostgresServer.LoginConnectionString(database.ConnectionString, role));
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>
    /// What one read leaves in the reader's own session: what it adds to the statistics of the two tables of records (the
    /// index probes and the tuples fetched, which is what a hidden row showed in), and the plan, under the planner settings given. (The access table's counts vary from call to
    /// call with the caller's own access checks, whatever the keys; they hold no other application's rows.)
    /// </summary>
    private static async Task<string> FootprintAsync(NpgsqlConnection connection, string planner, string keys)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        if (planner.Length > 0)
        {
            await ScalarAsync<object>(connection, planner);
        }

        // The counters a backend has not flushed yet carry over between transactions: the delta of this call is what counts.
        var before = await StatisticsAsync(connection);
        // The plan's rows, not its buffer counts: those drift by a page of the system catalogs from call to call.
        var plan = await PlanAsync(connection, $"SELECT * FROM secretstore.read_secrets({keys})", verbose: false);
        var after = await StatisticsAsync(connection);
        await transaction.RollbackAsync();
        return plan + "\n" + string.Join(",", after.Zip(before, (a, b) => a - b));
    }

    private static async Task<long[]> StatisticsAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand(
            "SELECT array_agg(x ORDER BY r, i) FROM (SELECT relname AS r, u.i, u.x FROM pg_stat_xact_user_tables, unnest(ARRAY[seq_scan, seq_tup_read, idx_scan, idx_tup_fetch, n_tup_ins]) WITH ORDINALITY AS u(x, i) WHERE schemaname = 'secretstore' AND relname IN ('secrets', 'history')) t",
            connection);
        return (long[])(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The plan with what varies from run to run (times, buffers) taken out, and the application's name.</summary>
    private static async Task<string> PlanAsync(NpgsqlConnection connection, string sql, bool verbose = true)
    {
        // VERBOSE shows the function's arguments, which differ between the two calls a footprint compares.
        await using var command = new NpgsqlCommand($"EXPLAIN (ANALYZE, {(verbose ? "VERBOSE, " : string.Empty)}BUFFERS OFF, COSTS OFF, TIMING OFF, SUMMARY OFF) " + sql, connection);
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join("\n", lines).Replace("Nobody", "X", StringComparison.Ordinal).Replace(AppB, "X", StringComparison.Ordinal);
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

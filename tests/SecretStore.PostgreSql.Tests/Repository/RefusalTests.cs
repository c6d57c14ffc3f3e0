using Npgsql;
using SecretStore.Diagnostics;
using SecretStore.Secrets;
using SecretStore.Testing;
using SecretStore.Testing.PostgreSql;
using SecretStore.Testing.Repositories;

namespace SecretStore.PostgreSql.Tests.Repository;

/// <summary>
/// Red team round 8's hazards, each a coded error with its cause instead of a "network" failure or SSB0099: a login
/// with no password to give, a password file that does not parse, a role whose transactions are read-only, a record
/// too large for a row, and a schema name that is not the store's own.
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class RefusalTests(StoreDatabaseFixture database) : IClassFixture<StoreDatabaseFixture>, IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task No_password_to_give_is_SSB2007_at_once_not_a_retried_network_failure()
    {
        var admin = await PostgresServer.GetAdminConnectionStringAsync();
        var role = await PostgresServer.CreateLoginRoleAsync(admin, "nopw");
        var noPassword = new NpgsqlConnectionStringBuilder(PostgresServer.LoginConnectionString(database.ConnectionString, role)) { Password = null, Passfile = _folder.Write("empty.pgpass", "# no entry\n") };
        var attempts = 0;
        await using var repository = new PostgreSqlSecretRepository(NpgsqlDataSource.Create(noPassword.ConnectionString)) { Delay = (_, _) => { attempts++; return Task.CompletedTask; } };

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => repository.GetAsync(new SecretId("Shop", "Db")));

        Assert.Equal("SSB2007", error.Code.Id);
        Assert.Contains("could not be set up (the server asked for a password and none was available", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, attempts);
    }

    [Fact]
    public async Task Gss_encryption_the_server_does_not_offer_is_SSB2007_at_once_like_an_SSL_Mode_it_does_not_offer()
    {
        // A login Npgsql cannot set up, not the network: no retry, and the same code as an SSL Mode the server lacks.
        var connection = new NpgsqlConnectionStringBuilder(database.ConnectionString) { GssEncryptionMode = GssEncryptionMode.Require };
        var attempts = 0;
        await using var repository = new PostgreSqlSecretRepository(NpgsqlDataSource.Create(connection.ConnectionString)) { Delay = (_, _) => { attempts++; return Task.CompletedTask; } };

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => repository.GetAsync(new SecretId("Shop", "Db")));

        Assert.True(error.Code.Id == "SSB2007", error.ToString());
        Assert.Contains("GSS", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, attempts);
    }

    [Fact]
    public async Task A_password_file_that_does_not_parse_is_SSB0003_without_its_lines()
    {
        var admin = await PostgresServer.GetAdminConnectionStringAsync();
        var role = await PostgresServer.CreateLoginRoleAsync(admin, "badpass");
        var file = _folder.Write("bad.pgpass", "127.0.0.1:5432:db-canary-8e0f\n");
        var connection = new NpgsqlConnectionStringBuilder(PostgresServer.LoginConnectionString(database.ConnectionString, role)) { Password = null, Passfile = file };
        await using var repository = new PostgreSqlSecretRepository(NpgsqlDataSource.Create(connection.ConnectionString), new PostgreSqlSecretRepositoryOptions { MaxAttempts = 1 });

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => repository.GetAsync(new SecretId("Shop", "Db")));

        Assert.Equal("SSB0003", error.Code.Id);
        Assert.Contains("password file", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("canary", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_password_file_that_is_not_there_is_SSB0003_naming_it()
    {
        var missing = _folder.Combine("missing.pgpass");
        var connection = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Password = null, Passfile = missing };
        await using var repository = new PostgreSqlSecretRepository(NpgsqlDataSource.Create(connection.ConnectionString), new PostgreSqlSecretRepositoryOptions { MaxAttempts = 1 });

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => repository.GetAsync(new SecretId("Shop", "Db")));

        Assert.Equal("SSB0003", error.Code.Id);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_role_whose_transactions_are_read_only_is_SSB2005_naming_the_cause_and_writes_nothing()
    {
        var admin = await PostgresServer.GetAdminConnectionStringAsync();
        var role = await PostgresServer.CreateLoginRoleAsync(admin, "readonly");
        await database.ExecuteAsync(database.NewRepository().Schema.WriterGrantScript(role.Name, "Shop"));
        await database.ExecuteAsync($"ALTER ROLE \"{role.Name}\" SET default_transaction_read_only = on");
        await using var repository = PostgreSqlSecretRepository.Create(PostgresServer.LoginConnectionString(database.ConnectionString, role), new PostgreSqlSecretRepositoryOptions { MaxAttempts = 1 });
        var id = new SecretId("Shop", "ReadOnly");

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => repository.SaveAsync(ProtectedRecords.V2(id), 0));

        Assert.Equal("SSB2005", error.Code.Id);
        Assert.Contains("25006", error.Message, StringComparison.Ordinal);
        Assert.Contains("default_transaction_read_only", error.Message, StringComparison.Ordinal);
        Assert.Null(await database.NewRepository().GetAsync(id));
    }

    [Fact]
    public async Task A_record_larger_than_a_row_holds_is_SSB2010_before_any_round_trip_and_the_schema_refuses_it_too()
    {
        var repository = database.NewRepository();
        var id = new SecretId("Shop", "Huge");
        var huge = ProtectedRecords.V2(id) with { Envelope = new byte[PostgreSqlSchema.MaxProtectedBytes + 1] };
        var largest = ProtectedRecords.V2(new SecretId("Shop", "Largest")) with { Envelope = new byte[PostgreSqlSchema.MaxProtectedBytes] };

        using var trips = NpgsqlRoundTrips.Start();
        var error = await Assert.ThrowsAsync<SecretStoreException>(() => repository.SaveAsync(huge, 0));
        Assert.Equal(0, trips.Count);
        Assert.Equal("SSB2010", error.Code.Id);
        Assert.Equal(1, await repository.SaveAsync(largest, 0));

        // Whoever writes around the repository meets the schema's CHECK.
        var raw = await Assert.ThrowsAsync<PostgresException>(() => database.ExecuteAsync(
            "SELECT secretstore.insert_secret('Shop', 'Raw', 1, 2::smallint, 'k', $1, NULL, NULL, NULL)", new byte[PostgreSqlSchema.MaxProtectedBytes + 1]));
        Assert.Equal(PostgresErrorCodes.CheckViolation, raw.SqlState);
        Assert.Null(await repository.GetAsync(id));

        // Red team round 10: the limit is the row's, all its fields together, not each field's (four of 400 KiB got in).
        var quarter = new byte[(PostgreSqlSchema.MaxProtectedBytes / 3) + 1];
        var spread = await Assert.ThrowsAsync<PostgresException>(() => database.ExecuteAsync(
            "SELECT secretstore.insert_secret('Shop', 'Spread', 1, 1::smallint, 'k', NULL, $1, $1, $1)", quarter));
        var spreadHistory = await Assert.ThrowsAsync<PostgresException>(() => database.ExecuteAsync(
            "SELECT secretstore.insert_history('Shop', 'Spread', 1, 1::smallint, 'k', $1, $1, $1, $1, now(), 'rt')", quarter));
        Assert.Equal(PostgresErrorCodes.CheckViolation, spread.SqlState);
        Assert.Equal(PostgresErrorCodes.CheckViolation, spreadHistory.SqlState);
    }

    [Fact]
    public async Task Key_ids_writers_names_and_times_a_row_cannot_hold_are_refused_by_the_schema()
    {
        // Red team round 9 (B2, H1): the bytea CHECKs left the key id and the writer free, so a 64 MiB key id was printed
        // by every reader's list; a time before year 1 or after 9999 crashed history reads or showed a wrong time.
        var huge = new string('k', PostgreSqlSchema.MaxTextBytes + 1);
        foreach (var sql in new[]
        {
            $"SELECT secretstore.insert_secret('Shop', 'BigKey', 1, 2::smallint, '{huge}', '\\x00', NULL, NULL, NULL)",
            $"SELECT secretstore.insert_history('Shop', 'BigWriter', 1, 2::smallint, 'k', '\\x00', NULL, NULL, NULL, now(), '{huge}')",
            $"SELECT secretstore.insert_secret('Shop', '{huge}', 1, 2::smallint, 'k', '\\x00', NULL, NULL, NULL)",
            "SELECT secretstore.insert_history('Shop', 'Old', 1, 2::smallint, 'k', '\\x00', NULL, NULL, NULL, '4713-01-01 BC', 'rt')",
            "SELECT secretstore.insert_history('Shop', 'Late', 1, 2::smallint, 'k', '\\x00', NULL, NULL, NULL, 'infinity', 'rt')",
        })
        {
            var error = await Assert.ThrowsAsync<PostgresException>(() => database.ExecuteAsync(sql));
            Assert.True(error.SqlState == PostgresErrorCodes.CheckViolation, $"{sql[..60]}: {error.SqlState}");
        }

        var repository = database.NewRepository();
        using var trips = NpgsqlRoundTrips.Start();
        var longKey = await Assert.ThrowsAsync<SecretStoreException>(() => repository.SaveAsync(ProtectedRecords.V2(new SecretId("Shop", "LongKey")) with { MasterKeyId = huge }, 0));
        var longName = await Assert.ThrowsAsync<SecretStoreException>(() => repository.GetAsync(new SecretId("Shop", new string('n', PostgreSqlSchema.MaxTextBytes + 1))));
        Assert.Equal(0, trips.Count); // Refused before any round trip, not only by the schema.
        Assert.Equal("SSB2010", longKey.Code.Id);
        Assert.Equal("SSB2010", longName.Code.Id);
    }

    [Fact]
    public async Task Rows_a_schema_made_by_hand_lets_in_are_SSB3002_not_a_crash()
    {
        // Without the CHECKs (a schema made by hand, or an older one): an empty name and a time outside the years 1 to 9999.
        var repository = database.NewRepository(new PostgreSqlSecretRepositoryOptions { Schema = "by_hand" });
        Assert.True(await repository.CreateSchemaAsync());
        await database.ExecuteAsync("ALTER TABLE by_hand.secrets DROP CONSTRAINT secrets_secret_name_check");
        await database.ExecuteAsync("ALTER TABLE by_hand.history DROP CONSTRAINT history_written_at_check");
        var record = ProtectedRecords.V2(new SecretId("Shop", "Old"));
        await database.ExecuteAsync("INSERT INTO by_hand.secrets VALUES ('Shop', '', 1, 2, 'k', $1)", record.Envelope!);
        await database.ExecuteAsync("INSERT INTO by_hand.history VALUES ('Shop', 'Old', 1, '4713-01-01 BC', 'rt', 2, 'k', $1)", record.Envelope!);

        var list = await Assert.ThrowsAsync<InvalidProtectedDataException>(() => repository.QueryByApplicationAsync("Shop"));
        var history = await Assert.ThrowsAsync<InvalidProtectedDataException>(() => repository.GetHistoryAsync(new SecretId("Shop", "Old")));

        Assert.Equal("SSB3002", list.Code.Id);
        Assert.Contains("no secret id can have", list.Message, StringComparison.Ordinal);
        Assert.Equal("SSB3002", history.Code.Id);
        Assert.Contains("'Shop/Old'", history.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Port=99999")]
    [InlineData("Target Session Attributes=standby")]
    [InlineData("Read Buffer Size=1")]
    public async Task A_setting_Npgsql_refuses_when_it_connects_is_SSB0003_not_SSB0099(string setting)
    {
        // Red team round 10 (F4).
        var connection = new NpgsqlConnectionStringBuilder(database.ConnectionString) + ";" + setting;
        var error = await Assert.ThrowsAsync<SecretStoreException>(async () =>
        {
            await using var repository = PostgreSqlSecretRepository.Create(connection.ToString(), new PostgreSqlSecretRepositoryOptions { MaxAttempts = 1 });
            await repository.GetAsync(new SecretId("Shop", "Db"));
        });

        Assert.Equal("SSB0003", error.Code.Id);
    }

    [Fact]
    public async Task A_setting_the_server_does_not_know_is_SSB0003()
    {
        var connection = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Options = "-c canary_unknown.setting_x=1 -c no_such_setting=1" };
        await using var repository = new PostgreSqlSecretRepository(NpgsqlDataSource.Create(connection.ConnectionString), new PostgreSqlSecretRepositoryOptions { MaxAttempts = 1 });

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => repository.GetAsync(new SecretId("Shop", "Db")));

        Assert.Equal("SSB0003", error.Code.Id);
        Assert.Contains("refused a setting of the connection string", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_held_create_lock_stops_table_create_after_the_lock_timeout_naming_it()
    {
        // Red team round 9 (H4): any role can take the advisory lock; table create waited 30 s and blamed the network.
        await using var holder = database.DataSource.CreateConnection();
        await holder.OpenAsync();
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(hashtext('secretstore:create-schema:held_lock'))", holder))
        {
            await take.ExecuteScalarAsync();
        }

        var repository = database.NewRepository(new PostgreSqlSecretRepositoryOptions { Schema = "held_lock", LockTimeout = TimeSpan.FromMilliseconds(300), MaxAttempts = 1 });
        var error = await Assert.ThrowsAsync<SecretStoreException>(() => repository.CreateSchemaAsync());

        Assert.Equal("SSB2005", error.Code.Id);
        Assert.Contains("create lock", error.Message, StringComparison.Ordinal);
        Assert.Contains("pg_locks", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("public")]
    [InlineData("pg_temp")]
    [InlineData("pg_catalog")]
    [InlineData("information_schema")]
    public void A_schema_that_is_not_the_stores_own_is_refused(string name)
    {
        Assert.False(PostgreSqlSchema.IsValidName(name));
        Assert.Throws<ArgumentException>(() => new PostgreSqlSchema(name));
        Assert.True(PostgreSqlSchema.IsValidName("secretstore_" + name.Replace("pg_", "pg", StringComparison.Ordinal)));
    }
}

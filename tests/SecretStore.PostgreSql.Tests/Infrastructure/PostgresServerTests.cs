using System.Globalization;
using Npgsql;
using SecretStore.Testing.PostgreSql;

namespace SecretStore.PostgreSql.Tests.Infrastructure;

/// <summary>The shared test server (build/test.sh's, or this process's private one) and the helpers that carve it up.</summary>
public sealed class PostgresServerTests
{
    [Fact]
    public async Task The_server_answers_and_is_PostgreSQL_15_or_newer()
    {
        await using var connection = new NpgsqlConnection(await PostgresServer.GetAdminConnectionStringAsync());
        await connection.OpenAsync();

        var version = (string?)await new NpgsqlCommand("select version()", connection).ExecuteScalarAsync();
        var number = int.Parse((string)(await new NpgsqlCommand("show server_version_num", connection).ExecuteScalarAsync())!, CultureInfo.InvariantCulture);
        var encoding = (string?)await new NpgsqlCommand("show server_encoding", connection).ExecuteScalarAsync();

        Assert.StartsWith("PostgreSQL ", version, StringComparison.Ordinal);
        Assert.True(number >= 150000, $"server_version_num {number}");
        Assert.Equal("UTF8", encoding);
    }

    [Fact]
    public async Task CreateDatabaseAsync_gives_an_empty_database_that_a_second_call_does_not_share()
    {
        var first = await PostgresServer.CreateDatabaseAsync("Infra_Test");
        var second = await PostgresServer.CreateDatabaseAsync("Infra_Test");
        var firstName = new NpgsqlConnectionStringBuilder(first).Database!;
        var secondName = new NpgsqlConnectionStringBuilder(second).Database!;

        Assert.NotEqual(firstName, secondName);
        Assert.Matches("^infra_test_[0-9a-f]{32}$", firstName);
        Assert.Equal(0L, await ScalarAsync<long>(first, "select count(*) from pg_tables where schemaname not in ('pg_catalog', 'information_schema')"));

        await ScalarAsync<int>(first, "create table marker (id int); select 1");

        Assert.Equal(firstName, await ScalarAsync<string>(first, "select current_database()"));
        Assert.Equal(1L, await ScalarAsync<long>(first, "select count(*) from pg_tables where tablename = 'marker'"));
        Assert.Equal(0L, await ScalarAsync<long>(second, "select count(*) from pg_tables where tablename = 'marker'"));
    }

    [Fact]
    public void Names_are_cut_in_the_prefix_never_in_the_guid_and_only_plain_prefixes_are_taken()
    {
        var name = PostgresServer.UniqueName(new string('p', 80));

        Assert.Equal(63, name.Length);
        Assert.Matches("^p{30}_[0-9a-f]{32}$", name);
        Assert.Throws<ArgumentException>(() => PostgresServer.UniqueName("bad\"; drop"));
        Assert.Throws<ArgumentException>(() => PostgresServer.UniqueName("1st"));
    }

    [Fact]
    public async Task A_login_role_connects_with_its_password_has_no_privilege_and_a_wrong_password_is_refused()
    {
        var database = await PostgresServer.CreateDatabaseAsync("infra_roles");
        var role = await PostgresServer.CreateLoginRoleAsync(database, "reader");
        var login = PostgresServer.LoginConnectionString(database, role);

        Assert.Equal(role.Name, await ScalarAsync<string>(login, "select current_user"));
        Assert.Equal(new NpgsqlConnectionStringBuilder(database).Database, await ScalarAsync<string>(login, "select current_database()"));
        Assert.Equal(
            "f,f,f,f",
            await ScalarAsync<string>(database, $"select concat_ws(',', rolsuper, rolcreatedb, rolcreaterole, rolbypassrls) from pg_roles where rolname = '{role.Name}'"));
        Assert.True(new NpgsqlConnectionStringBuilder(login).Pooling);
        Assert.DoesNotContain(role.Password, role.ToString(), StringComparison.Ordinal);

        var wrong = PostgresServer.LoginConnectionString(database, role with { Password = role.Password + "x" });
        var refused = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync<string>(wrong, "select current_user"));
        Assert.Equal(PostgresErrorCodes.InvalidPassword, refused.SqlState); // 28P01
    }

    [Fact]
    public async Task On_CI_a_missing_variable_is_an_error_and_no_server_is_started()
    {
        var started = false;
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            PostgresServer.LocateAsync(name => name == "CI" ? "true" : null, () => { started = true; return Task.FromResult("Host=unused"); }));

        Assert.Contains(PostgresServer.ConnectionStringVariable, error.Message, StringComparison.Ordinal);
        Assert.Contains("build/test.sh", error.Message, StringComparison.Ordinal);
        Assert.False(started);
    }

    [Fact]
    public async Task The_variable_wins_over_a_private_cluster_and_without_CI_a_missing_one_starts_a_private_cluster()
    {
        var starts = 0;
        Task<string> Start() { starts++; return Task.FromResult("Host=private;Port=1"); }

        var configured = await PostgresServer.LocateAsync(
            name => name == PostgresServer.ConnectionStringVariable ? "Host=127.0.0.1;Port=5999;Username=u;Password=p;Database=postgres" : "true",
            Start);
        Assert.Equal(0, starts);
        Assert.Equal(5999, new NpgsqlConnectionStringBuilder(configured).Port);

        var developer = await PostgresServer.LocateAsync(_ => null, Start);
        Assert.Equal(1, starts);
        Assert.Equal("Host=private;Port=1", developer);
    }

    [Fact]
    public async Task A_malformed_variable_is_an_error_that_does_not_echo_its_value()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            PostgresServer.LocateAsync(name => name == PostgresServer.ConnectionStringVariable ? "NoSuchKeyword=s3cret" : null, () => Task.FromResult("unused")));

        Assert.Contains(PostgresServer.ConnectionStringVariable, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);
    }

    internal static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}

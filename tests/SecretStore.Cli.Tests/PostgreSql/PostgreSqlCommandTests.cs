using System.Text;
using Npgsql;
using SecretStore.Cli.Tests.DynamoDb;
using SecretStore.Cli.Tests.Infrastructure;
using SecretStore.Testing.PostgreSql;

namespace SecretStore.Cli.Tests.PostgreSql;

/// <summary>
/// The CLI on postgres: storage against the real server: the connection string (with its password) only ever in the
/// environment variable the storage names, never in any output; RSA and KMS protection; a settings file environment;
/// import from a store file; a resolve against an unreachable server leaves the file untouched.
/// </summary>
public sealed class PostgreSqlCommandTests(DynamoDbStoreFixture aws) : IClassFixture<DynamoDbStoreFixture>, IAsyncLifetime, IDisposable
{
    private const string Variable = "SHOP_PG";
    private readonly TempDirectory _folder = new();
    private string _connectionString = string.Empty;
    private string _password = string.Empty;

    public async Task InitializeAsync()
    {
        _connectionString = await PostgresServer.CreateDatabaseAsync("cli");
        _password = new NpgsqlConnectionStringBuilder(_connectionString).Password!;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Table_create_set_get_list_history_and_resolve_with_an_RSA_keyring()
    {
        Assert.Equal(0, (await RunAsync(null, "keys", "init", "keyring")).ExitCode);

        var create = await RunAsync(null, "table", "create");
        var again = await RunAsync(null, "table", "create");
        const string value = "pg-value\u00e9;\"quoted\"";
        var set = await RunAsync(Encoding.UTF8.GetBytes(value), "set", "shop/Db");
        var get = await RunAsync(null, "get", "shop/Db");
        var list = await RunAsync(null, "list", "shop");
        var history = await RunAsync(null, "history", "shop/Db");
        var json = _folder.Write("appsettings.json", "{\"Db\": \"#{secret:shop/Db}\"}");
        var resolve = await RunAsync(null, "resolve", "appsettings.json");

        Assert.True(create.ExitCode == 0, create.ToString());
        Assert.Equal($"postgres:${Variable}\tcreated\n", create.Stdout);
        Assert.Equal($"postgres:${Variable}\texists\n", again.Stdout);
        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Equal("shop/Db\trevision 1\tV2\tdefault\n", set.Stdout);
        Assert.Equal(Encoding.UTF8.GetBytes(value), get.StdoutBytes);
        Assert.Equal("Db\t1\tV2\tdefault\n", list.Stdout);
        Assert.StartsWith("1\t", history.Stdout, StringComparison.Ordinal);
        Assert.True(resolve.ExitCode == 0, resolve.ToString());
        Assert.Equal("{\"Db\": \"pg-value\u00e9;\\\"quoted\\\"\"}", File.ReadAllText(json));

        foreach (var result in new[] { create, again, set, get, list, history, resolve })
        {
            Assert.DoesNotContain(_password, result.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(_connectionString, result.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Import_of_a_store_file_into_a_new_schema_moves_its_records_as_they_are_and_its_store_id()
    {
        Assert.Equal(0, (await RunAsync(null, "keys", "init", "keyring")).ExitCode);
        var file = await RunAsync(Encoding.UTF8.GetBytes("from-the-file"), "set", "legacy/Token", "--store", "file:secrets.json");
        var fileId = await RunAsync(null, "store-id", "--store", "file:secrets.json");

        Assert.Equal(0, (await RunAsync(null, "table", "create")).ExitCode);
        var import = await RunAsync(null, "import", "secrets.json");
        var imported = await RunAsync(null, "get", "legacy/Token");
        var movedId = await RunAsync(null, "store-id");

        Assert.True(file.ExitCode == 0, file.ToString());
        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.Equal("from-the-file", imported.Stdout);
        Assert.Equal(fileId.Stdout, movedId.Stdout);
        Assert.NotEmpty(movedId.Stdout.Trim());

        // The store now has an id and records: a second file store's bound records are refused, nothing imported.
        Assert.Equal(0, (await RunAsync(Encoding.UTF8.GetBytes("other"), "set", "legacy/Other", "--store", "file:other.json")).ExitCode);
        var refused = await RunAsync(null, "import", "other.json");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("SSB3014", refused.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, (await RunAsync(null, "get", "legacy/Other")).ExitCode);
        Assert.DoesNotContain(_password, import.ToString() + refused, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_settings_file_environment_names_the_variable_and_an_inline_password_there_is_refused_without_echo()
    {
        Assert.Equal(0, (await RunAsync(null, "keys", "init", "keyring")).ExitCode);
        _folder.Write("secretstore.json", $$"""
            {
              "application": "shop",
              "protection": "rsa:keyring",
              "environments": {
                "Production": { "storage": "postgres:{{Variable}}" }
              }
            }
            """);

        Assert.Equal(0, (await RunAsync(null, ["table", "create", "--env", "Production"], withStore: false)).ExitCode);
        var set = await RunAsync(Encoding.UTF8.GetBytes("from-settings"), ["set", "Db", "--env", "Production"], withStore: false);
        var get = await RunAsync(null, ["get", "Db", "--env", "Production"], withStore: false);
        // The settings file is committed: a password in it is refused wherever it is, naming the place, not the text.
        _folder.Write("secretstore.json", """
            {
              "application": "shop",
              "protection": "rsa:keyring",
              "environments": {
                "Production": { "storage": "postgres:Host=db;Password=pw-canary-77c1" }
              }
            }
            """);
        var leaky = await RunAsync(null, ["get", "Db", "--env", "Production"], withStore: false);

        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Equal("from-settings", get.Stdout);
        Assert.NotEqual(0, leaky.ExitCode);
        Assert.Contains("holds a password inline", leaky.Stderr, StringComparison.Ordinal);
        Assert.Contains("SSB1021", leaky.Stderr, StringComparison.Ordinal);
        Assert.Contains("secretstore.json", leaky.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-canary-77c1", leaky.ToString(), StringComparison.Ordinal);

        // The same text on the command line is SSB0001 (docs/postgres.md names both).
        var option = await RunAsync(null, ["get", "shop/Db", "--store", "postgres:Host=db;Password=pw-canary-77c1"], withStore: false);
        Assert.Contains("SSB0001", option.Stderr, StringComparison.Ordinal);
        Assert.Contains("holds a password inline", option.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-canary-77c1", option.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KMS_protection_on_PostgreSQL_storage()
    {
        var key = aws.Kms.CreateKey("pg-cli-" + Guid.NewGuid().ToString("N")[..8]);
        var environment = new Dictionary<string, string>(aws.Environment("unused", aws.Kms.AllKeyIds()))
        {
            ["SECRETSTORE_STORE"] = "postgres:" + Variable,
            ["SECRETSTORE_PROTECTION"] = "kms",
            [Variable] = _connectionString,
        };

        Assert.Equal(0, (await CliProcess.RunAsync(_folder.Path, ["table", "create"], environment)).ExitCode);
        var set = await CliProcess.RunAsync(_folder.Path, ["set", "shop/Api", "--key-id", key.AliasName!], environment, Encoding.UTF8.GetBytes("kms-on-postgres"));
        var get = await CliProcess.RunAsync(_folder.Path, ["get", "shop/Api"], environment);

        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Equal($"shop/Api\trevision 1\tV2\t{key.AliasName}\n", set.Stdout);
        Assert.Equal("kms-on-postgres", get.Stdout);
    }

    [Fact]
    public async Task A_resolve_against_an_unreachable_server_is_SSB2005_and_leaves_the_file_untouched()
    {
        Assert.Equal(0, (await RunAsync(null, "keys", "init", "keyring")).ExitCode);
        var source = "{\"Db\": \"#{secret:shop/Db}\", \"Other\": 1}\n";
        var json = _folder.Write("appsettings.json", source);
        var before = File.GetLastWriteTimeUtc(json);
        var unreachable = new NpgsqlConnectionStringBuilder(_connectionString) { Port = 1, Timeout = 2 }.ConnectionString;
        var environment = new Dictionary<string, string> { ["SECRETSTORE_STORE"] = "postgres:" + Variable, ["SECRETSTORE_PROTECTION"] = "rsa:keyring", [Variable] = unreachable };

        var resolve = await CliProcess.RunAsync(_folder.Path, ["resolve", "appsettings.json"], environment);

        Assert.NotEqual(0, resolve.ExitCode);
        Assert.Contains("error SSB2005", resolve.Stderr, StringComparison.Ordinal);
        Assert.Equal(source, File.ReadAllText(json));
        Assert.Equal(before, File.GetLastWriteTimeUtc(json));
        Assert.Equal(["appsettings.json", "keyring"], Directory.EnumerateFileSystemEntries(_folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(_password, resolve.ToString(), StringComparison.Ordinal);
    }

    private Task<ProcessResult> RunAsync(byte[]? stdin, params string[] args) => RunAsync(stdin, args, withStore: true);

    private Task<ProcessResult> RunAsync(byte[]? stdin, string[] args, bool withStore)
    {
        var environment = new Dictionary<string, string> { [Variable] = _connectionString };
        if (withStore)
        {
            environment["SECRETSTORE_STORE"] = "postgres:" + Variable;
            environment["SECRETSTORE_PROTECTION"] = "rsa:keyring";
        }

        return CliProcess.RunAsync(_folder.Path, args, environment, stdin);
    }
}

/// <summary><c>table sql</c>: the script 'table create' runs and the grants, printed without connecting; names are quoted.</summary>
public sealed class TableSqlCommandTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Table_sql_prints_the_create_script_and_the_grants_with_every_name_quoted()
    {
        var schema = new SecretStore.PostgreSql.PostgreSqlSchema("team_store");

        var script = await CliProcess.RunAsync(_folder.Path, ["table", "sql", "--schema", "team_store"]);
        var grants = await CliProcess.RunAsync(_folder.Path, ["table", "sql", "--schema", "team_store", "--grants-only", "--reader", "odd\"role'=Sh'op", "--writer", "ci"]);

        Assert.True(script.ExitCode == 0, script.ToString());
        Assert.Equal(schema.CreateScript(), script.Stdout);
        Assert.Equal("\n" + schema.ReaderGrantScript("odd\"role'", "Sh'op") + "\n" + schema.WriterGrantScript("ci"), grants.Stdout);
        Assert.Contains("TO \"odd\"\"role'\";", grants.Stdout, StringComparison.Ordinal);
        Assert.Contains("VALUES ('odd\"role''', 'Sh''op', false)", grants.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--schema", "Bad-Name")]
    [InlineData("--schema", "public")]
    [InlineData("--schema", "pg_temp")]
    [InlineData("--reader", "reader_without_app")]
    [InlineData("--reader", "=Shop")]
    [InlineData("--writer", "ci=")]
    public async Task Table_sql_refuses_a_bad_name_or_form_as_a_usage_error(string option, string value)
    {
        var result = await CliProcess.RunAsync(_folder.Path, ["table", "sql", option, value]);

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.Stdout);
    }
}

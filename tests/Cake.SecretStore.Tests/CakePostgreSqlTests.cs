using System.Text.Json;
using Npgsql;
using SecretStore.Aws;
using SecretStore.Configuration;
using SecretStore.PostgreSql;
using SecretStore.Secrets;
using SecretStore.Testing.PostgreSql;

namespace Cake.SecretStore.Tests;

/// <summary>
/// postgres: storage through the real Cake runner against the real server: the addin loads Npgsql from its own package,
/// reads the connection string from the variable the Storage setting names, and neither the value nor the password shows
/// in Cake's output.
/// </summary>
[Collection(CakeCollection.Name)]
public sealed class CakePostgreSqlTests(AddinFeed feed) : IDisposable
{
    private const string Value = "canary-cake-pg-\"<&>-6d2a";
    private const string Variable = "CAKE_PG";
    private readonly CakeWorkspace _workspace = new(feed);

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public async Task ResolveSecrets_and_SetSecret_with_postgres_storage_read_the_connection_string_from_the_named_variable()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("cake");
        var password = new NpgsqlConnectionStringBuilder(connectionString).Password!;
        await using (var repository = PostgreSqlSecretRepository.Create(connectionString))
        {
            await repository.CreateSchemaAsync();
        }

        var settings = new StoreSettings { Storage = StorageKind.PostgreSql, PostgreSqlConnection = connectionString, KeyringPath = _workspace.KeyringPath };
        using (var store = SecretStoreFactory.Default.Open(settings))
        {
            await store.SetAsync(new SecretId("Shop", "DbPassword"), Value);
        }

        _workspace.Write("publish/appsettings.json", """{ "Db": "#{secret:DbPassword}" }""");
        var script = $$"""
            #addin nuget:?package=Cake.SecretStore&version=0.1.0

            Task("Default").Does(() =>
            {
                var settings = new SecretStoreSettings { Storage = "postgres:{{Variable}}", Protection = "rsa:./.secretstore/keyring", DefaultApplication = "Shop" };
                ResolveSecrets("./publish/*.json", settings);
                System.IO.File.WriteAllText("set.txt", SetSecret("Shop", "Api", "canary-cake-pg-api-1b7e", settings).Revision.ToString());
            });

            RunTarget("Default");
            """;

        var result = _workspace.RunCake(script, new Dictionary<string, string> { [Variable] = connectionString });

        Assert.True(result.ExitCode == 0, result.Output);
        using var json = JsonDocument.Parse(_workspace.Read("publish/appsettings.json"));
        Assert.Equal(Value, json.RootElement.GetProperty("Db").GetString());
        Assert.Equal("1", _workspace.Read("set.txt"));
        using (var store = SecretStoreFactory.Default.Open(settings))
        {
            Assert.Equal("canary-cake-pg-api-1b7e", (await store.GetAsync(new SecretId("Shop", "Api"))).Value);
        }

        Assert.DoesNotContain("canary-cake-pg", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(password, result.Output, StringComparison.Ordinal);
    }
}

using System.Text;
using Npgsql;
using SecretStore.Aws;
using SecretStore.Build.Tests.Infrastructure;
using SecretStore.Configuration;
using SecretStore.PostgreSql;
using SecretStore.Secrets;
using SecretStore.Testing.PostgreSql;

namespace SecretStore.Build.Tests;

/// <summary>
/// A real publish of samples/WorkerApp from a PostgreSQL store on the real server: the MSBuild property names the
/// environment variable (SecretStoreStorage=postgres:WORKER_PG), the task reads the connection string from the
/// environment, and neither the values nor the connection string's password reach the output or the binlog. A
/// connection string given inline as a property is refused before anything is resolved.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class PostgreSqlPublishTests(PackageFeed feed)
{
    private const string Variable = "WORKER_PG";

    [Fact]
    public async Task Publish_with_SecretStoreStorage_postgres_resolves_from_the_server_and_the_binlog_holds_no_value_and_no_password()
    {
        var secrets = StoragePairingPublishTests.NewSecrets("CnryPg");
        var project = SampleProject.Create(feed, "WorkerApp", "WorkerApp-postgres");
        var keyring = (await TestStore.CreateAsync(Path.Combine(project.WorkDirectory, "store"), [])).KeyringDirectory;
        var connectionString = await PostgresServer.CreateDatabaseAsync("publish");
        var password = new NpgsqlConnectionStringBuilder(connectionString).Password!;
        var settings = new StoreSettings { Storage = StorageKind.PostgreSql, PostgreSqlConnection = Variable, Protection = ProtectionKind.Rsa, KeyringPath = keyring };
        await using (var repository = PostgreSqlSecretRepository.Create(connectionString))
        {
            await repository.CreateSchemaAsync();
        }

        // Seeded through the engine as every face opens a store; in code the connection string may be given directly.
        using (var store = SecretStoreFactory.Default.Open(settings with { PostgreSqlConnection = connectionString }))
        {
            await StoragePairingPublishTests.SeedAsync(store, secrets);
        }

        var publishDirectory = Path.Combine(project.WorkDirectory, "publish");
        var binlog = Path.Combine(project.WorkDirectory, "logs", "publish.binlog");
        var publish = await project.PublishAsync(
            publishDirectory,
            [$"-p:SecretStoreStorage=postgres:{Variable}", $"-p:SecretStoreKeyring={keyring}", $"-bl:{binlog}"],
            new Dictionary<string, string?> { [Variable] = connectionString });

        Assert.True(publish.Succeeded, publish.ToString());
        StoragePairingPublishTests.AssertResolved(publishDirectory, secrets);
        var scanner = new SecretScanner(secrets, [password]);
        Assert.Empty(scanner.FindInText(publish.Output, "publish output"));
        Assert.Empty(scanner.FindInText(await LogReplay.ToDiagnosticTextAsync(binlog), "binlog replayed at diagnostic verbosity"));
        Assert.Empty(scanner.Find(LogReplay.Decompress(binlog), "binlog event stream"));
        Assert.DoesNotContain(password, Encoding.UTF8.GetString(LogReplay.Decompress(binlog)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_inline_connection_string_in_SecretStoreStorage_is_SSB0003_and_nothing_is_resolved()
    {
        var project = SampleProject.Create(feed, "WorkerApp", "WorkerApp-postgres-inline");
        var keyring = (await TestStore.CreateAsync(Path.Combine(project.WorkDirectory, "store"), [])).KeyringDirectory;
        var publishDirectory = Path.Combine(project.WorkDirectory, "publish");

        var publish = await project.PublishAsync(publishDirectory, ["-p:SecretStoreStorage=postgres:Host=127.0.0.1%3BDatabase=secrets%3BUsername=reader", $"-p:SecretStoreKeyring={keyring}"]);

        Assert.False(publish.Succeeded);
        Assert.Contains("SSB0003", publish.Output, StringComparison.Ordinal);
        Assert.Contains("MSBuild properties are recorded in binary logs", publish.Output, StringComparison.Ordinal);
        var appsettings = Path.Combine(publishDirectory, "appsettings.json");
        Assert.True(!File.Exists(appsettings) || File.ReadAllText(appsettings).Contains("#{secret:", StringComparison.Ordinal));
    }
}

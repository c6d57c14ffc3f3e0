using System.Text.Json;
using SecretStore.Aws;
using SecretStore.Aws.DynamoDb;
using SecretStore.Configuration;
using SecretStore.Secrets;
using SecretStore.Testing.Aws.DynamoDb;
using SecretStore.Testing.Aws.Kms;

namespace Cake.SecretStore.Tests;

/// <summary>
/// The Aws provider through the real Cake runner: DynamoDB Local (started by build/test.sh) and the KMS fixture
/// running in this test process, reached by the addin over loopback through ServiceUrl and KmsServiceUrl.
/// </summary>
[Collection(CakeCollection.Name)]
public sealed class CakeAwsProviderTests(AddinFeed feed) : IAsyncLifetime
{
    private const string DbPassword = "canary-aws-db-\"<&>-4b1e";

    private readonly CakeWorkspace _workspace = new(feed);
    private readonly string _table = DynamoDbLocal.UniqueTableName("cake");
    private KmsFixtureServer _kms = null!;
    private Uri _dynamoDb = null!;

    public async Task InitializeAsync()
    {
        _dynamoDb = await DynamoDbLocal.GetServiceUrlAsync();
        _kms = await KmsFixtureServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _kms.DisposeAsync();
        _workspace.Dispose();
    }

    [Fact]
    public async Task ResolveSecrets_with_the_Aws_provider_reads_DynamoDB_and_unwraps_with_KMS()
    {
        var key = _kms.CreateKey("cake-" + Guid.NewGuid().ToString("N")[..8]);
        var settings = new StoreSettings
        {
            Storage = StorageKind.DynamoDb, Protection = ProtectionKind.Kms,
            Table = _table,
            Region = KmsFixtureServer.Region,
            ServiceUrl = _dynamoDb.ToString(),
            KmsServiceUrl = _kms.ServiceUrl.ToString(),
            KeyId = key.AliasName,
        };
        using (var store = SecretStoreFactory.Default.Open(settings))
        {
            await ((DynamoDbSecretRepository)store.Repository).CreateTableAsync();
            await store.SetAsync(new SecretId("Shop", "DbPassword"), DbPassword);
        }

        _workspace.Write("publish/appsettings.json", """{ "Db": "#{secret:DbPassword}" }""");
        var script = $$"""
            #addin nuget:?package=Cake.SecretStore&version=0.1.0

            Task("Default").Does(() =>
            {
                ResolveSecrets("./publish/*.json", new SecretStoreSettings
                {
                    Protection = "kms",
                    Table = "{{_table}}",
                    Region = "{{settings.Region}}",
                    ServiceUrl = "{{settings.ServiceUrl}}",
                    KmsServiceUrl = "{{settings.KmsServiceUrl}}",
                    KeyId = "{{key.AliasName}}",
                    DefaultApplication = "Shop",
                });
            });

            RunTarget("Default");
            """;

        var result = _workspace.RunCake(script);

        Assert.True(result.ExitCode == 0, result.Output);
        using var json = JsonDocument.Parse(_workspace.Read("publish/appsettings.json"));
        Assert.Equal(DbPassword, json.RootElement.GetProperty("Db").GetString());
        Assert.True(_kms.RequestCount("Decrypt") >= 1, "the addin never asked KMS to unwrap the data key");
        Assert.DoesNotContain("canary-aws-db", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveSecrets_refuses_a_record_planted_under_a_second_KMS_key_with_SSB3012_before_any_Decrypt()
    {
        var expected = _kms.CreateKey("cake-expected-" + Guid.NewGuid().ToString("N")[..8]);
        var foreign = _kms.CreateKey("cake-foreign-" + Guid.NewGuid().ToString("N")[..8]);
        var settings = new StoreSettings
        {
            Storage = StorageKind.DynamoDb, Protection = ProtectionKind.Kms,
            Table = _table,
            Region = KmsFixtureServer.Region,
            ServiceUrl = _dynamoDb.ToString(),
            KmsServiceUrl = _kms.ServiceUrl.ToString(),
            KeyId = foreign.Arn,
        };

        // The table writer's side: a consistent record under a key the reader's role may also decrypt with.
        using (var store = SecretStoreFactory.Default.Open(settings))
        {
            await ((DynamoDbSecretRepository)store.Repository).CreateTableAsync();
            await store.SetAsync(new SecretId("Shop", "DbPassword"), "canary-planted-value");
        }

        const string Config = """{ "Db": "#{secret:DbPassword}" }""";
        _workspace.Write("publish/appsettings.json", Config);
        var script = $$"""
            #addin nuget:?package=Cake.SecretStore&version=0.1.0

            Task("Default").Does(() =>
            {
                ResolveSecrets("./publish/*.json", new SecretStoreSettings
                {
                    Protection = "kms",
                    Table = "{{_table}}",
                    Region = "{{settings.Region}}",
                    ServiceUrl = "{{settings.ServiceUrl}}",
                    KmsServiceUrl = "{{settings.KmsServiceUrl}}",
                    AllowedKeyIds = { "{{expected.AliasName}}" },
                    DefaultApplication = "Shop",
                });
            });

            RunTarget("Default");
            """;
        _kms.ResetCounters();

        var result = _workspace.RunCake(script);

        Assert.True(result.ExitCode != 0, result.Output);
        Assert.Contains("SSB3012", result.Output, StringComparison.Ordinal);
        Assert.Contains(foreign.Arn, result.Output, StringComparison.Ordinal);
        Assert.Equal(Config, _workspace.Read("publish/appsettings.json"));
        Assert.Equal(0, _kms.RequestCount("Decrypt"));
        Assert.DoesNotContain("canary-planted-value", result.Output, StringComparison.Ordinal);
    }
}

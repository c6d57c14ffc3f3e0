using SecretStore.Testing.DynamoDb;
using SecretStore.Testing.Kms;

namespace SecretStore.Cli.Tests.DynamoDb;

/// <summary>
/// DynamoDB Local (from build/test.sh, SECRETSTORE_TEST_DYNAMODB_URL) plus the KMS fixture server running in
/// the test process; the CLI reaches both over loopback through --service-url and --kms-service-url.
/// </summary>
public sealed class DynamoDbStoreFixture : IAsyncLifetime
{
    public KmsFixtureServer Kms { get; private set; } = null!;

    public Uri DynamoDbUrl { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        DynamoDbUrl = await DynamoDbLocal.GetServiceUrlAsync();
        Kms = await KmsFixtureServer.StartAsync();
    }

    public async Task DisposeAsync() => await Kms.DisposeAsync();

    /// <summary>The store options for one table, as environment variables (the CLI reads SECRETSTORE_*).</summary>
    public Dictionary<string, string> Environment(string table) => new()
    {
        ["SECRETSTORE_STORE"] = "dynamodb:" + table,
        ["SECRETSTORE_REGION"] = KmsFixtureServer.Region,
        ["SECRETSTORE_SERVICE_URL"] = DynamoDbUrl.ToString(),
        ["SECRETSTORE_KMS_SERVICE_URL"] = Kms.ServiceUrl.ToString(),
    };
}

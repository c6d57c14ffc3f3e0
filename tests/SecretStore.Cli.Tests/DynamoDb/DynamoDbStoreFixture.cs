using SecretStore.Testing.Aws.DynamoDb;
using SecretStore.Testing.Aws.Kms;

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
    /// <param name="table">The DynamoDB table.</param>
    /// <param name="allowedKeyIds">The master keys a reader accepts (<c>SECRETSTORE_ALLOWED_KEY_IDS</c>); none: the variable is not set.</param>
    public Dictionary<string, string> Environment(string table, IEnumerable<string>? allowedKeyIds = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["SECRETSTORE_STORE"] = "dynamodb:" + table,
            ["SECRETSTORE_REGION"] = KmsFixtureServer.Region,
            ["SECRETSTORE_SERVICE_URL"] = DynamoDbUrl.ToString(),
            ["SECRETSTORE_KMS_SERVICE_URL"] = Kms.ServiceUrl.ToString(),
        };
        if (allowedKeyIds?.ToArray() is { Length: > 0 } allowed)
        {
            environment["SECRETSTORE_ALLOWED_KEY_IDS"] = string.Join(",", allowed);
        }

        return environment;
    }
}

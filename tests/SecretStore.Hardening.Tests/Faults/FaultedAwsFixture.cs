using Amazon.DynamoDBv2;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using SecretStore.Aws;
using SecretStore.Aws.DynamoDb;
using SecretStore.Aws.Kms;
using SecretStore.Stores;
using SecretStore.Testing.DynamoDb;
using SecretStore.Testing.Faults;
using SecretStore.Testing.Kms;

namespace SecretStore.Hardening.Tests.Faults;

/// <summary>
/// DynamoDB Local (the real process build/test.sh starts) and the KMS fixture, each behind a <see cref="FaultProxy"/>;
/// SDK clients with the product's retry policy (standard mode, 3 attempts) and a short timeout so that a stall
/// costs about a second, not the SDK's default 100 s.
/// </summary>
public sealed class FaultedAwsFixture : IAsyncLifetime
{
    public static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(1);

    public KmsFixtureServer Kms { get; private set; } = null!;

    public FaultProxy DynamoDbProxy { get; private set; } = null!;

    public FaultProxy KmsProxy { get; private set; } = null!;

    public AmazonDynamoDBClient DirectDynamoDb { get; private set; } = null!;

    public string TableName { get; } = DynamoDbLocal.UniqueTableName("faults");

    public FixtureKey Key { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Kms = await KmsFixtureServer.StartAsync();
        Key = Kms.CreateKey("faults-" + Guid.NewGuid().ToString("N"));
        DirectDynamoDb = await DynamoDbLocal.CreateClientAsync();
        await new DynamoDbSecretRepository(DirectDynamoDb, TableName).CreateTableAsync(TimeSpan.FromSeconds(30));
        DynamoDbProxy = await FaultProxy.StartAsync(await DynamoDbLocal.GetServiceUrlAsync(), dynamoDb: true);
        KmsProxy = await FaultProxy.StartAsync(Kms.ServiceUrl, dynamoDb: false);
    }

    /// <summary>A store whose every call goes through the proxies; no data-key cache, so every read reaches KMS.</summary>
    public AwsSecretStore NewStore(bool allowV1 = false)
    {
        var dynamo = new AmazonDynamoDBClient(new BasicAWSCredentials("local", "local"), Configure(new AmazonDynamoDBConfig(), DynamoDbProxy));
        var kms = new AmazonKeyManagementServiceClient(new BasicAWSCredentials("local", "local"), Configure(new AmazonKeyManagementServiceConfig(), KmsProxy));
        return new AwsSecretStore(
            new DynamoDbSecretRepository(dynamo, TableName),
            new KmsKeyManager(kms, new KmsKeyManagerOptions { CacheDataKeys = false, AllowedKeyIds = [Key.AliasName!] }),
            new EnvelopeSecretStoreOptions { DefaultKeyId = Key.AliasName, AllowV1 = allowV1 });
    }

    public void Reset()
    {
        DynamoDbProxy.Clear();
        KmsProxy.Clear();
        DynamoDbProxy.ResetCounters();
        KmsProxy.ResetCounters();
    }

    public async Task DisposeAsync()
    {
        await DynamoDbProxy.DisposeAsync();
        await KmsProxy.DisposeAsync();
        try
        {
            await DirectDynamoDb.DeleteTableAsync(TableName);
        }
        catch (Amazon.DynamoDBv2.Model.ResourceNotFoundException)
        {
        }

        DirectDynamoDb.Dispose();
        await Kms.DisposeAsync();
    }

    private static T Configure<T>(T config, FaultProxy proxy)
        where T : ClientConfig
    {
        config.ServiceURL = proxy.ServiceUrl.ToString();
        config.AuthenticationRegion = "us-east-1";
        config.RetryMode = RequestRetryMode.Standard;
        config.MaxErrorRetry = SecretStore.Aws.Clients.AwsClientFactory.MaxErrorRetry;
        config.Timeout = ClientTimeout;
        return config;
    }
}

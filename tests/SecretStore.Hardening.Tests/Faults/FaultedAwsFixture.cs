using Amazon.DynamoDBv2;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using SecretStore.Aws;
using SecretStore.Aws.DynamoDb;
using SecretStore.Aws.Kms;
using SecretStore.Stores;
using SecretStore.Testing.Aws.DynamoDb;
using SecretStore.Testing.Aws.Faults;
using SecretStore.Testing.Aws.Kms;

namespace SecretStore.Hardening.Tests.Faults;

/// <summary>
/// DynamoDB Local (the real process build/test.sh starts) and the KMS fixture, each behind a <see cref="FaultProxy"/>;
/// SDK clients with the product's retry policy (standard mode, 3 attempts) and a short timeout so that a stall
/// costs two seconds, not the SDK's default 100 s. Two, not one: on a loaded 2-core CI machine an unfaulted
/// attempt (DynamoDB Local's first request, a GC pause) took over a second and turned a set-up step into SSB2005.
/// </summary>
public sealed class FaultedAwsFixture : IAsyncLifetime
{
    public static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(2);

    /// <summary>For steps that are not under test (seeding, warm-up): long enough never to be the cause of a failure.</summary>
    public static readonly TimeSpan SetupTimeout = TimeSpan.FromSeconds(60);

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

        // Warm every path once (JIT in DynamoDB Local, the proxies and the KMS fixture) so that the first test's
        // unfaulted attempts are as fast as the others'.
        using var warm = NewStore(timeout: SetupTimeout);
        var id = new SecretStore.Secrets.SecretId("faults-warmup", "Db");
        await warm.SetAsync(id, "warm-up");
        await warm.GetAsync(id);
        Reset();
    }

    /// <summary>A store whose every call goes through the proxies; no data-key cache, so every read reaches KMS.</summary>
    public EnvelopeSecretStore NewStore(bool allowV1 = false, TimeSpan? timeout = null)
    {
        var dynamo = new AmazonDynamoDBClient(new BasicAWSCredentials("local", "local"), Configure(new AmazonDynamoDBConfig(), DynamoDbProxy, timeout ?? ClientTimeout));
        var kms = new AmazonKeyManagementServiceClient(new BasicAWSCredentials("local", "local"), Configure(new AmazonKeyManagementServiceConfig(), KmsProxy, timeout ?? ClientTimeout));
        return new EnvelopeSecretStore(
            new DynamoDbSecretRepository(dynamo, TableName),
            new KmsKeyManager(kms, new KmsKeyManagerOptions { CacheDataKeys = false, AllowedKeyIds = [Key.AliasName!] }),
            new EnvelopeSecretStoreOptions { DefaultKeyId = Key.AliasName, AllowV1 = allowV1 },
            ownsComponents: true);
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

    private static T Configure<T>(T config, FaultProxy proxy, TimeSpan timeout)
        where T : ClientConfig
    {
        config.ServiceURL = proxy.ServiceUrl.ToString();
        config.AuthenticationRegion = "us-east-1";
        config.RetryMode = RequestRetryMode.Standard;
        config.MaxErrorRetry = SecretStore.Aws.Clients.AwsClientFactory.MaxErrorRetry;
        config.Timeout = timeout;
        return config;
    }
}

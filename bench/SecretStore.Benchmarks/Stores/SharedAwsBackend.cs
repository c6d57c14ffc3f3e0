using Amazon.DynamoDBv2;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using SecretStore.Aws;
using SecretStore.Aws.DynamoDb;
using SecretStore.Aws.Kms;
using SecretStore.Benchmarks.Support;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Testing.Aws.DynamoDb;
using SecretStore.Testing.Aws.Kms;

namespace SecretStore.Benchmarks.Stores;

/// <summary>The KMS fixture, the SDK clients and the seeded tables shared by every case of one process.</summary>
internal sealed class SharedAwsBackend
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static SharedAwsBackend? _instance;
    private readonly Dictionary<int, string> _tables = [];

    private SharedAwsBackend(KmsFixtureServer kms, FixtureKey key, AmazonKeyManagementServiceClient kmsClient, CountingDynamoDbClient dynamoDb)
    {
        Kms = kms;
        Key = key;
        KmsClient = kmsClient;
        DynamoDb = dynamoDb;
    }

    public KmsFixtureServer Kms { get; }

    public FixtureKey Key { get; }

    public AmazonKeyManagementServiceClient KmsClient { get; }

    public CountingDynamoDbClient DynamoDb { get; }

    public static async Task<SharedAwsBackend> GetAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_instance is null)
            {
                var url = await DynamoDbLocal.GetServiceUrlAsync();
                var dynamoDb = new CountingDynamoDbClient(
                    new BasicAWSCredentials("local", "local"),
                    new AmazonDynamoDBConfig { ServiceURL = url.ToString(), AuthenticationRegion = "us-east-1", RetryMode = RequestRetryMode.Standard, MaxErrorRetry = 2 });
                var kms = await KmsFixtureServer.StartAsync();
                _instance = new SharedAwsBackend(kms, kms.CreateKey("bench"), kms.CreateClient(), dynamoDb);
            }

            return _instance;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A table holding the first <paramref name="count"/> workload secrets, written once per process.</summary>
    public async Task<string> SeededTableAsync(int count)
    {
        await Gate.WaitAsync();
        try
        {
            if (_tables.TryGetValue(count, out var existing))
            {
                return existing;
            }

            var table = DynamoDbLocal.UniqueTableName($"bench-{count}");
            var latency = Kms.Latency;
            Kms.Latency = TimeSpan.Zero;
            using (var store = new EnvelopeSecretStore(new DynamoDbSecretRepository(DynamoDb, table), new KmsKeyManager(KmsClient, new KmsKeyManagerOptions { AllowedKeyIds = [Key.AliasName!] }), new EnvelopeSecretStoreOptions { DefaultKeyId = Key.AliasName }, ownsComponents: true))
            {
                await ((DynamoDbSecretRepository)store.Repository).CreateTableAsync();
                await Parallel.ForEachAsync(
                    Workload.Secrets(count),
                    new ParallelOptions { MaxDegreeOfParallelism = 8 },
                    async (secret, token) => await store.SetAsync(new SecretId(Workload.Application, secret.Name), secret.Value, cancellationToken: token));
            }

            Kms.Latency = latency;
            _tables[count] = table;
            return table;
        }
        finally
        {
            Gate.Release();
        }
    }
}

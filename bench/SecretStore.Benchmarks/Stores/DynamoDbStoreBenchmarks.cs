using Amazon.DynamoDBv2;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using BenchmarkDotNet.Attributes;
using SecretStore.Aws;
using SecretStore.Aws.DynamoDb;
using SecretStore.Aws.Kms;
using SecretStore.Benchmarks.Support;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Testing.DynamoDb;
using SecretStore.Testing.Kms;

namespace SecretStore.Benchmarks.Stores;

/// <summary>
/// Get-many of N secrets from DynamoDB Local + the loopback KMS fixture, with 0 or 5 ms injected per KMS
/// call, from a cold data-key cache each time. Each run asserts its requests: KMS Decrypt calls ≤ N (one per
/// distinct data key) and BatchGetItem calls ≤ ceil(N/100) plus one per answer with unprocessed keys.
/// <c>BatchGetRtt</c> (one BatchGetItem of up to 100 keys) and <c>KmsDecryptRtt</c> (one Decrypt) give the
/// round trips for the floor: ceil(N/100) × BatchGet RTT + ceil(N/8) × KMS RTT (8 = the default
/// concurrency). DynamoDB Local comes from SECRETSTORE_TEST_DYNAMODB_URL, as in the tests.
/// </summary>
[MemoryDiagnoser]
public class DynamoDbStoreBenchmarks
{
    private KmsFixtureServer _kms = null!;
    private AmazonKeyManagementServiceClient _kmsClient = null!;
    private CountingDynamoDbClient _dynamoDb = null!;
    private AwsSecretStore _store = null!;
    private SecretId[] _ids = null!;
    private SecretId[] _oneBatch = null!;
    private byte[] _blob = null!;
    private Dictionary<string, string> _blobContext = null!;

    /// <summary>Secrets fetched in one call.</summary>
    [ParamsSource(nameof(Sizes))]
    public int N { get; set; } = 10;

    /// <summary>Latency the KMS fixture adds to every call.</summary>
    [Params(0, 5)]
    public int KmsLatencyMs { get; set; }

    /// <summary>The sizes to run (see <see cref="SmokeMode"/>).</summary>
    public static IEnumerable<int> Sizes => SmokeMode.StoreSizes;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var url = await DynamoDbLocal.GetServiceUrlAsync();
        _dynamoDb = new CountingDynamoDbClient(
            new BasicAWSCredentials("local", "local"),
            new AmazonDynamoDBConfig { ServiceURL = url.ToString(), AuthenticationRegion = "us-east-1", RetryMode = RequestRetryMode.Standard, MaxErrorRetry = 2 });
        _kms = await KmsFixtureServer.StartAsync();
        var key = _kms.CreateKey("bench");
        _kmsClient = _kms.CreateClient();
        var repository = new DynamoDbSecretRepository(_dynamoDb, DynamoDbLocal.UniqueTableName("bench"));
        _store = new AwsSecretStore(repository, new KmsKeyManager(_kmsClient), new EnvelopeSecretStoreOptions { DefaultKeyId = key.AliasName });
        await _store.CreateTableAsync();
        await Parallel.ForEachAsync(
            Workload.Secrets(N),
            new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (secret, token) => await _store.SetAsync(new SecretId(Workload.Application, secret.Name), secret.Value, cancellationToken: token));
        _ids = BenchData.Ids(N);
        _oneBatch = [.. _ids.Take(DynamoDbSecretRepository.MaxKeysPerBatchGet)];

        var context = new Dictionary<string, string> { ["purpose"] = "rtt" };
        var generated = await _kmsClient.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, KeySpec = DataKeySpec.AES_256, EncryptionContext = context });
        _blob = generated.CiphertextBlob.ToArray();
        _blobContext = context;
        _kms.Latency = TimeSpan.FromMilliseconds(KmsLatencyMs);
        _kms.ResetCounters();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        // Shown in the BenchmarkDotNet log: how much concurrency the store really used against KMS.
        Console.WriteLine($"// KMS fixture: at most {_kms.MaxConcurrentRequests} calls in flight at once (N={N}, latency {KmsLatencyMs} ms)");
        _store.Dispose();
        _kmsClient.Dispose();
        _dynamoDb.Dispose();
        await _kms.DisposeAsync();
    }

    [Benchmark]
    public async Task<int> GetMany()
    {
        _store.KeyManager.ClearCache();
        var decryptsBefore = _kms.RequestCount("Decrypt");
        _dynamoDb.Reset();
        var secrets = await _store.GetManyAsync(_ids);
        var decrypts = _kms.RequestCount("Decrypt") - decryptsBefore;
        var allowedBatchGets = ((N + 99) / 100) + _dynamoDb.UnprocessedAnswers;
        if (secrets.Count != N || decrypts > N || _dynamoDb.BatchGets > allowedBatchGets)
        {
            throw new InvalidOperationException(
                $"GetMany of {N}: {secrets.Count} secrets, {decrypts} KMS Decrypt calls (at most {N}), {_dynamoDb.BatchGets} BatchGetItem calls (at most {allowedBatchGets}).");
        }

        return secrets.Count;
    }

    [Benchmark]
    public async Task<int> BatchGetRtt() => (await _store.Repository.GetManyAsync(_oneBatch)).Count;

    [Benchmark]
    public async Task<int> KmsDecryptRtt()
    {
        var response = await _kmsClient.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(_blob), EncryptionContext = _blobContext });
        return (int)response.Plaintext.Length;
    }
}

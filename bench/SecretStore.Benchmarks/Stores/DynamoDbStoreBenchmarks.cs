using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using BenchmarkDotNet.Attributes;
using SecretStore.Aws;
using SecretStore.Aws.DynamoDb;
using SecretStore.Aws.Kms;
using SecretStore.Benchmarks.Support;
using SecretStore.Testing.Aws.DynamoDb;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Testing.Aws.Kms;

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
    private EnvelopeSecretStore _store = null!;
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
        // One KMS fixture, client and seeded table per process and size: in-process runs (compare.sh) reuse
        // them across cases instead of writing N secrets again for every method and latency.
        var backend = await SharedAwsBackend.GetAsync();
        _kms = backend.Kms;
        _kmsClient = backend.KmsClient;
        _dynamoDb = backend.DynamoDb;
        var table = await backend.SeededTableAsync(N);
        _store = new EnvelopeSecretStore(new DynamoDbSecretRepository(_dynamoDb, table), new KmsKeyManager(_kmsClient, new KmsKeyManagerOptions { AllowedKeyIds = [backend.Key.AliasName!] }), new EnvelopeSecretStoreOptions { DefaultKeyId = backend.Key.AliasName }, ownsComponents: true);
        _ids = BenchData.Ids(N);
        _oneBatch = [.. _ids.Take(DynamoDbSecretRepository.MaxKeysPerBatchGet)];

        var context = new Dictionary<string, string> { ["purpose"] = "rtt" };
        _kms.Latency = TimeSpan.Zero;
        var generated = await _kmsClient.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = backend.Key.KeyId, KeySpec = DataKeySpec.AES_256, EncryptionContext = context });
        _blob = generated.CiphertextBlob.ToArray();
        _blobContext = context;
        _kms.Latency = TimeSpan.FromMilliseconds(KmsLatencyMs);
        _kms.ResetCounters();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // Shown in the BenchmarkDotNet log: how much concurrency the store really used against KMS.
        Console.WriteLine($"// KMS fixture: at most {_kms.MaxConcurrentRequests} calls in flight at once (N={N}, latency {KmsLatencyMs} ms)");
        _kms.Latency = TimeSpan.Zero;

        // The shared clients and fixture live until the process ends; the store owns neither.
        _store.Dispose();
    }

    [Benchmark]
    public async Task<int> GetMany()
    {
        ((KmsKeyManager)_store.KeyManager).ClearCache();
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

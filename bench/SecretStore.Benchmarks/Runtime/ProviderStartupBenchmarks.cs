using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Configuration;
using SecretStore.Aws;
using SecretStore.Benchmarks.Stores;
using SecretStore.Benchmarks.Support;
using SecretStore.Configuration;
using SecretStore.Extensions.Configuration;
using SecretStore.Secrets;
using SecretStore.Testing.Aws.DynamoDb;
using SecretStore.Testing.Aws.Kms;

namespace SecretStore.Benchmarks.Runtime;

/// <summary>
/// Issue 15 item 5: an app's start with <c>AddSecretStore</c> resolving 100 placeholders from DynamoDB Local and the
/// KMS fixture with 5 ms per KMS call (opening the store and its AWS clients included), against the pattern users
/// complain about: the same 100 secrets fetched one after another. <c>ReloadUnchanged</c> is a reload where nothing
/// changed. Every run asserts its KMS requests: the start decrypts each secret once, an unchanged reload not at all.
/// </summary>
[MemoryDiagnoser]
public class ProviderStartupBenchmarks
{
    private const int N = 100;
    private SharedAwsBackend _backend = null!;
    private string _table = null!;
    private Dictionary<string, string?> _configuration = null!;
    private SecretId[] _ids = null!;
    private IConfigurationRoot _loaded = null!;

    /// <summary>Latency the KMS fixture adds to every call.</summary>
    [Params(5)]
    public int KmsLatencyMs { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _backend = await SharedAwsBackend.GetAsync();
        _table = await _backend.SeededTableAsync(N);
        _ids = BenchData.Ids(N);
        var dynamoDb = await DynamoDbLocal.GetServiceUrlAsync();
        _configuration = new Dictionary<string, string?>
        {
            ["SecretStore:Storage"] = "dynamodb:" + _table,
            ["SecretStore:ServiceUrl"] = dynamoDb.ToString(),
            ["SecretStore:KmsServiceUrl"] = _backend.Kms.ServiceUrl.ToString(),
            ["SecretStore:Region"] = KmsFixtureServer.Region,
            ["SecretStore:KeyId"] = _backend.Key.AliasName,
        };
        for (var i = 0; i < N; i++)
        {
            _configuration[$"App:Secret{i}"] = $"#{{secret:{Escape(_ids[i].ApplicationName)}/{Escape(_ids[i].Name)}}}";
        }

        // The credentials the table was seeded with: DynamoDB Local keeps one namespace per access key and region.
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "local");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "local");
        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
        _backend.Kms.Latency = TimeSpan.FromMilliseconds(KmsLatencyMs);
        _loaded = Start();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        (_loaded as IDisposable)?.Dispose();
        _backend.Kms.Latency = TimeSpan.Zero;
    }

    /// <summary>Builds the configuration: the provider opens the store and resolves the 100 placeholders.</summary>
    [Benchmark]
    public int StartupLoad()
    {
        var decrypts = _backend.Kms.RequestCount("Decrypt");
        using var configuration = (ConfigurationRoot)Start();
        var resolved = Enumerable.Range(0, N).Count(i => configuration[$"App:Secret{i}"] is { Length: > 0 } v && !v.StartsWith("#{", StringComparison.Ordinal));
        decrypts = _backend.Kms.RequestCount("Decrypt") - decrypts;
        return resolved == N && decrypts <= N
            ? resolved
            : throw new InvalidOperationException($"Start resolved {resolved} of {N} keys with {decrypts} KMS Decrypt calls (at most {N}).");
    }

    /// <summary>The baseline: the same store opened the same way, the 100 secrets read one after another.</summary>
    [Benchmark(Baseline = true)]
    public async Task<int> OneAfterAnother()
    {
        using var store = SecretStoreFactory.Default.Open(new StoreSettings
        {
            Storage = StorageKind.DynamoDb,
            Protection = ProtectionKind.Kms,
            Table = _table,
            ServiceUrl = _configuration["SecretStore:ServiceUrl"],
            KmsServiceUrl = _configuration["SecretStore:KmsServiceUrl"],
            Region = KmsFixtureServer.Region,
            KeyId = _backend.Key.AliasName,
        });
        var count = 0;
        foreach (var id in _ids)
        {
            count += (await store.GetAsync(id)).Value.Length > 0 ? 1 : 0;
        }

        return count;
    }

    /// <summary>A reload with nothing changed: revisions listed, no value read, no KMS call.</summary>
    [Benchmark]
    public async Task<bool> ReloadUnchanged()
    {
        var decrypts = _backend.Kms.RequestCount("Decrypt");
        var changed = await _loaded.ReloadSecretStoreAsync();
        decrypts = _backend.Kms.RequestCount("Decrypt") - decrypts;
        return !changed && decrypts == 0
            ? changed
            : throw new InvalidOperationException($"An unchanged reload reported a change ({changed}) or made {decrypts} KMS Decrypt calls.");
    }

    private IConfigurationRoot Start() =>
        new ConfigurationBuilder().AddInMemoryCollection(_configuration).AddSecretStore(o => o.OnDiagnostic = _ => { }).Build();

    private static string Escape(string part) => part.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("/", "\\/", StringComparison.Ordinal).Replace("}", "\\}", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal);
}

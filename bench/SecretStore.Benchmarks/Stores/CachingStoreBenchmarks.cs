using BenchmarkDotNet.Attributes;
using SecretStore.Aws;
using SecretStore.Benchmarks.Support;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Stores.Caching;

namespace SecretStore.Benchmarks.Stores;

/// <summary>
/// What <see cref="CachingSecretStore"/> saves a running app (issue 15): a get-many of N secrets from the file store
/// through a cache that was just cleared (every value decrypted: the baseline) against the same get-many answered
/// from memory. Both must return all N; the cold one is where the reference
/// implementation's cache returned nothing for a cold "get all".
/// </summary>
[MemoryDiagnoser]
public class CachingStoreBenchmarks
{
    private EnvelopeSecretStore _store = null!;
    private CachingSecretStore _cache = null!;
    private SecretId[] _ids = null!;

    /// <summary>Secrets fetched in one call.</summary>
    [ParamsSource(nameof(Sizes))]
    public int N { get; set; } = 10;

    /// <summary>The sizes to run (see <see cref="SmokeMode"/>).</summary>
    public static IEnumerable<int> Sizes => SmokeMode.StoreSizes;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _store = SecretStoreFactory.Default.Open(BenchData.FileStore(N));
        _cache = new CachingSecretStore(_store, new CachingSecretStoreOptions { MaxEntries = Math.Max(N, 1) });
        _ids = BenchData.Ids(N);
        await Warm();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cache.Dispose();
        _store.Dispose();
    }

    [Benchmark(Baseline = true)]
    public async Task<int> Cold()
    {
        _cache.Clear();
        return Checked(await _cache.GetManyAsync(_ids));
    }

    [Benchmark]
    public async Task<int> Warm() => Checked(await _cache.GetManyAsync(_ids));

    private int Checked(IReadOnlyDictionary<SecretId, Secret> secrets) =>
        secrets.Count == N ? N : throw new InvalidOperationException($"Expected {N} secrets, got {secrets.Count}.");
}

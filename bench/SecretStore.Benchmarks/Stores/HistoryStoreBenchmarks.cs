using BenchmarkDotNet.Attributes;
using SecretStore.Aws;
using SecretStore.Benchmarks.Support;
using SecretStore.Secrets;
using SecretStore.Stores;

namespace SecretStore.Benchmarks.Stores;

/// <summary>
/// What history costs a publish (issue 17): a get-many of N secrets from a file store whose history holds
/// <see cref="Writes"/> revisions per secret, against the same secrets in a store file without history (the baseline).
/// Reads of current records skip the history array undecoded; target: WithHistory / WithoutHistory ≤ 1.05. (DynamoDB
/// keeps history in another table that get-many never reads, so it has nothing to measure here.)
/// </summary>
[MemoryDiagnoser]
public class HistoryStoreBenchmarks
{
    private EnvelopeSecretStore _plain = null!;
    private EnvelopeSecretStore _withHistory = null!;
    private SecretId[] _ids = null!;

    /// <summary>Secrets fetched in one call.</summary>
    [Params(100)]
    public int N { get; set; } = 100;

    /// <summary>Revisions each secret's history holds (smoke: 2).</summary>
    public static int Writes => SmokeMode.IsOn ? 2 : 10;

    [GlobalSetup]
    public void Setup()
    {
        _plain = SecretStoreFactory.Default.Open(BenchData.FileStoreWithoutHistory(N));
        _withHistory = SecretStoreFactory.Default.Open(BenchData.FileStoreWithHistory(N, Writes));
        _ids = BenchData.Ids(N);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _plain.Dispose();
        _withHistory.Dispose();
    }

    [Benchmark(Baseline = true)]
    public async Task<int> WithoutHistory() => Checked(await _plain.GetManyAsync(_ids));

    [Benchmark]
    public async Task<int> WithHistory() => Checked(await _withHistory.GetManyAsync(_ids));

    private int Checked(IReadOnlyDictionary<SecretId, Secret> secrets) =>
        secrets.Count == N ? N : throw new InvalidOperationException($"Expected {N} secrets, got {secrets.Count}.");
}

using SecretStore.Aws;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using SecretStore.Benchmarks.Support;
using SecretStore.Secrets;
using SecretStore.Stores;

namespace SecretStore.Benchmarks.Stores;

/// <summary>
/// Get-many of N secrets from the file store (JSON file + RSA-3072 keyring, signed v2 envelopes), against
/// the floor the issue sets: N RSA-3072 OAEP decrypts spread over every core with the key parsed once
/// (<c>RsaFloor</c>, measured in the same process at the same time). Target: GetMany / RsaFloor ≤ 1.2.
/// </summary>
[MemoryDiagnoser]
public class FileStoreBenchmarks
{
    private EnvelopeSecretStore _store = null!;
    private SecretId[] _ids = null!;
    private RSA _privateKey = null!;
    private byte[] _ciphertext = null!;

    /// <summary>Secrets fetched in one call.</summary>
    [ParamsSource(nameof(Sizes))]
    public int N { get; set; } = 10;

    /// <summary>The sizes to run (see <see cref="SmokeMode"/>).</summary>
    public static IEnumerable<int> Sizes => SmokeMode.StoreSizes;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var settings = BenchData.FileStore(N);
        _store = SecretStoreFactory.Default.Open(settings);
        _ids = BenchData.Ids(N);
        _privateKey = RSA.Create();
        _privateKey.ImportFromPem(BenchData.PrivateKeyPem(3072));
        _ciphertext = _privateKey.Encrypt(RandomNumberGenerator.GetBytes(64), RSAEncryptionPadding.OaepSHA256);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        _privateKey.Dispose();
    }

    [Benchmark]
    public async Task<int> GetMany()
    {
        var secrets = await _store.GetManyAsync(_ids);
        return secrets.Count == N ? N : throw new InvalidOperationException($"Expected {N} secrets, got {secrets.Count}.");
    }

    [Benchmark(Baseline = true)]
    public int RsaFloor()
    {
        var done = 0;
        Parallel.For(0, N, _ =>
        {
            _privateKey.Decrypt(_ciphertext, RSAEncryptionPadding.OaepSHA256);
            Interlocked.Increment(ref done);
        });
        return done;
    }
}

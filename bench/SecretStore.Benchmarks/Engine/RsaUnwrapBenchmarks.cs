using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using SecretStore.Keys;
using SecretStore.Keys.Rsa;
using SecretStore.Repositories;
using SecretStore.Secrets;

namespace SecretStore.Benchmarks.Engine;

/// <summary>
/// The RSA-OAEP unwrap of one data key: the private key parsed once and kept (what the keyring does) vs
/// parsed from PEM on every call, the PEM import alone, and the engine's own v2 unwrap (OAEP-SHA256 plus the
/// context hash check). The floors: 0.9 / 2.7 / 5.2 ms per decrypt, 1.4-2.3 ms per PEM import.
/// </summary>
[MemoryDiagnoser]
public class RsaUnwrapBenchmarks
{
    private static readonly EncryptionContext Context = EncryptionContext.ForSecret(new SecretId("Bench", "Unwrap"), Support.BenchData.KeyId, ProtectedSecretFormat.V2);
    private RsaKeyring _keyring = null!;
    private RsaKeyManager _keyManager = null!;
    private RSA _privateKey = null!;
    private string _privatePem = null!;
    private byte[] _rawCiphertext = null!;
    private byte[] _wrapped = null!;

    /// <summary>RSA key size in bits.</summary>
    [Params(2048, 3072, 4096)]
    public int Bits { get; set; } = 3072;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var folder = Support.BenchData.KeyringFolder(Bits);
        _keyring = RsaKeyring.Load(folder);
        _keyManager = new RsaKeyManager(_keyring);
        _privatePem = Support.BenchData.PrivateKeyPem(Bits);
        _privateKey = RSA.Create();
        _privateKey.ImportFromPem(_privatePem);
        _rawCiphertext = _privateKey.Encrypt(RandomNumberGenerator.GetBytes(64), RSAEncryptionPadding.OaepSHA256);
        using var dataKey = await _keyManager.GenerateDataKeyAsync(Support.BenchData.KeyId, 32, Context, ProtectedSecretFormat.V2);
        _wrapped = dataKey.WrappedKey.ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _privateKey.Dispose();
        _keyring.Dispose();
    }

    [Benchmark(Baseline = true)]
    public byte[] DecryptParsedOnce() => _privateKey.Decrypt(_rawCiphertext, RSAEncryptionPadding.OaepSHA256);

    [Benchmark]
    public byte[] DecryptParsedPerCall()
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(_privatePem);
        return rsa.Decrypt(_rawCiphertext, RSAEncryptionPadding.OaepSHA256);
    }

    [Benchmark]
    public int PemImport()
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(_privatePem);
        return rsa.KeySize;
    }

    [Benchmark]
    public async Task<int> EngineUnwrapV2()
    {
        using var key = await _keyManager.DecryptDataKeyAsync(Support.BenchData.KeyId, _wrapped, Context, ProtectedSecretFormat.V2, 32);
        return key.Plaintext.Length;
    }
}

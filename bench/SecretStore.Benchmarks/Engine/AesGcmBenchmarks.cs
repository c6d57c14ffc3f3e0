using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;

namespace SecretStore.Benchmarks.Engine;

/// <summary>
/// AES-256-GCM of one value, the way the v2 envelope does it (a new <see cref="AesGcm"/> per value, 16-byte
/// tag, associated data). The floor: about 3 µs for 4 KiB.
/// </summary>
[MemoryDiagnoser]
public class AesGcmBenchmarks
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _nonce = RandomNumberGenerator.GetBytes(12);
    private readonly byte[] _associated = RandomNumberGenerator.GetBytes(96);
    private byte[] _plaintext = null!;
    private byte[] _ciphertext = null!;
    private byte[] _tag = null!;
    private byte[] _output = null!;

    /// <summary>Value size in bytes.</summary>
    [Params(100, 4096)]
    public int Size { get; set; } = 100;

    [GlobalSetup]
    public void Setup()
    {
        _plaintext = RandomNumberGenerator.GetBytes(Size);
        _ciphertext = new byte[Size];
        _output = new byte[Size];
        _tag = new byte[16];
        using var aes = new AesGcm(_key, 16);
        aes.Encrypt(_nonce, _plaintext, _ciphertext, _tag, _associated);
    }

    [Benchmark]
    public byte[] Encrypt()
    {
        using var aes = new AesGcm(_key, 16);
        var tag = new byte[16];
        aes.Encrypt(_nonce, _plaintext, _output, tag, _associated);
        return tag;
    }

    [Benchmark]
    public byte[] Decrypt()
    {
        using var aes = new AesGcm(_key, 16);
        aes.Decrypt(_nonce, _ciphertext, _tag, _output, _associated);
        return _output;
    }
}

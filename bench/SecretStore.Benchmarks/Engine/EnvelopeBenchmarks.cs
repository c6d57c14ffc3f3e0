using Amazon.KeyManagementService;
using BenchmarkDotNet.Attributes;
using SecretStore.Aws.Kms;
using SecretStore.Keys;
using SecretStore.Keys.Rsa;
using SecretStore.Repositories;
using SecretStore.Testing.Repositories;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Testing.Aws.Kms;

namespace SecretStore.Benchmarks.Engine;

/// <summary>
/// One secret through the whole engine (in-memory repository, so only the envelope is measured): v2
/// protect and unprotect with an RSA-3072 keyring or a KMS master key (the loopback KMS fixture, no injected
/// latency, data-key cache off so every unprotect calls KMS), and v1 (reference format) unprotect.
/// </summary>
[MemoryDiagnoser]
public class EnvelopeBenchmarks
{
    private static readonly SecretId Current = new(Support.Workload.Application, "Current");
    private static readonly SecretId Legacy = new(Support.Workload.Application, "Legacy");
    private static readonly SecretId Written = new(Support.Workload.Application, "Written");
    private readonly string _value = Support.Workload.Secrets(1)[0].Value;
    private EnvelopeSecretStore _store = null!;
    private IDisposable? _keyring;
    private KmsFixtureServer? _kms;
    private AmazonKeyManagementServiceClient? _kmsClient;
    private KmsKeyManager? _kmsKeyManager;

    /// <summary>Which master key wraps the data keys.</summary>
    [Params("rsa-3072", "kms-fixture")]
    public string Keys { get; set; } = "rsa-3072";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        IKeyManager keyManager;
        string keyId;
        if (Keys == "rsa-3072")
        {
            var keyring = RsaKeyring.Load(Support.BenchData.KeyringFolder(3072));
            _keyring = keyring;
            keyManager = new RsaKeyManager(keyring);
            keyId = Support.BenchData.KeyId;
        }
        else
        {
            _kms = await KmsFixtureServer.StartAsync();
            keyId = _kms.CreateKey("bench").AliasName!;
            _kmsClient = _kms.CreateClient();
            _kmsKeyManager = new KmsKeyManager(_kmsClient, new KmsKeyManagerOptions { CacheDataKeys = false, AllowedKeyIds = [keyId] });
            keyManager = _kmsKeyManager;
        }

        // The legacy case measures reading v1, which needs the opt-in since v1 is refused by default.
        _store = new EnvelopeSecretStore(new InMemorySecretRepository(), keyManager, new EnvelopeSecretStoreOptions { DefaultKeyId = keyId, AllowV1 = true });
        await _store.SetAsync(Current, _value);
        await _store.SetAsync(Legacy, _value, new SetSecretOptions { Format = ProtectedSecretFormat.V1 });
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _store.Dispose();
        _keyring?.Dispose();
        _kmsKeyManager?.Dispose();
        _kmsClient?.Dispose();
        if (_kms is not null)
        {
            await _kms.DisposeAsync();
        }
    }

    [Benchmark]
    public Task<SecretMetadata> ProtectV2() => _store.SetAsync(Written, _value);

    [Benchmark]
    public Task<Secret> UnprotectV2() => _store.GetAsync(Current);

    [Benchmark]
    public Task<Secret> UnprotectV1() => _store.GetAsync(Legacy);
}

using SecretStore.Aws.DynamoDb;
using SecretStore.Aws.Kms;
using SecretStore.Configuration;
using SecretStore.Diagnostics;
using SecretStore.Secrets;
using SecretStore.Stores;

namespace SecretStore.Aws;

/// <summary>
/// The AWS store: the engine's <see cref="EnvelopeSecretStore"/> over a <see cref="DynamoDbSecretRepository"/>
/// and a <see cref="KmsKeyManager"/>, owning both (dispose it at the end of the run: that also zeroes the
/// data keys the key manager kept).
/// </summary>
public sealed class AwsSecretStore : ISecretStore, IDisposable
{
    private readonly EnvelopeSecretStore _store;

    /// <summary>Combines a repository and a key manager; both are disposed with this store.</summary>
    public AwsSecretStore(DynamoDbSecretRepository repository, KmsKeyManager keyManager, EnvelopeSecretStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(keyManager);
        ArgumentNullException.ThrowIfNull(options);
        Repository = repository;
        KeyManager = keyManager;
        _store = new EnvelopeSecretStore(repository, keyManager, options);
    }

    /// <summary>The DynamoDB repository.</summary>
    public DynamoDbSecretRepository Repository { get; }

    /// <summary>The KMS key manager.</summary>
    public KmsKeyManager KeyManager { get; }

    /// <summary>
    /// Builds the store from <paramref name="settings"/>: <c>Table</c> (required), <c>Region</c>,
    /// <c>ServiceUrl</c> (DynamoDB), <c>KmsServiceUrl</c>, <c>KeyId</c> (default key for writes),
    /// <c>AllowV1</c> and <c>MaxDegreeOfParallelism</c>, on the SDK's default credential chain.
    /// </summary>
    public static AwsSecretStore Create(StoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Provider != StoreProvider.Aws)
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidStoreConfiguration, $"The AWS store factory cannot build a '{settings.Provider}' store.");
        }

        var repository = DynamoDbSecretRepository.Create(settings);
        try
        {
            var keyManager = KmsKeyManager.Create(settings);
            var options = new EnvelopeSecretStoreOptions
            {
                DefaultKeyId = settings.KeyId,
                AllowV1 = settings.AllowV1,
                MaxDegreeOfParallelism = Math.Max(1, settings.MaxDegreeOfParallelism),
                // DynamoDB items stop at 400 KB; the repository gives SSB2003 with the exact item size.
            };
            return new AwsSecretStore(repository, keyManager, options);
        }
        catch
        {
            repository.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public Task<Secret> GetAsync(SecretId id, CancellationToken cancellationToken = default) => _store.GetAsync(id, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<SecretId, Secret>> GetManyAsync(IEnumerable<SecretId> ids, CancellationToken cancellationToken = default) =>
        _store.GetManyAsync(ids, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<SecretMetadata>> ListAsync(string applicationName, CancellationToken cancellationToken = default) =>
        _store.ListAsync(applicationName, cancellationToken);

    /// <inheritdoc />
    public Task<SecretMetadata> SetAsync(SecretId id, string value, SetSecretOptions? options = null, CancellationToken cancellationToken = default) =>
        _store.SetAsync(id, value, options, cancellationToken);

    /// <inheritdoc />
    public Task<bool> DeleteAsync(SecretId id, long? expectedRevision = null, CancellationToken cancellationToken = default) =>
        _store.DeleteAsync(id, expectedRevision, cancellationToken);

    /// <summary>Creates the table if needed (see <see cref="DynamoDbSecretRepository.CreateTableAsync"/>).</summary>
    public Task<bool> CreateTableAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Repository.CreateTableAsync(timeout, cancellationToken);

    /// <summary>Disposes the key manager (zeroing kept data keys) and the repository.</summary>
    public void Dispose()
    {
        KeyManager.Dispose();
        Repository.Dispose();
    }

    /// <summary>Names the table only.</summary>
    public override string ToString() => $"AWS secret store (DynamoDB table '{Repository.TableName}')";
}

namespace SecretStore.Secrets;

/// <summary>
/// Clear secrets in, clear secrets out: protects values with envelope encryption and keeps the protected
/// records in a repository.
/// </summary>
public interface ISecretStore
{
    /// <summary>Gets one secret; throws <see cref="Diagnostics.SecretNotFoundException"/> when it does not exist.</summary>
    Task<Secret> GetAsync(SecretId id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets many secrets in as few backend calls as the repository allows. Missing secrets are absent from
    /// the result (the caller decides whether that is an error); any other failure throws.
    /// </summary>
    Task<IReadOnlyDictionary<SecretId, Secret>> GetManyAsync(IEnumerable<SecretId> ids, CancellationToken cancellationToken = default);

    /// <summary>Lists the secrets of one application: names and metadata, never values. Sorted by name (ordinal).</summary>
    Task<IReadOnlyList<SecretMetadata>> ListAsync(string applicationName, CancellationToken cancellationToken = default);

    /// <summary>The applications that have at least one secret, sorted (ordinal); names only, nothing is decrypted.</summary>
    Task<IReadOnlyList<string>> ListApplicationsAsync(CancellationToken cancellationToken = default);

    /// <summary>Protects and saves a value; returns the new record's metadata.</summary>
    Task<SecretMetadata> SetAsync(SecretId id, string value, SetSecretOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes a secret; returns false when it did not exist. With an expected revision, a changed secret is a conflict.</summary>
    Task<bool> DeleteAsync(SecretId id, long? expectedRevision = null, CancellationToken cancellationToken = default);
}

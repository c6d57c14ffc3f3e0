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

    /// <summary>
    /// The history of one secret, oldest first: every revision kept, deletions included; never a value. Empty when the
    /// secret never existed (or was purged).
    /// </summary>
    Task<IReadOnlyList<SecretRevisionInfo>> GetHistoryAsync(SecretId id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets exactly revision <paramref name="revision"/> of a secret (a pinned read); throws <c>SSB2019</c> when the store
    /// keeps no such revision or it is a deletion.
    /// </summary>
    Task<Secret> GetRevisionAsync(SecretId id, long revision, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the value of revision <paramref name="revision"/> again as a <em>new</em> revision, under a fresh data key
    /// (the history keeps every revision in between). The value never leaves memory.
    /// </summary>
    Task<SecretMetadata> RollbackAsync(SecretId id, long revision, SetSecretOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes a secret and its whole history; returns false when neither existed.</summary>
    Task<bool> PurgeAsync(SecretId id, CancellationToken cancellationToken = default);
}

using SecretStore.Secrets;

namespace SecretStore.Repositories;

/// <summary>
/// Stores protected records. Never sees a clear value. Writes are conditional on the expected revision,
/// so two writers never lose an update.
/// </summary>
public interface IProtectedSecretRepository
{
    /// <summary>Gets one record, or null when it does not exist.</summary>
    Task<ProtectedSecretRecord?> GetAsync(SecretId id, CancellationToken cancellationToken = default);

    /// <summary>Gets many records in as few calls as the backend allows; missing ones are absent from the result.</summary>
    Task<IReadOnlyList<ProtectedSecretRecord>> GetManyAsync(IReadOnlyCollection<SecretId> ids, CancellationToken cancellationToken = default);

    /// <summary>All records of one application (all pages), sorted by name (ordinal).</summary>
    Task<IReadOnlyList<ProtectedSecretRecord>> QueryByApplicationAsync(string applicationName, CancellationToken cancellationToken = default);

    /// <summary>
    /// The applications that have at least one record, sorted (ordinal). A whole-store read (a DynamoDB Scan of the key
    /// attribute): for people finding their way around a store, not for a publish.
    /// </summary>
    Task<IReadOnlyList<string>> ListApplicationsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves a record if the stored revision equals <paramref name="expectedRevision"/> (0 = must not exist).
    /// Returns the new revision (<paramref name="expectedRevision"/> + 1). A lost race throws
    /// <see cref="Diagnostics.ConcurrencyConflictException"/>. The record's own <see cref="ProtectedSecretRecord.Revision"/> is ignored.
    /// </summary>
    Task<long> SaveAsync(ProtectedSecretRecord record, long expectedRevision, CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves like <see cref="SaveAsync"/>, under the same condition, but as revision <paramref name="newRevision"/>
    /// (greater than <paramref name="expectedRevision"/>) instead of the next one: for an import that keeps the
    /// revisions of the store it copies, so revisions never go backwards for scripts that guard on them.
    /// </summary>
    Task<long> SaveAtRevisionAsync(ProtectedSecretRecord record, long expectedRevision, long newRevision, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a record; returns false when it did not exist. With an expected revision, a changed record
    /// throws <see cref="Diagnostics.ConcurrencyConflictException"/>.
    /// </summary>
    Task<bool> DeleteAsync(SecretId id, long? expectedRevision = null, CancellationToken cancellationToken = default);
}

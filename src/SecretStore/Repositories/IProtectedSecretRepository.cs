using SecretStore.Repositories.History;
using SecretStore.Secrets;

namespace SecretStore.Repositories;

/// <summary>
/// Stores protected records. Never sees a clear value. Writes are conditional on the expected revision,
/// so two writers never lose an update. Every write and delete also keeps a revision in the record's history
/// (<see cref="GetHistoryAsync"/>), which never shows in <see cref="QueryByApplicationAsync"/> or
/// <see cref="ListApplicationsAsync"/> and never changes the layout of the current record.
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
    /// Saves a record if the stored revision equals <paramref name="expectedRevision"/> (0 = must not exist), and adds
    /// it to the record's history in the same atomic write. Returns the new revision: one past both
    /// <paramref name="expectedRevision"/> and the newest revision in the history (a deletion's included, see
    /// <see cref="RecordHistory.NextRevision"/>). A lost race throws <see cref="Diagnostics.ConcurrencyConflictException"/>.
    /// The record's own <see cref="ProtectedSecretRecord.Revision"/> is ignored.
    /// </summary>
    Task<long> SaveAsync(ProtectedSecretRecord record, long expectedRevision, CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves like <see cref="SaveAsync"/>, under the same condition, but as revision <paramref name="newRevision"/>
    /// (greater than <paramref name="expectedRevision"/>) instead of the next one, unless the history already holds it
    /// (then the next free one): for an import that keeps the revisions of the store it copies, so revisions never go
    /// backwards for scripts that guard on them.
    /// </summary>
    Task<long> SaveAtRevisionAsync(ProtectedSecretRecord record, long expectedRevision, long newRevision, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a record, leaving a deletion (tombstone) revision in its history, which keeps the earlier revisions;
    /// returns false when it did not exist. With an expected revision, a changed record throws
    /// <see cref="Diagnostics.ConcurrencyConflictException"/>.
    /// </summary>
    Task<bool> DeleteAsync(SecretId id, long? expectedRevision = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The history of one secret, oldest first: every revision kept (deletions included), with the current record standing
    /// for its own revision (<see cref="RecordHistory.WithCurrent"/>). Empty when the secret never existed or was purged.
    /// </summary>
    Task<IReadOnlyList<SecretHistoryEntry>> GetHistoryAsync(SecretId id, CancellationToken cancellationToken = default);

    /// <summary>One revision of a secret (from its history, or the current record), or null when none is kept under that number.</summary>
    Task<SecretHistoryEntry?> GetRevisionAsync(SecretId id, long revision, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a record and every value of its history, leaving one deletion past every revision it had
    /// (<see cref="RecordHistory.PurgeMark"/>), so revisions are never reused; returns false when there was nothing to
    /// purge (no record and no history, or only such a mark).
    /// </summary>
    Task<bool> PurgeAsync(SecretId id, CancellationToken cancellationToken = default);

    /// <summary>
    /// The store's id (docs/format.md, "Store id"), which envelope version 3 records are bound to, so that a record
    /// copied in from another store under the same key is refused; null for a store that has none (one written before
    /// store ids, or a backend that keeps none). The default has none.
    /// </summary>
    ValueTask<string?> GetStoreIdAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult<string?>(null);

    /// <summary>
    /// The store's id for a write: the existing one, or a new one when the store does not exist yet (so every store
    /// created by this version is bound), or, with <paramref name="createForExisting"/>, when an existing store has none.
    /// An existing store is never given an id implicitly: two branches of a shared store file would each invent one.
    /// The default keeps none.
    /// </summary>
    ValueTask<string?> EnsureStoreIdAsync(bool createForExisting = false, CancellationToken cancellationToken = default) => GetStoreIdAsync(cancellationToken);

    /// <summary>
    /// Takes <paramref name="storeId"/> as this store's id when the store is new (no records, no history, no id) or already
    /// has it: how <c>import</c> moves a store whose records are bound to its id. Returns false otherwise, and by default.
    /// </summary>
    ValueTask<bool> AdoptStoreIdAsync(string storeId, CancellationToken cancellationToken = default) => ValueTask.FromResult(false);
}

namespace SecretStore.Locking;

/// <summary>
/// One secret as a lock file holds it: the revision a project's placeholders and mappings got when the lock was written,
/// and the digest of that revision's protected record (<see cref="RecordDigest"/>). No value.
/// </summary>
/// <param name="Application">The application.</param>
/// <param name="Name">The secret name.</param>
/// <param name="Revision">The revision locked: the current one for an unpinned reference, the pin for a pinned one.</param>
/// <param name="Record">The record's digest.</param>
/// <param name="Pinned">True for a pinned reference (<c>Name@N</c>): it must be exactly <see cref="Revision"/>.</param>
/// <param name="Environment">
/// The settings file's environment the entry was locked for (<c>--env</c>), or null for the shared settings: each
/// environment reads its own store, so each has its own entries.
/// </param>
public sealed record LockEntry(string Application, string Name, long Revision, string Record, bool Pinned = false, string? Environment = null)
{
    /// <summary>
    /// The store id the locked record is bound to (docs/format.md, "Store id"), or null for a record bound to none. A
    /// record of another store is refused even when the store's own id line was rewritten to match it.
    /// </summary>
    public string? StoreId { get; init; }

    /// <summary><c>application/name</c> (with <c>@N</c> when pinned, and the environment when there is one), for messages.</summary>
    public override string ToString() =>
        (Pinned ? $"{Application}/{Name}@{Revision}" : $"{Application}/{Name}") + (Environment is null ? string.Empty : $" (environment '{Environment}')");
}

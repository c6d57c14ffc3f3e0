using SecretStore.Diagnostics;
using SecretStore.IO;
using SecretStore.Repositories.History;
using SecretStore.Secrets;

namespace SecretStore.Repositories.File;

/// <summary>
/// The embedded repository: one JSON file of protected records (no clear values, so it is safe to commit).
/// Writes take an inter-process lock (<c>&lt;file&gt;.lock</c>, opened exclusively and retried until
/// <see cref="FileSecretRepositoryOptions.LockTimeout"/>), re-read the file, check the expected revision, and
/// replace the file atomically (temp file in the same folder, then rename). Readers need no lock: they see
/// the old file or the new one, never half of one. Reading or deleting from a file that does not exist is
/// <c>SSB2011</c> naming its full path (a misspelt path must not read as an empty store); saving creates it.
/// A corrupt file gives <c>SSB2004</c> and is never overwritten. Every write and delete adds a revision to the
/// file's <c>"history"</c> array in the same atomic replace; reads of current records do not decode it.
/// </summary>
public sealed class FileSecretRepository : IProtectedSecretRepository
{
    private readonly FileSecretRepositoryOptions _options;
    private string? _pendingStoreId;

    // The store id as the last read of the file saw it (null before any): reads of bound records check against it.
    private volatile StoreIdRead? _readStoreId;

    /// <summary>Creates a repository over the store file at <paramref name="path"/> (created on first write).</summary>
    public FileSecretRepository(string path, FileSecretRepositoryOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FilePath = Path.GetFullPath(path);
        _options = options ?? new FileSecretRepositoryOptions();
        _options.History.Validate();
    }

    /// <summary>The full path of the store file.</summary>
    public string FilePath { get; }

    private string LockPath => FilePath + ".lock";

    /// <inheritdoc />
    public async Task<ProtectedSecretRecord?> GetAsync(SecretId id, CancellationToken cancellationToken = default)
    {
        EnsureWellFormed(id);
        var records = await ReadAsync(cancellationToken).ConfigureAwait(false);
        return records.GetValueOrDefault((id.ApplicationName, id.Name));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ProtectedSecretRecord>> GetManyAsync(IReadOnlyCollection<SecretId> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var distinct = ids.Distinct().ToList();
        distinct.ForEach(EnsureWellFormed);
        var records = await ReadAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<ProtectedSecretRecord>();
        foreach (var id in distinct)
        {
            if (records.TryGetValue((id.ApplicationName, id.Name), out var record))
            {
                result.Add(record);
            }
        }

        return result;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ProtectedSecretRecord>> QueryByApplicationAsync(string applicationName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(applicationName);
        EnsureWellFormed(new SecretId(applicationName, "-"));
        var records = await ReadAsync(cancellationToken).ConfigureAwait(false);

        // The dictionary is sorted by application then name, so the slice is already in name order.
        return [.. records.Values.Where(r => string.Equals(r.Id.ApplicationName, applicationName, StringComparison.Ordinal))];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListApplicationsAsync(CancellationToken cancellationToken = default)
    {
        var records = await ReadAsync(cancellationToken).ConfigureAwait(false);
        return [.. records.Values.Select(r => r.Id.ApplicationName).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <inheritdoc />
    public Task<long> SaveAsync(ProtectedSecretRecord record, long expectedRevision, CancellationToken cancellationToken = default) =>
        SaveCoreAsync(record, expectedRevision, null, cancellationToken);

    /// <inheritdoc />
    public Task<long> SaveAtRevisionAsync(ProtectedSecretRecord record, long expectedRevision, long newRevision, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(newRevision, expectedRevision);
        return SaveCoreAsync(record, expectedRevision, newRevision, cancellationToken);
    }

    private async Task<long> SaveCoreAsync(ProtectedSecretRecord record, long expectedRevision, long? newRevision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedRevision);
        Validate(record);
        using var fileLock = await AcquireLockAsync(cancellationToken).ConfigureAwait(false);
        var content = await ReadAllAsync(cancellationToken, createIfMissing: true).ConfigureAwait(false);
        var records = content.Records;
        var key = (record.Id.ApplicationName, record.Id.Name);
        var stored = records.GetValueOrDefault(key);
        if (stored is { InvalidRevision: not null })
        {
            throw RecordRevision.OutOfRange(record.Id);
        }

        var current = stored?.Revision ?? 0;
        if (current != expectedRevision)
        {
            throw new ConcurrencyConflictException(record.Id, expectedRevision, current);
        }

        ApplyPendingStoreId(content, record.Id);
        var revisions = HistoryOf(content, key);
        KeepReplaced(revisions, stored);
        var saved = RecordHistory.NextRevision(record.Id, expectedRevision, revisions.Count > 0 ? revisions.Keys.Max() : 0, newRevision);
        var written = record with { Revision = saved, InvalidRevision = null };
        records[key] = written;
        Append(revisions, new SecretHistoryEntry { Id = record.Id, Revision = saved, WrittenAt = _options.History.Now(), Writer = _options.History.EffectiveWriter, Record = written });
        await WriteAsync(content, cancellationToken).ConfigureAwait(false);
        return saved;
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(SecretId id, long? expectedRevision = null, CancellationToken cancellationToken = default)
    {
        EnsureWellFormed(id);
        if (expectedRevision is { } wanted)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(wanted, nameof(expectedRevision));
        }

        // Checked before the lock, whose file and folder would otherwise be created for nothing.
        if (!System.IO.File.Exists(FilePath))
        {
            throw new StoreFileNotFoundException(FilePath);
        }

        using var fileLock = await AcquireLockAsync(cancellationToken).ConfigureAwait(false);
        var content = await ReadAllAsync(cancellationToken).ConfigureAwait(false);
        var key = (id.ApplicationName, id.Name);
        if (!content.Records.TryGetValue(key, out var existing))
        {
            return false;
        }

        if (expectedRevision is { } expected && existing.Revision != expected)
        {
            throw new ConcurrencyConflictException(id, expected, existing.Revision);
        }

        // The tombstone takes a revision of its own, so a later create cannot reuse a number a lock or a pin names.
        content.Records.Remove(key);
        var revisions = HistoryOf(content, key);
        KeepReplaced(revisions, existing);
        var tombstone = RecordHistory.NextRevision(id, existing.InvalidRevision is null ? existing.Revision : 0, revisions.Count > 0 ? revisions.Keys.Max() : 0);
        Append(revisions, new SecretHistoryEntry { Id = id, Revision = tombstone, WrittenAt = _options.History.Now(), Writer = _options.History.EffectiveWriter });
        await WriteAsync(content, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SecretHistoryEntry>> GetHistoryAsync(SecretId id, CancellationToken cancellationToken = default)
    {
        EnsureWellFormed(id);
        var content = await ReadAllAsync(cancellationToken).ConfigureAwait(false);
        var key = (id.ApplicationName, id.Name);
        var kept = content.History.TryGetValue(key, out var revisions) ? revisions.Values : (IEnumerable<SecretHistoryEntry>)[];
        return RecordHistory.WithCurrent(kept, content.Records.GetValueOrDefault(key));
    }

    /// <inheritdoc />
    public async Task<SecretHistoryEntry?> GetRevisionAsync(SecretId id, long revision, CancellationToken cancellationToken = default) =>
        (await GetHistoryAsync(id, cancellationToken).ConfigureAwait(false)).FirstOrDefault(e => e.Revision == revision);

    /// <inheritdoc />
    public async Task<bool> PurgeAsync(SecretId id, CancellationToken cancellationToken = default)
    {
        EnsureWellFormed(id);
        if (!System.IO.File.Exists(FilePath))
        {
            throw new StoreFileNotFoundException(FilePath);
        }

        using var fileLock = await AcquireLockAsync(cancellationToken).ConfigureAwait(false);
        var content = await ReadAllAsync(cancellationToken).ConfigureAwait(false);
        var key = (id.ApplicationName, id.Name);
        var mark = RecordHistory.PurgeMark(id, content.Records.GetValueOrDefault(key), content.History.TryGetValue(key, out var kept) ? kept.Values : [], _options.History);
        if (mark is null)
        {
            return false;
        }

        content.Records.Remove(key);
        content.History[key] = new SortedDictionary<long, SecretHistoryEntry> { [mark.Revision] = mark };
        await WriteAsync(content, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static SortedDictionary<long, SecretHistoryEntry> HistoryOf(StoreFileFormat.StoreFileContent content, (string App, string Name) key)
    {
        if (!content.History.TryGetValue(key, out var revisions))
        {
            content.History[key] = revisions = [];
        }

        return revisions;
    }

    /// <summary>Keeps the record a write replaces when the history lacks it (a store file written before history).</summary>
    private static void KeepReplaced(SortedDictionary<long, SecretHistoryEntry> revisions, ProtectedSecretRecord? replaced)
    {
        if (replaced is null)
        {
            return;
        }

        var newest = revisions.Count > 0 ? revisions.Keys.Max() : 0;
        if (RecordHistory.Unkept(replaced, newest, revisions.GetValueOrDefault(replaced.Revision)) is { } unkept)
        {
            revisions[unkept.Revision] = unkept;
        }
    }

    /// <summary>Adds an entry, then removes the oldest ones beyond the retention.</summary>
    private void Append(SortedDictionary<long, SecretHistoryEntry> revisions, SecretHistoryEntry entry)
    {
        revisions[entry.Revision] = entry;
        foreach (var old in RecordHistory.ToPrune([.. revisions.Keys], _options.History.KeepRevisions))
        {
            revisions.Remove(old);
        }
    }

    /// <summary>Names the file only.</summary>
    public override string ToString() => $"File store '{FilePath}'";

    private static void EnsureWellFormed(SecretId id) => StoredIds.EnsureWellFormed(id);

    private static void Validate(ProtectedSecretRecord record)
    {
        if (record.Id == default)
        {
            EnsureWellFormed(record.Id);
        }

        if (!record.Id.IsWellFormed || !SecretId.IsWellFormedText(record.MasterKeyId))
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidSecret, $"Secret '{record.Id}' has a name or key id with a lone surrogate, which has no UTF-8 form.");
        }

        var complete = record.Format switch
        {
            ProtectedSecretFormat.V1 => record.ProtectedDocumentKey is not null && record.InitialisationVector is not null && record.ProtectedSecretValue is not null && record.Envelope is null,
            ProtectedSecretFormat.V2 => record.Envelope is not null && record.ProtectedDocumentKey is null && record.InitialisationVector is null && record.ProtectedSecretValue is null,
            _ => false,
        };
        if (!complete || string.IsNullOrEmpty(record.MasterKeyId))
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidArgument, $"The record of '{record.Id}' does not have exactly the fields of format {record.Format}.");
        }
    }

    /// <summary>
    /// Writes the id <see cref="EnsureStoreIdAsync"/> made for a new store with its first record. The record was sealed
    /// for that id, so a store that meanwhile got records or another id (a second writer created it) is a conflict.
    /// </summary>
    private void ApplyPendingStoreId(StoreFileFormat.StoreFileContent content, SecretId id)
    {
        if (_pendingStoreId is not { } pending)
        {
            return;
        }

        if (content.StoreId is null && content.Records.Count == 0 && content.History.Count == 0)
        {
            content.StoreId = pending;
        }
        else if (!string.Equals(content.StoreId, pending, StringComparison.Ordinal))
        {
            _pendingStoreId = null;
            throw new ConcurrencyConflictException(id, 0);
        }
    }

    /// <inheritdoc />
    /// <remarks>The top-level <c>"storeId"</c> of the file; null when the file has none or does not exist.</remarks>
    public async ValueTask<string?> GetStoreIdAsync(CancellationToken cancellationToken = default) =>
        _readStoreId is { } read ? read.Id : await ReadStoreIdAsync(cancellationToken).ConfigureAwait(false);

    private async ValueTask<string?> ReadStoreIdAsync(CancellationToken cancellationToken)
    {
        byte[] content;
        try
        {
            content = await ReadBytesAsync(cancellationToken, createIfMissing: false).ConfigureAwait(false);
        }
        catch (StoreFileNotFoundException)
        {
            return null;
        }

        return StoreFileFormat.ReadStoreId(content, FilePath);
    }

    /// <inheritdoc />
    /// <remarks>
    /// A file that does not exist, or holds no record and no history, is a new store: its id is made here and written
    /// with the first record (so a write that fails leaves no file behind); should another writer create the store first,
    /// that save is a conflict, not a record bound to an id the file does not have. A file with records gets an id only
    /// with <paramref name="createForExisting"/> (<c>secretstore store-id --create</c>), written at once.
    /// </remarks>
    public async ValueTask<string?> EnsureStoreIdAsync(bool createForExisting = false, CancellationToken cancellationToken = default)
    {
        if (await ReadStoreIdAsync(cancellationToken).ConfigureAwait(false) is { } existing)
        {
            _pendingStoreId = null;
            return existing;
        }

        using var fileLock = await AcquireLockAsync(cancellationToken).ConfigureAwait(false);
        var content = await ReadAllAsync(cancellationToken, createIfMissing: true).ConfigureAwait(false);
        if (content.StoreId is { } id)
        {
            _pendingStoreId = null;
            return id;
        }

        var isNew = content.Records.Count == 0 && content.History.Count == 0;
        if (!createForExisting)
        {
            _pendingStoreId = isNew ? _pendingStoreId ?? StoreIds.New() : null;
            return _pendingStoreId;
        }

        _pendingStoreId = null;
        content.StoreId = StoreIds.New();
        await WriteAsync(content, cancellationToken).ConfigureAwait(false);
        return content.StoreId;
    }

    /// <inheritdoc />
    public async ValueTask<bool> AdoptStoreIdAsync(string storeId, CancellationToken cancellationToken = default)
    {
        if (!StoreIds.IsWellFormed(storeId))
        {
            throw new ArgumentException("Not a store id.", nameof(storeId));
        }

        using var fileLock = await AcquireLockAsync(cancellationToken).ConfigureAwait(false);
        var content = await ReadAllAsync(cancellationToken, createIfMissing: true).ConfigureAwait(false);
        if (content.StoreId is { } existing)
        {
            return string.Equals(existing, storeId, StringComparison.Ordinal);
        }

        if (content.Records.Count > 0 || content.History.Count > 0)
        {
            return false;
        }

        _pendingStoreId = null;
        content.StoreId = storeId;
        await WriteAsync(content, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task<SortedDictionary<(string App, string Name), ProtectedSecretRecord>> ReadAsync(CancellationToken cancellationToken)
    {
        var content = await ReadBytesAsync(cancellationToken, createIfMissing: false).ConfigureAwait(false);
        // The id as this same read saw it: a bound record is then checked against the file it came from, with no second read.
        var records = StoreFileFormat.Parse(content, FilePath, out var storeId);
        _readStoreId = new StoreIdRead(storeId);
        return records;
    }

    private async Task<StoreFileFormat.StoreFileContent> ReadAllAsync(CancellationToken cancellationToken, bool createIfMissing = false)
    {
        var content = await ReadBytesAsync(cancellationToken, createIfMissing).ConfigureAwait(false);
        return StoreFileFormat.ParseWithHistory(content, FilePath);
    }

    private async Task<byte[]> ReadBytesAsync(CancellationToken cancellationToken, bool createIfMissing)
    {
        byte[] content;
        try
        {
            content = await ReadBoundedAsync(FilePath, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return createIfMissing ? [] : throw new StoreFileNotFoundException(FilePath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SecretStoreException(DiagnosticCodes.BackendUnavailable, $"The secret store file '{FilePath}' cannot be read: {ex.GetType().Name}.", ex);
        }

        return content;
    }

    /// <summary>The largest store file read (64 MiB, tens of thousands of records): a link to a device must not exhaust memory.</summary>
    public const long MaxFileBytes = 64L * 1024 * 1024;

    /// <summary>
    /// Reads the store file only when it is a regular file of at most <see cref="MaxFileBytes"/> (<c>SSB2004</c>
    /// otherwise): a store committed as a link to <c>/dev/zero</c> ran a reader out of memory, and one to a FIFO hung
    /// it before any reload could warn (red team, security.md RT.17). The type is checked before the open, since
    /// opening a FIFO blocks.
    /// </summary>
    private static async Task<byte[]> ReadBoundedAsync(string path, CancellationToken cancellationToken)
    {
        if (LinuxFiles.IsSupported && System.IO.File.Exists(path) && !LinuxFiles.Stat(path).IsRegularFile)
        {
            throw new SecretStoreException(DiagnosticCodes.StoreFileCorrupt, $"The secret store file '{path}' is not a regular file (a FIFO, a device or a socket, or a link to one); it is not read. Fix: restore the store file from version control.");
        }

        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            if (stream.Length > MaxFileBytes)
            {
                throw new SecretStoreException(DiagnosticCodes.StoreFileCorrupt, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"The secret store file '{path}' is {stream.Length} bytes; the limit is {MaxFileBytes} bytes. Fix: check that the store path names the store file."));
            }

            var content = new byte[stream.Length];
            await stream.ReadExactlyAsync(content, cancellationToken).ConfigureAwait(false);
            return content;
        }
    }

    private const UnixFileMode SharedFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private async Task WriteAsync(StoreFileFormat.StoreFileContent stored, CancellationToken cancellationToken)
    {
        var content = StoreFileFormat.Write(stored.Records.Values, stored.History.Values.SelectMany(r => r.Values), stored.StoreId);
        try
        {
            // The shared writer keeps an existing store's mode, group and owner (on the handle, before the rename;
            // SSB1020 when it cannot) and makes a new store 644 whatever the umask: never group- or world-writable,
            // since a user who can write the store can roll records back or delete them. Durable before the rename,
            // so a crash leaves the old file or the whole new one.
            await AtomicFileWriter.WriteAsync(FilePath, content, new AtomicWriteOptions(Durable: true, AtomicFileMode.KeepTarget), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SecretStoreException(DiagnosticCodes.BackendUnavailable, $"The secret store file '{FilePath}' could not be written: {ex.GetType().Name}.", ex);
        }
    }

    private async Task<IDisposable> AcquireLockAsync(CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(FilePath)!;
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SecretStoreException(DiagnosticCodes.BackendUnavailable, $"The folder of the secret store file '{FilePath}' cannot be created: {ex.GetType().Name}.", ex);
        }

        var clock = _options.TimeProvider;
        var deadline = clock.GetUtcNow() + _options.LockTimeout;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                // An exclusive lock between processes (flock on Unix, share modes on Windows) and between threads,
                // since each open is its own file description. The lock file is never deleted: deleting it would let
                // a waiter lock an unlinked file.
                if (LinuxFiles.IsSupported)
                {
                    return OpenLockNoFollow();
                }

                RefuseLinkedLock();
                var lockOptions = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
                if (!OperatingSystem.IsWindows())
                {
                    lockOptions.UnixCreateMode = SharedFileMode;
                }

                return new FileStream(LockPath, lockOptions);
            }
            catch (IOException) when (clock.GetUtcNow() < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 25)), clock, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new SecretStoreException(DiagnosticCodes.BackendUnavailable, $"The lock '{LockPath}' of the secret store file could not be taken within {_options.LockTimeout.TotalSeconds:0.#} s.", ex);
            }
        }
    }

    /// <summary>
    /// Opens the lock with O_NOFOLLOW: on a shared agent another user may plant a link at <c>&lt;store&gt;.lock</c>,
    /// and following it would make every writer create (or lock) the file it points to. Only a regular file is a lock.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private Microsoft.Win32.SafeHandles.SafeFileHandle OpenLockNoFollow()
    {
        var mode = LockFileMode();
        var handle = LinuxFiles.OpenNoFollowLocked(LockPath, mode, out var errno, out var created);
        if (handle is null)
        {
            throw errno switch
            {
                LinuxFiles.ELoop => NotALock("is a symbolic link"),
                LinuxFiles.EAgain or LinuxFiles.EIntr => new IOException("The lock is held by another writer."),
                21 => NotALock("is a folder"), // EISDIR
                _ => new IOException($"The lock could not be opened (errno {errno})."),
            };
        }

        var identity = LinuxFiles.Stat(handle);
        if (!identity.IsRegularFile)
        {
            handle.Dispose();
            throw NotALock("is not a regular file");
        }

        if (identity.LinkCount > 1)
        {
            // A hard link planted at the lock path is another file under a second name: narrowing the lock's mode
            // below would change that file's mode (red team, security.md RT.16).
            handle.Dispose();
            throw NotALock($"has {identity.LinkCount} hard links (it is another file too)");
        }

        if (!created && identity.Owner == LinuxFiles.EffectiveUserId && (identity.Mode & ~mode) != 0)
        {
            // A lock made readable to all by an earlier version: narrowed, so that a reader cannot hold it.
            System.IO.File.SetUnixFileMode(handle, identity.Mode & mode);
        }

        return handle;
    }

    /// <summary>
    /// Readers take no lock, and flock works on a descriptor opened for reading: a lock readable by everyone lets any
    /// local user who may read the store hold it and block every writer. So the lock is open only to the classes that
    /// may write the store (owner always; group and others only when the store file is writable for them).
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private UnixFileMode LockFileMode()
    {
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var store = System.IO.File.Exists(FilePath) ? System.IO.File.GetUnixFileMode(FilePath) : UnixFileMode.None;
        if (store.HasFlag(UnixFileMode.GroupWrite))
        {
            mode |= UnixFileMode.GroupRead | UnixFileMode.GroupWrite;
        }

        if (store.HasFlag(UnixFileMode.OtherWrite))
        {
            mode |= UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
        }

        return mode;
    }

    /// <summary>Elsewhere (no O_NOFOLLOW from .NET): a link at the lock path is refused before the open.</summary>
    private void RefuseLinkedLock()
    {
        var info = new FileInfo(LockPath);
        if (info.LinkTarget is not null)
        {
            throw NotALock("is a symbolic link");
        }

        if (info.Exists || !Directory.Exists(LockPath))
        {
            return;
        }

        throw NotALock("is a folder");
    }

    private SecretStoreException NotALock(string what) =>
        new(DiagnosticCodes.LockFileNotRegular, $"The lock '{LockPath}' of the secret store file {what}; nothing was written. Fix: remove it (a writer creates a fresh one) and find out who put it there.");

    private sealed record StoreIdRead(string? Id);
}

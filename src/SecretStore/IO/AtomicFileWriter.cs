using Microsoft.Win32.SafeHandles;
using SecretStore.Diagnostics;

namespace SecretStore.IO;

/// <summary>The mode an <see cref="AtomicFileWriter"/> file ends with.</summary>
internal enum AtomicFileMode
{
    /// <summary>
    /// The replaced file's mode, group (and owner, when we are root), or 644 exactly for a new file: resolved files,
    /// the report, the store file and the keyring index. A target whose group or ACL cannot be kept is <c>SSB1020</c>.
    /// </summary>
    KeepTarget,

    /// <summary>
    /// 600 exactly, whatever the replaced file had (its group and ACL are dropped on purpose): private key files.
    /// </summary>
    OwnerOnly,
}

/// <summary>How <see cref="AtomicFileWriter"/> writes one file; callers spell both out.</summary>
/// <param name="Durable">Flush to disk before the rename, so a power cut leaves the old file or the whole new one.</param>
/// <param name="FinalMode">The mode the file ends with.</param>
internal sealed record AtomicWriteOptions(bool Durable, AtomicFileMode FinalMode);

/// <summary>
/// The one writer of files that replace others: a temp file in the same folder, then a rename, so a reader sees the
/// old or the new file, never half of one. Used for resolved files, the report, the store file and the keyring's
/// files (index and private keys).
/// </summary>
/// <remarks>
/// On a shared build agent the folder may be writable by others, so nothing is done by path once the temp file
/// exists: the final mode, group (and owner, when we are root) are applied to the temp file's open handle, and
/// nothing follows the rename. The temp file is owner-only from the instant it is created (the create mode, which a
/// umask can only narrow) until after the rename, so no resolved secret or private key sits in a file readable by
/// more users than the target, even when a kill leaves a temp file behind (the next successful resolve of the folder
/// removes such leftovers). With <see cref="AtomicFileMode.KeepTarget"/> a target whose group cannot be kept, or that
/// has a POSIX ACL (which a new inode would lose), is refused with <c>SSB1020</c> before anything is renamed, and a new
/// file is 644 exactly, whatever the umask. Windows keeps <see cref="File.Replace(string, string, string?, bool)"/>,
/// which keeps the target's attributes and ACL. On Unix systems other than Linux only the mode is kept.
/// </remarks>
internal static class AtomicFileWriter
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode NewFileMode = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>
    /// Replaces <paramref name="target"/> with <paramref name="bytes"/> in one call (temp, commit, and the temp removed
    /// on any failure). For writers that have one file; the resolver commits many temps after writing them all.
    /// </summary>
    public static void Write(string target, ReadOnlySpan<byte> bytes, AtomicWriteOptions options)
    {
        var pending = WriteTemp(target, bytes, options);
        try
        {
            Commit(pending, target);
        }
        finally
        {
            Discard(pending);
        }
    }

    /// <summary>The asynchronous <see cref="Write"/>.</summary>
    public static async Task WriteAsync(string target, ReadOnlyMemory<byte> bytes, AtomicWriteOptions options, CancellationToken cancellationToken)
    {
        var pending = await WriteTempAsync(target, bytes, options, cancellationToken).ConfigureAwait(false);
        try
        {
            Commit(pending, target);
        }
        finally
        {
            Discard(pending);
        }
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> to a new temp file beside <paramref name="target"/> and prepares its final
    /// metadata (<c>SSB1020</c> when the target's cannot be kept, temp removed).
    /// </summary>
    public static PendingFile WriteTemp(string target, ReadOnlySpan<byte> bytes, AtomicWriteOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var temp = TempPath(target);
        FileStream? stream = null;
        try
        {
            stream = new FileStream(temp, StreamOptions(asynchronous: false));
            stream.Write(bytes);
            stream.Flush();
            var pending = Seal(temp, stream, target, options);
            stream = null;
            return pending;
        }
        catch
        {
            stream?.Dispose();
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>The asynchronous <see cref="WriteTemp"/>.</summary>
    public static async Task<PendingFile> WriteTempAsync(string target, ReadOnlyMemory<byte> bytes, AtomicWriteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var temp = TempPath(target);
        FileStream? stream = null;
        try
        {
            stream = new FileStream(temp, StreamOptions(asynchronous: true));
            await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            var pending = Seal(temp, stream, target, options);
            stream = null;
            return pending;
        }
        catch
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            TryDelete(temp);
            throw;
        }
    }

    private static string TempPath(string target)
    {
        var directory = Path.GetDirectoryName(target) ?? ".";
        return Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
    }

    private static FileStreamOptions StreamOptions(bool asynchronous)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = asynchronous ? FileOptions.Asynchronous : FileOptions.None,
        };
        if (!OperatingSystem.IsWindows())
        {
            // Owner-only from the open(2) that creates it (a umask can only take bits away) until Commit gives the
            // handle its final mode.
            options.UnixCreateMode = OwnerOnly;
        }

        return options;
    }

    /// <summary>Makes the written temp durable if asked and works out the mode it gets at commit.</summary>
    private static PendingFile Seal(string temp, FileStream stream, string target, AtomicWriteOptions options)
    {
        // No fsync unless asked: the rename gives readers all-or-nothing; durability across a power cut is not worth
        // milliseconds per resolved file in a publish step that is simply run again after a crash. The store file and
        // the keyring's files ask for it.
        if (options.Durable)
        {
            stream.Flush(flushToDisk: true);
        }

        var mode = OperatingSystem.IsWindows() ? default
            : options.FinalMode == AtomicFileMode.OwnerOnly ? OwnerOnly
            : PrepareMetadata(stream.SafeFileHandle, target);
        return new PendingFile(temp, stream, mode);
    }

    /// <summary>
    /// Replaces <paramref name="target"/> with the temp file. On Linux the temp is renamed while still owner-only and
    /// its handle gets its final mode after the rename, so a kill at any instant leaves no readable temp behind
    /// (at worst the new target keeps owner-only mode, too strict rather than too open). Elsewhere on Unix the handle
    /// gets the mode, then it is closed and renamed. <paramref name="beforeRename"/> and <paramref name="afterRename"/>
    /// are test seams: the first sees the temp as a kill right before the rename would leave it; the second runs where
    /// an attacker could swap the target path for a link.
    /// </summary>
    public static void Commit(PendingFile pending, string target, Action? afterRename = null, Action? beforeRename = null)
    {
        ArgumentNullException.ThrowIfNull(pending);
        using (pending)
        {
            if (OperatingSystem.IsWindows())
            {
                // Closed first: Windows cannot replace or rename a file that is open without delete sharing.
                pending.CloseHandle();
                if (File.Exists(target))
                {
                    // ReplaceFile keeps the target's attributes and ACL.
                    File.Replace(pending.Path, target, destinationBackupFileName: null, ignoreMetadataErrors: true);
                }
                else
                {
                    File.Move(pending.Path, target, overwrite: true);
                }
            }
            else if (LinuxFiles.IsSupported)
            {
                // The handle holds an exclusive flock (FileShare.None) which readers of the renamed file would run
                // into: released first, the handle itself stays open. The mode is set on the handle after the rename,
                // so a link swapped in at either path cannot redirect it; the group was set in WriteTempAsync.
                LinuxFiles.Unlock(pending.Handle);
                beforeRename?.Invoke();
                File.Move(pending.Path, target, overwrite: true);
                pending.Committed = true;
                afterRename?.Invoke();
                File.SetUnixFileMode(pending.Handle, pending.Mode);
                pending.CloseHandle();
                return;
            }
            else
            {
                // No flock release without libc here: mode on the handle, closed, then renamed.
                File.SetUnixFileMode(pending.Handle, pending.Mode);
                pending.CloseHandle();
                beforeRename?.Invoke();
                File.Move(pending.Path, target, overwrite: true);
            }

            pending.Committed = true;
            afterRename?.Invoke();
        }
    }

    /// <summary>Removes a temp file that will not be committed.</summary>
    public static void Discard(PendingFile pending)
    {
        ArgumentNullException.ThrowIfNull(pending);
        pending.Dispose();
        if (!pending.Committed)
        {
            TryDelete(pending.Path);
        }
    }

    /// <summary>
    /// Deletes temp files of <paramref name="target"/> that an earlier run left behind when it was killed between
    /// writing and renaming them: each holds resolved values, and would otherwise be published with the folder.
    /// </summary>
    public static void RemoveStaleTemps(string target)
    {
        var directory = Path.GetDirectoryName(target) ?? ".";
        var prefix = $".{Path.GetFileName(target)}.";
        try
        {
            foreach (var path in Directory.EnumerateFiles(directory, prefix + "*.tmp"))
            {
                var middle = Path.GetFileName(path)[prefix.Length..^".tmp".Length];
                if (middle.Length == 32 && middle.All(char.IsAsciiHexDigitLower))
                {
                    TryDelete(path);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: the target itself is already in place.
        }
    }

    /// <summary>Deletes a temp file, ignoring failure (it may already be gone).</summary>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>True when <paramref name="path"/> is a symbolic link that names no file (missing target or a loop).</summary>
    private static bool IsDanglingLink(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is null)
        {
            return false;
        }

        try
        {
            return info.ResolveLinkTarget(returnFinalTarget: true) is not { Exists: true };
        }
        catch (IOException)
        {
            // A loop of links names no file either.
            return true;
        }
    }

    /// <summary>
    /// Reads what the replaced file has (links followed, as the rename replaces whatever the path names), refuses
    /// what a new inode cannot keep, and gives the temp handle the target's owner and group. Returns the mode to
    /// apply at commit: the target's exactly, or 644 for a new file.
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static UnixFileMode PrepareMetadata(SafeFileHandle handle, string target)
    {
        // A dangling link is replaced like a missing file (the rename replaces the link, never writes through it);
        // reading its metadata failed after the targets of a resolve were written (red team, security.md RT.15).
        if (!File.Exists(target) || IsDanglingLink(target))
        {
            return NewFileMode;
        }

        if (!LinuxFiles.IsSupported)
        {
            return File.GetUnixFileMode(target);
        }

        var existing = LinuxFiles.Stat(target);
        if (LinuxFiles.HasAccessAcl(target))
        {
            throw new SecretStoreException(
                DiagnosticCodes.FileMetadataNotKept,
                $"'{target}' has a POSIX ACL, which replacing the file would drop; nothing was written. Fix: remove the ACL (setfacl -b) and grant access through the file's group instead.");
        }

        var mine = LinuxFiles.Stat(handle);
        var root = LinuxFiles.EffectiveUserId == 0;
        var owner = root && existing.Owner != mine.Owner ? existing.Owner : uint.MaxValue;
        var group = existing.Group != mine.Group ? existing.Group : uint.MaxValue;
        if (owner != uint.MaxValue || group != uint.MaxValue)
        {
            var errno = LinuxFiles.ChangeOwner(handle, owner, group);
            if (errno != 0)
            {
                throw new SecretStoreException(
                    DiagnosticCodes.FileMetadataNotKept,
                    $"'{target}' belongs to group {existing.Group}, which this user cannot give the replacement (errno {errno}); nothing was written. Fix: run as a member of that group, or change the file's group.");
            }
        }

        return existing.Mode;
    }
}

/// <summary>A written temp file, still open, waiting for <see cref="AtomicFileWriter.Commit"/> or <see cref="AtomicFileWriter.Discard"/>.</summary>
internal sealed class PendingFile : IDisposable
{
    private FileStream? _stream;

    internal PendingFile(string path, FileStream stream, UnixFileMode mode)
    {
        Path = path;
        _stream = stream;
        Mode = mode;
    }

    /// <summary>The temp file's path.</summary>
    public string Path { get; }

    /// <summary>The mode the file gets at commit.</summary>
    public UnixFileMode Mode { get; }

    /// <summary>True once the file has been renamed onto its target.</summary>
    public bool Committed { get; set; }

    /// <summary>The open handle of the temp file.</summary>
    public SafeFileHandle Handle => (_stream ?? throw new ObjectDisposedException(nameof(PendingFile))).SafeFileHandle;

    /// <summary>Closes the handle (the file stays).</summary>
    public void CloseHandle()
    {
        _stream?.Dispose();
        _stream = null;
    }

    /// <inheritdoc />
    public void Dispose() => CloseHandle();
}

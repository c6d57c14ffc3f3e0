namespace SecretStore.Resolution.Files;

/// <summary>
/// Writes a file by way of a temp file in the same folder, then a rename, so a reader sees the old or the new
/// file, never half of one. The temp file is created with the target's permissions (no window in which a
/// resolved secret sits in a world-readable file), and a rename keeps them.
/// </summary>
internal static class AtomicFileWriter
{
    /// <summary>Writes <paramref name="bytes"/> to a new temp file beside <paramref name="target"/>; returns its path.</summary>
    public static async Task<string> WriteTempAsync(string target, byte[] bytes, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(target) ?? ".";
        var temp = Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous,
        };
        UnixFileMode? mode = null;
        if (!OperatingSystem.IsWindows() && File.Exists(target))
        {
            // Owner-only until the content is complete; then exactly the target's mode.
            mode = File.GetUnixFileMode(target);
            options.UnixCreateMode = mode.Value & (UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        try
        {
            var stream = new FileStream(temp, options);
            await using (stream.ConfigureAwait(false))
            {
                // No fsync: the rename gives readers all-or-nothing; durability across a power cut is not worth
                // milliseconds per file in a publish step that is simply run again after a crash.
                await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            }

            if (!OperatingSystem.IsWindows() && mode is { } unixMode)
            {
                // Set explicitly: the create mode is filtered by the umask.
                File.SetUnixFileMode(temp, unixMode);
            }

            return temp;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Replaces <paramref name="target"/> with <paramref name="temp"/>.</summary>
    public static void Commit(string temp, string target)
    {
        if (OperatingSystem.IsWindows() && File.Exists(target))
        {
            // ReplaceFile keeps the target's attributes and ACL, as rename(2) keeps the inode's mode on Unix.
            File.Replace(temp, target, destinationBackupFileName: null, ignoreMetadataErrors: true);
        }
        else
        {
            File.Move(temp, target, overwrite: true);
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
}

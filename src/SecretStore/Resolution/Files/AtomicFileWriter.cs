namespace SecretStore.Resolution.Files;

/// <summary>
/// Writes a file by way of a temp file in the same folder, then a rename, so a reader sees the old or the new
/// file, never half of one. The temp file is owner-only until it has been renamed and then gets exactly the
/// target's mode, so no resolved secret sits in a file readable by more users than the target, even when a kill
/// leaves a temp file behind; the next successful resolve of the folder removes such leftovers.
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
        if (!OperatingSystem.IsWindows() && File.Exists(target))
        {
            // Owner-only until Commit has renamed it; Commit then gives it exactly the target's mode.
            options.UnixCreateMode = File.GetUnixFileMode(target) & (UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        else if (!OperatingSystem.IsWindows())
        {
            // A new file (the report): 644 less the umask, never group- or world-writable under a permissive umask.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
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

            // The temp file stays owner-only until Commit has renamed it: a process killed before the rename leaves
            // a resolved copy behind, and that copy must not be readable by more users than the one who ran it.
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
            UnixFileMode? mode = !OperatingSystem.IsWindows() && File.Exists(target) ? File.GetUnixFileMode(target) : null;
            File.Move(temp, target, overwrite: true);
            if (!OperatingSystem.IsWindows() && mode is { } unixMode)
            {
                // Exactly the replaced file's mode (the create mode was owner-only and filtered by the umask).
                File.SetUnixFileMode(target, unixMode);
            }
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
}

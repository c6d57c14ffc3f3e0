using System.Security.Cryptography;
using System.Text;
using SecretStore.Diagnostics;
using SecretStore.IO;

namespace SecretStore.Keys.Rsa;

/// <summary>
/// File helpers of the keyring: contained paths (compared by real path), owner-only private files, explicit
/// modes for everything written (644 files, 755 folders, 600 private keys: never the umask); replacements go through
/// the engine's one atomic writer.
/// </summary>
internal static class KeyFiles
{
    private const int MaxLinkHops = 40;

    private const UnixFileMode PublicFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode PrivateFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>
    /// Resolves a relative path inside <paramref name="root"/>; anything leaving the folder is SSB3007, by path
    /// text or by real path (every symbolic link of the file and of the root resolved).
    /// </summary>
    public static string Resolve(string root, string relative)
    {
        var rootWithSeparator = Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar;
        if (Path.IsPathRooted(relative))
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"Keyring path '{relative}' is absolute; paths must be relative to '{root}'.");
        }

        var full = Path.GetFullPath(Path.Combine(root, relative));
        if (!full.StartsWith(rootWithSeparator, StringComparison.Ordinal))
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"Keyring path '{relative}' leaves the keyring folder '{root}'.");
        }

        // Checking each link's own target is not enough: `d1 -> ../outside` and `a -> d1/sub` each look harmless
        // one hop at a time, yet `a/key.pem` is outside. Only the real path of the whole chain tells.
        var realRoot = Path.TrimEndingDirectorySeparator(RealPath(root, relative)) + Path.DirectorySeparatorChar;
        var realFile = RealPath(full, relative);
        if (!realFile.StartsWith(realRoot, StringComparison.Ordinal))
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"Keyring path '{relative}' goes through a symbolic link that leaves the keyring folder '{root}'.");
        }

        return full;
    }

    /// <summary>
    /// The path with every symbolic link resolved, component by component (what realpath(3) does), for paths
    /// whose last components may not exist yet. A loop or a link that cannot be read is SSB3007.
    /// </summary>
    internal static string RealPath(string path, string relative)
    {
        var full = Path.GetFullPath(path);
        var current = Path.GetPathRoot(full)!;
        var pending = new LinkedList<string>(full[current.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries));
        var hops = 0;
        while (pending.First is { } first)
        {
            var part = first.Value;
            pending.RemoveFirst();
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            var next = Path.Combine(current, part);
            string? target;
            try
            {
                target = new FileInfo(next).LinkTarget;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"Keyring path '{relative}' goes through a symbolic link that cannot be followed ({ex.GetType().Name}).", ex);
            }

            if (target is null)
            {
                current = next;
                continue;
            }

            if (++hops > MaxLinkHops)
            {
                throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"Keyring path '{relative}' goes through more than {MaxLinkHops} symbolic links (a loop).");
            }

            if (Path.IsPathRooted(target))
            {
                current = Path.GetPathRoot(target)!;
                target = target[current.Length..];
            }

            foreach (var piece in target.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Reverse())
            {
                pending.AddFirst(piece);
            }
        }

        return current;
    }

    /// <summary>
    /// SSH's rule for private keys: a private key file that group or others may access is refused on Unix. A
    /// checkout writes files 644, so a private key an attacker commits (and names in keyring.json) is refused.
    /// </summary>
    public static void RequireOwnerOnly(string path, string relative, string what)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        UnixFileMode mode;
        try
        {
            mode = File.GetUnixFileMode(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"The private key file of {what} ('{relative}') cannot be read: {ex.GetType().Name}.", ex);
        }

        if ((mode & GroupOrOther) != 0)
        {
            throw new SecretStoreException(
                DiagnosticCodes.PrivateKeyFileExposed,
                $"The private key file of {what} ('{relative}') is accessible by other users (mode {Convert.ToString((int)mode, 8)}); it is refused. Fix: run 'chmod 600' on it if it is yours.");
        }
    }

    /// <summary>The largest keyring file read (keyring.json, PEM, reader secret); real ones are a few KiB.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>
    /// Reads a keyring file of at most <see cref="MaxFileBytes"/> (more is SSB3007): a link to a device such as
    /// /dev/zero must not exhaust the reader's memory. Callers pass paths from <see cref="Resolve"/>, so the file's
    /// real path lies inside the keyring folder.
    /// </summary>
    public static string ReadText(string path, string what)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            var buffer = new char[MaxFileBytes + 1];
            var read = reader.ReadBlock(buffer, 0, buffer.Length);
            if (read > MaxFileBytes)
            {
                throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"The file of {what} ('{path}') is larger than {MaxFileBytes} bytes.");
            }

            return new string(buffer, 0, read);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"The key file of {what} ('{path}') cannot be read: {ex.GetType().Name}.", ex);
        }
    }

    /// <summary>A file name for any key id: a readable slug plus a hash, so distinct ids never collide.</summary>
    public static string FileStem(string keyId)
    {
        var slug = new StringBuilder();
        foreach (var c in keyId)
        {
            slug.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
            if (slug.Length == 40)
            {
                break;
            }
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(keyId)).AsSpan(0, 4));
        return $"{slug}-{hash}";
    }

    /// <summary>Creates a folder (and its missing parents) with mode 755, whatever the umask.</summary>
    public static void CreateFolder(string path)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (Directory.Exists(full))
        {
            return;
        }

        if (Path.GetDirectoryName(full) is { } parent)
        {
            CreateFolder(parent);
        }

        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(full);
                return;
            }

            Directory.CreateDirectory(full, FolderMode);
            File.SetUnixFileMode(full, FolderMode);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"The keyring folder '{full}' could not be created: {ex.GetType().Name}.", ex);
        }
    }

    /// <summary>Writes a private key file, never overwriting, readable by the owner only (mode 600 on Unix).</summary>
    public static void WritePrivate(string path, string text) => WriteNew(path, text, PrivateFileMode);

    /// <summary>Writes a public key PEM, never overwriting, mode 644.</summary>
    public static void WritePublic(string path, string pem) => WriteNew(path, pem, PublicFileMode);

    /// <summary>
    /// Replaces a private key file atomically through the engine's one writer: the temp is owner-only from its
    /// creation, the file ends 600 exactly (whatever it or the umask had), and it is flushed to disk before the rename:
    /// a lost private key cannot be fetched again.
    /// </summary>
    public static void ReplacePrivate(string path, string text)
    {
        var bytes = new UTF8Encoding(false).GetBytes(text);
        try
        {
            Replace(path, bytes, new AtomicWriteOptions(Durable: true, AtomicFileMode.OwnerOnly));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>
    /// Replaces a public file (the index) atomically: it keeps an existing file's mode and group (644 for a new one,
    /// whatever the umask) and is flushed to disk before the rename, so a crash leaves the old or the whole new index.
    /// </summary>
    public static void WriteAtomically(string path, byte[] content) =>
        Replace(path, content, new AtomicWriteOptions(Durable: true, AtomicFileMode.KeepTarget));

    private static void Replace(string path, byte[] content, AtomicWriteOptions options)
    {
        try
        {
            AtomicFileWriter.Write(path, content, options);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"'{path}' could not be written: {ex.GetType().Name}.", ex);
        }
    }

    private static void WriteNew(string path, string text, UnixFileMode mode)
    {
        try
        {
            using (var stream = new FileStream(path, Options(FileMode.CreateNew, mode)))
            using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
            {
                writer.Write(text);
            }

            SetMode(path, mode);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"Key file '{path}' could not be written (it may already exist): {ex.GetType().Name}.", ex);
        }
    }

    private static FileStreamOptions Options(FileMode fileMode, UnixFileMode mode)
    {
        var options = new FileStreamOptions { Mode = fileMode, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            // Created with at most the final mode, then set exactly: the umask may only have taken bits away.
            options.UnixCreateMode = mode;
        }

        return options;
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }
}

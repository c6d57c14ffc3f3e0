using System.Security.Cryptography;
using System.Text;
using SecretStore.Diagnostics;

namespace SecretStore.Keys.Rsa;

/// <summary>File helpers of the keyring: contained paths, owner-only private files, atomic index writes.</summary>
internal static class KeyFiles
{
    /// <summary>Resolves a relative path inside <paramref name="root"/>; anything leaving the folder is SSB3007.</summary>
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

        RefuseLinksOutside(root, rootWithSeparator, relative, full);
        return full;
    }

    /// <summary>
    /// A path that stays inside the folder as text can still lead out through a symbolic link (a key file or a
    /// sub-folder linked elsewhere, for example committed to a repository). Each component that is a link must
    /// end inside the folder too.
    /// </summary>
    private static void RefuseLinksOutside(string root, string rootWithSeparator, string relative, string full)
    {
        var current = Path.TrimEndingDirectorySeparator(root);
        foreach (var part in Path.GetRelativePath(root, full).Split(Path.DirectorySeparatorChar))
        {
            current = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
            if (info.LinkTarget is null)
            {
                continue;
            }

            string? target;
            try
            {
                target = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName;
            }
            catch (IOException ex)
            {
                throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"Keyring path '{relative}' goes through a symbolic link that cannot be followed ({ex.GetType().Name}).", ex);
            }

            if (target is null || !Path.GetFullPath(target).StartsWith(rootWithSeparator, StringComparison.Ordinal))
            {
                throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"Keyring path '{relative}' goes through a symbolic link that leaves the keyring folder '{root}'.");
            }
        }
    }

    public static string ReadText(string path, string what)
    {
        try
        {
            return File.ReadAllText(path);
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

    /// <summary>Writes a private key PEM, never overwriting, readable by the owner only (mode 600 on Unix).</summary>
    public static void WritePrivate(string path, string pem) => WriteNew(path, pem, ownerOnly: true);

    /// <summary>Writes a public key PEM, never overwriting.</summary>
    public static void WritePublic(string path, string pem) => WriteNew(path, pem, ownerOnly: false);

    public static void WriteAtomically(string path, byte[] content)
    {
        var temp = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(temp, content);
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            File.Delete(temp);
            throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"'{path}' could not be written: {ex.GetType().Name}.", ex);
        }
    }

    private static void WriteNew(string path, string pem, bool ownerOnly)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (ownerOnly && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var stream = new FileStream(path, options);
            using var writer = new StreamWriter(stream, new UTF8Encoding(false));
            writer.Write(pem);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"Key file '{path}' could not be written (it may already exist): {ex.GetType().Name}.", ex);
        }
    }
}

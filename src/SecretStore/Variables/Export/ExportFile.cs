using System.Security.Cryptography;
using System.Text;
using SecretStore.Diagnostics;
using System.Runtime.Versioning;
using SecretStore.IO;

namespace SecretStore.Variables.Export;

/// <summary>
/// Writes an export where it was asked to go, and nowhere else: by default a new file replaces the target atomically
/// (a temp file in the same folder, owner-only from its creation, renamed over the target; mode 600 whatever the
/// target had), so a reader sees no half-written file and no other user can read it. With <c>append</c> (for a file
/// that a CI runner hands out, such as <c>GITHUB_ENV</c>) the text is added to the end in one write, on a line of its
/// own, and the file is left owner-only (created 600, or narrowed to 600). Either way the target must be a regular
/// file or missing: a symbolic link (dangling or not), a hard link to another file (append), a FIFO or a device is
/// refused before anything is written, since each would hand the values to whoever planted it.
/// </summary>
public static class ExportFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/>; a failure is <c>SSB1015</c> naming the file and nothing is left half-written.</summary>
    public static void Write(string path, string text, bool append)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(text);
        var full = Path.GetFullPath(path);
        var bytes = Utf8.GetBytes(text);
        try
        {
            if (append && LinuxFiles.IsSupported)
            {
                AppendOnLinux(full, bytes);
            }
            else if (append)
            {
                AppendPortable(full, bytes);
            }
            else
            {
                RefuseSpecialTarget(full);
                AtomicFileWriter.Write(full, bytes, new AtomicWriteOptions(Durable: true, FinalMode: AtomicFileMode.OwnerOnly));
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SecretStoreException(DiagnosticCodes.FileWriteFailed, $"The export could not be written to '{full}' ({ex.GetType().Name}). Fix: check the folder exists and may be written; nothing was written.");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    [SupportedOSPlatform("linux")]
    private static void AppendOnLinux(string full, byte[] bytes)
    {
        using var handle = LinuxFiles.OpenForAppend(full, OwnerOnly, out var errno, out var created)
            ?? throw Refused(full, errno == LinuxFiles.ELoop ? "it is a symbolic link" : $"it could not be opened for appending (errno {errno})");
        var identity = LinuxFiles.Stat(handle);
        if (!identity.IsRegularFile)
        {
            throw Refused(full, "it is not a regular file (a FIFO, a device or a socket)");
        }

        if (identity.LinkCount > 1)
        {
            throw Refused(full, $"it has {identity.LinkCount} hard links (it is another file too)");
        }

        if (created || (identity.Mode & GroupOrOthers) != 0)
        {
            // A new file gets 600 whatever the umask; a runner's file that others may read is narrowed before a value
            // goes in (the runner reads it as the same user).
            File.SetUnixFileMode(handle, OwnerOnly);
        }

        var length = RandomAccess.GetLength(handle);
        var data = Separated(bytes, length > 0 && LastByte(handle, length) != (byte)'\n');
        try
        {
            // O_APPEND: pwrite lands at the end whatever the offset, in one write, also when another process appends.
            RandomAccess.Write(handle, data, length);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(data);
        }
    }

    private static void AppendPortable(string full, byte[] bytes)
    {
        RefuseSpecialTarget(full);
        using var stream = new FileStream(full, new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.Read });
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(stream.SafeFileHandle) & GroupOrOthers) != 0)
        {
            File.SetUnixFileMode(stream.SafeFileHandle, OwnerOnly);
        }

        var length = stream.Length;
        var data = Separated(bytes, length > 0 && LastByte(stream.SafeFileHandle, length) != (byte)'\n');
        try
        {
            stream.Seek(0, SeekOrigin.End);
            stream.Write(data);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(data);
        }
    }

    /// <summary>A replaced (or, off Linux, appended) target must be missing or a regular file.</summary>
    private static void RefuseSpecialTarget(string full)
    {
        if (LinuxFiles.IsSupported)
        {
            FileIdentity identity;
            try
            {
                identity = LinuxFiles.LStat(full);
            }
            catch (FileNotFoundException)
            {
                return;
            }

            if (identity.IsSymbolicLink)
            {
                throw Refused(full, "it is a symbolic link");
            }

            if (!identity.IsRegularFile)
            {
                throw Refused(full, "it is not a regular file (a folder, a FIFO, a device or a socket)");
            }

            return;
        }

        var info = new FileInfo(full);
        if (info.LinkTarget is not null || (info.Exists && (info.Attributes & FileAttributes.ReparsePoint) != 0))
        {
            throw Refused(full, "it is a symbolic link");
        }

        if (Directory.Exists(full))
        {
            throw Refused(full, "it is a folder");
        }
    }

    private static byte LastByte(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long length)
    {
        Span<byte> last = stackalloc byte[1];
        return RandomAccess.Read(handle, last, length - 1) == 1 ? last[0] : (byte)'\n';
    }

    /// <summary>The text, after a line break when the file does not end in one (so the first entry cannot join its last line).</summary>
    private static byte[] Separated(byte[] bytes, bool needsLineBreak)
    {
        var data = new byte[bytes.Length + (needsLineBreak ? 1 : 0)];
        if (needsLineBreak)
        {
            data[0] = (byte)'\n';
        }

        bytes.CopyTo(data, needsLineBreak ? 1 : 0);
        return data;
    }

    private static SecretStoreException Refused(string full, string reason) =>
        new(DiagnosticCodes.FileWriteFailed, $"The export was not written to '{full}': {reason}, so whoever placed it there could receive the values. Fix: remove it and run again, or choose another path (no --output writes to standard output); nothing was written.");
}

using System.Security.Cryptography;
using System.Text;
using SecretStore.Diagnostics;
using SecretStore.IO;

namespace SecretStore.Variables.Export;

/// <summary>
/// Writes an export where it was asked to go, and nowhere else: by default a new file replaces the target atomically
/// (a temp file in the same folder, owner-only from its creation, renamed over the target; mode 600 whatever the
/// target had), so a reader sees no half-written file and no other user can read it. With <c>append</c> (for a file
/// that a CI runner hands out, such as <c>GITHUB_ENV</c>) the text is added to the end in one write, and a file that
/// does not exist yet is created owner-only.
/// </summary>
public static class ExportFile
{
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
            if (append)
            {
                var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                using var stream = new FileStream(full, options);
                stream.Write(bytes);
            }
            else
            {
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
}

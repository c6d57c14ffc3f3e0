using System.Text;

namespace SecretStore.Testing;

/// <summary>
/// A fresh folder under the system temp folder for one test, deleted on dispose. The one temp-folder helper of
/// every test project: files are written as UTF-8 without a byte order mark, parent folders created as needed.
/// </summary>
public sealed class TempDirectory : IDisposable
{
    // Writing replaces a lone surrogate with U+FFFD (as File.WriteAllText does: hostile-value tests write them);
    // reading throws on invalid bytes, so a test never compares against a silently repaired file.
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Creates the folder; <paramref name="prefix"/> starts its name (to tell the tests' folders apart in /tmp).</summary>
    public TempDirectory(string prefix = "ssb-tests-")
    {
        // A short name: some tests build deep trees or socket paths below it.
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    /// <summary>The full path of the folder.</summary>
    public string Path { get; }

    /// <summary>The full path of a file or folder below this one (nothing is created).</summary>
    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Writes <paramref name="content"/> as UTF-8 without BOM to a file below this folder; returns its full path.</summary>
    public string Write(string relative, string content) => Write(relative, Utf8.GetBytes(content));

    /// <summary>Writes <paramref name="content"/> to a file below this folder; returns its full path.</summary>
    public string Write(string relative, byte[] content)
    {
        var full = Combine(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, content);
        return full;
    }

    /// <summary>Reads a file below this folder as strict UTF-8 (invalid bytes throw rather than turn into U+FFFD).</summary>
    public string Read(string relative) => File.ReadAllText(Combine(relative), StrictUtf8);

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still hold a file for a moment; the OS temp cleaner takes what is left.
        }
    }
}

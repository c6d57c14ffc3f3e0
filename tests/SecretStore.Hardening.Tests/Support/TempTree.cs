using System.Text;

namespace SecretStore.Hardening.Tests.Support;

/// <summary>A temporary folder for one test, deleted afterwards.</summary>
public sealed class TempTree : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("ssb-hardening-").FullName;

    public string Write(string name, string content) => Write(name, Encoding.UTF8.GetBytes(content));

    public string Write(string name, byte[] content)
    {
        var path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still hold a file for a moment; the OS temp cleaner gets it.
        }
    }
}

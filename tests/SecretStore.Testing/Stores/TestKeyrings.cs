using System.Text.Json.Nodes;
using SecretStore.Keys.Rsa;

namespace SecretStore.Testing.Stores;

/// <summary>
/// Keyrings for tests. Key generation is the slow part, so one template keyring (2048-bit keys: the minimum,
/// fastest to make) is created per test run and copied into each test's own folder.
/// </summary>
public static class TestKeyrings
{
    public const string PrimaryKeyId = "alias/acme-alpha";
    public const string SecondKeyId = "alias/acme-beta";
    public const string NonAsciiKeyId = "clé/ключ/鍵-🔑";

    private static readonly Lazy<string> Template = new(CreateTemplate, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Copies the template keyring (three keys and a signing key) into <paramref name="directory"/>.</summary>
    public static string CopyTo(string directory)
    {
        CopyDirectory(Template.Value, directory);
        return directory;
    }

    /// <summary>Deletes every private key file under <paramref name="directory"/>, leaving a public-only keyring.</summary>
    public static void RemovePrivateKeyFiles(string directory)
    {
        foreach (var file in Directory.GetFiles(directory, "*.private.pem", SearchOption.AllDirectories))
        {
            File.Delete(file);
        }
    }

    public static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);

            // A checkout (the frozen vectors) writes every file 644; private key files are kept owner-only, as
            // their owner would, or the keyring refuses them (SSB3011).
            if (!OperatingSystem.IsWindows() && destination.EndsWith(".private.pem", StringComparison.Ordinal))
            {
                File.SetUnixFileMode(destination, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
    }

    /// <summary>Edits keyring.json in place.</summary>
    public static void EditIndex(string directory, Action<JsonObject> edit)
    {
        var path = Path.Combine(directory, RsaKeyring.IndexFileName);
        var node = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(node);
        File.WriteAllText(path, node.ToJsonString());
    }

    private static string CreateTemplate()
    {
        var directory = Path.Combine(Path.GetTempPath(), "secretstore-tests-keyring-" + Guid.NewGuid().ToString("N"));
        using var keyring = RsaKeyring.Create(directory, PrimaryKeyId, 2048);
        keyring.AddKey(SecondKeyId, 2048);
        keyring.AddKey(NonAsciiKeyId, 2048);
        return directory;
    }
}

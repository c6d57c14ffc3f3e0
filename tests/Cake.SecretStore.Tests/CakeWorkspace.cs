using SecretStore.Aws;
using SecretStore.Configuration;
using SecretStore.Keys.Rsa;
using SecretStore.Secrets;
using SecretStore.Stores;

namespace Cake.SecretStore.Tests;

/// <summary>
/// A throwaway folder with an RSA keyring and a file store in <c>.secretstore/</c>, chosen by a
/// <c>secretstore.json</c> at its root as <c>secretstore init</c> writes it (the addin finds it from the script's
/// working folder), built through the engine, plus whatever config files and build.cake a test writes.
/// </summary>
internal sealed class CakeWorkspace : IDisposable
{
    public const string KeyId = "cake-test";

    private readonly AddinFeed _feed;

    public CakeWorkspace(AddinFeed feed)
    {
        _feed = feed;
        Root = Directory.CreateTempSubdirectory("cake-secretstore-ws-").FullName;
        using var keyring = RsaKeyring.Create(KeyringPath, KeyId, RsaKeyring.MinimumKeySizeInBits);
        File.WriteAllText(Path.Combine(Root, "secretstore.json"), SettingsFileText);
    }

    /// <summary>
    /// The addin directive and a <c>Try</c> helper that turns an alias's result or exception into "ok:..." or
    /// "error:message", so one script can record several outcomes in files a test reads.
    /// </summary>
    public const string TryPrelude = """
        #addin nuget:?package=Cake.SecretStore&version=0.1.0

        string Try(Func<string> body)
        {
            try { return "ok:" + body(); }
            catch (Exception e) { return "error:" + e.Message; }
        }

        """;

    /// <summary>The workspace's settings file: file storage with RSA protection, both under <c>.secretstore/</c>.</summary>
    public const string SettingsFileText = """
        {
          "storage": "file:.secretstore/secrets.json",
          "protection": "rsa:.secretstore/keyring"
        }
        """;

    public string Root { get; }

    public string KeyringPath => Path.Combine(Root, ".secretstore", "keyring");

    public string StorePath => Path.Combine(Root, ".secretstore", "secrets.json");

    public async Task SeedAsync(string application, string name, string value)
    {
        using var store = SecretStoreFactory.Default.Open(new StoreSettings { FilePath = StorePath, KeyringPath = KeyringPath });
        await store.SetAsync(new SecretId(application, name), value);
    }

    public async Task<string> ReadSecretAsync(string application, string name)
    {
        using var store = SecretStoreFactory.Default.Open(new StoreSettings { FilePath = StorePath, KeyringPath = KeyringPath });
        return (await store.GetAsync(new SecretId(application, name))).Value;
    }

    /// <summary>The revisions the store keeps for the secret, oldest first (no values).</summary>
    public async Task<IReadOnlyList<SecretRevisionInfo>> HistoryAsync(string application, string name)
    {
        using var store = SecretStoreFactory.Default.Open(new StoreSettings { FilePath = StorePath, KeyringPath = KeyringPath });
        return await store.GetHistoryAsync(new SecretId(application, name));
    }

    public string Write(string relativePath, string text)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public string Read(string relativePath) => File.ReadAllText(Path.Combine(Root, relativePath));

    /// <summary>
    /// Writes <paramref name="script"/> (its <c>#addin</c> line replaced by this run's feed) and runs it with the
    /// repository's cake.tool. The process starts in the repository root so the tool manifest is found; Cake sets
    /// the working directory to the script's folder.
    /// </summary>
    public ProcessResult RunCake(string script, IReadOnlyDictionary<string, string>? environment = null, bool oneStream = false)
    {
        var lines = script.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n')
            .Select(l => l.StartsWith("#addin nuget:", StringComparison.Ordinal) && l.Contains("Cake.SecretStore", StringComparison.Ordinal) ? _feed.AddinDirective : l);
        var path = Write("build.cake", string.Join('\n', lines));

        // oneStream: stderr into the stdout pipe (2>&1), so the lines keep the order the process wrote them in; two
        // pipes read apart only keep the order of each stream (a mask on stderr may arrive after a later stdout line).
        return oneStream
            ? ProcessRunner.Run("sh", ["-c", "exec dotnet tool run dotnet-cake -- \"$0\" 2>&1", path], _feed.RepositoryRoot, TimeSpan.FromMinutes(4), environment)
            : ProcessRunner.Run("dotnet", ["tool", "run", "dotnet-cake", "--", path], _feed.RepositoryRoot, TimeSpan.FromMinutes(4), environment);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless; a failing Dispose would hide the test's own result.
        }
    }
}

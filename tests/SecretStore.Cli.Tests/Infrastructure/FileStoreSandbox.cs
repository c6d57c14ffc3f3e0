using System.Text;
using SecretStore.Keys.Rsa;

namespace SecretStore.Cli.Tests.Infrastructure;

/// <summary>A temp folder with a file store and a 2048-bit keyring (made in-process, to save a process start), selected through SECRETSTORE_* variables.</summary>
public sealed class FileStoreSandbox : IDisposable
{
    public const string KeyId = "primary";

    public FileStoreSandbox()
    {
        using (RsaKeyring.Create(KeyringPath, KeyId, 2048))
        {
        }
    }

    public TempDirectory Folder { get; } = new();

    public string KeyringPath => Folder.Combine("keyring");

    public string StorePath => Folder.Combine("secrets.json");

    public Dictionary<string, string> Environment => new()
    {
        ["SECRETSTORE_STORE"] = "file:" + StorePath,
        ["SECRETSTORE_KEYRING"] = KeyringPath,
    };

    public Task<ProcessResult> RunAsync(params string[] args) => CliProcess.RunAsync(Folder.Path, args, Environment);

    public Task<ProcessResult> RunWithInputAsync(string stdin, params string[] args) =>
        CliProcess.RunAsync(Folder.Path, args, Environment, Encoding.UTF8.GetBytes(stdin));

    public Task<ProcessResult> RunWithEnvironmentAsync(IReadOnlyDictionary<string, string> extra, params string[] args) =>
        RunWithInputAndEnvironmentAsync(null, extra, args);

    /// <summary>Runs with <paramref name="stdin"/> (none when null) and <paramref name="extra"/> added to the sandbox's variables.</summary>
    public Task<ProcessResult> RunWithInputAndEnvironmentAsync(string? stdin, IReadOnlyDictionary<string, string> extra, IReadOnlyList<string> args)
    {
        var environment = Environment;
        foreach (var (key, value) in extra)
        {
            environment[key] = value;
        }

        return CliProcess.RunAsync(Folder.Path, args, environment, stdin is null ? null : Encoding.UTF8.GetBytes(stdin));
    }

    public async Task SetAsync(string id, string value)
    {
        var result = await RunWithInputAsync(value, "set", id);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    public void Dispose() => Folder.Dispose();
}

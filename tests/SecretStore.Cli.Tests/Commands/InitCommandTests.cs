using System.Text;
using System.Text.Json;
using SecretStore.Cli.Tests.Infrastructure;
using SecretStore.Configuration.Settings;

namespace SecretStore.Cli.Tests.Commands;

/// <summary>
/// <c>secretstore init</c>, the first command of a new user: after it, set and resolve work from any folder below
/// without a store option, because every face finds the <c>secretstore.json</c> it wrote.
/// </summary>
public sealed class InitCommandTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Init_writes_settings_keyring_and_gitignore_and_set_and_resolve_then_need_no_store_option()
    {
        var init = await CliProcess.RunAsync(_folder.Path, ["init"]);
        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.Equal(
            $"{_folder.Combine("secretstore.json")}\n{_folder.Combine(".secretstore", "keyring", "keyring.json")}\n{_folder.Combine(".secretstore", ".gitignore")}\n",
            init.Stdout);
        Assert.Equal("# Written by 'secretstore init': private keys and store lock files never go into source control.\n*.private.pem\n*.lock\n", File.ReadAllText(_folder.Combine(".secretstore", ".gitignore")));
        // The starter file is what the reader accepts: comments and all.
        var settings = SettingsFileReader.Read(_folder.Combine("secretstore.json"));
        Assert.Equal(("file:.secretstore/secrets.json", "rsa:.secretstore/keyring", 0), (settings.Shared.Storage, settings.Shared.Protection, settings.Environments.Count));

        Directory.CreateDirectory(_folder.Combine("src", "Shop", "publish"));
        var set = await CliProcess.RunAsync(_folder.Combine("src"), ["set", "Shop/Db"], stdin: Encoding.UTF8.GetBytes("canary-init-9d2f"));
        Assert.True(set.ExitCode == 0, set.ToString());
        File.WriteAllText(_folder.Combine("src", "Shop", "publish", "appsettings.json"), """{ "Db": "#{secret:Shop/Db}" }""");
        var resolve = await CliProcess.RunAsync(_folder.Combine("src", "Shop"), ["resolve", "publish/appsettings.json"]);

        Assert.True(resolve.ExitCode == 0, resolve.ToString());
        using var json = JsonDocument.Parse(File.ReadAllText(_folder.Combine("src", "Shop", "publish", "appsettings.json")));
        Assert.Equal("canary-init-9d2f", json.RootElement.GetProperty("Db").GetString());
        Assert.True(File.Exists(_folder.Combine(".secretstore", "secrets.json")));
        ValueScanner.AssertNoValue(init.ToString() + set + resolve, "init, set and resolve output", "canary-init-9d2f");
    }

    [Fact]
    public async Task Init_where_a_settings_file_exists_is_a_usage_error_and_writes_nothing()
    {
        var settings = _folder.Write("secretstore.json", """{ "storage": "file:mine.json", "protection": "kms" }""");

        var init = await CliProcess.RunAsync(_folder.Path, ["init"]);

        Assert.Equal(2, init.ExitCode);
        Assert.Contains($"SSB0001: '{settings}' already exists; edit it (docs/settings.md), or delete it to start over.", init.Stderr, StringComparison.Ordinal);
        Assert.Equal("""{ "storage": "file:mine.json", "protection": "kms" }""", File.ReadAllText(settings));
        Assert.False(Directory.Exists(_folder.Combine(".secretstore")));
    }

    [Fact]
    public async Task Init_keeps_an_existing_gitignore_and_adds_only_the_missing_patterns()
    {
        _folder.Write(".secretstore/.gitignore", "*.lock");

        var init = await CliProcess.RunAsync(_folder.Path, ["init", "--key-id", "team-key", "--application", "Shop"]);

        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.Equal("*.lock\n*.private.pem\n", File.ReadAllText(_folder.Combine(".secretstore", ".gitignore")));
        Assert.Contains("\"application\": \"Shop\",", File.ReadAllText(_folder.Combine("secretstore.json")), StringComparison.Ordinal);
        var list = await CliProcess.RunAsync(_folder.Path, ["keys", "list", ".secretstore/keyring"]);
        Assert.StartsWith("team-key\t", list.Stdout, StringComparison.Ordinal);
    }
}

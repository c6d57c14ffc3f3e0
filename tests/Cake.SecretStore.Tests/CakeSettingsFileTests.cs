namespace Cake.SecretStore.Tests;

/// <summary>
/// Issue 13 item 3 through the real Cake runner: the aliases read the <c>secretstore.json</c> found from the
/// script's folder, <c>Environment</c> picks one of its environments, and an unknown one is SSB1022.
/// </summary>
[Collection(CakeCollection.Name)]
public sealed class CakeSettingsFileTests(AddinFeed feed) : IDisposable
{
    private const string Value = "canary-cake-settings-5e1a";

    private const string Script = CakeWorkspace.TryPrelude + """
        Task("Default").Does(() =>
        {
            System.IO.File.WriteAllText("shared.txt", Try(() => GetSecret("Shop", "Db") == EnvironmentVariable("EXPECTED") ? "same" : "different"));
            System.IO.File.WriteAllText("empty.txt", Try(() => GetSecret("Shop", "Db", new SecretStoreSettings { Environment = "Empty" })));
            System.IO.File.WriteAllText("unknown.txt", Try(() => GetSecret("Shop", "Db", new SecretStoreSettings { Environment = "Staging" })));
            System.IO.File.WriteAllText("resolve.txt", Try(() => ResolveSecrets("./publish/appsettings.json", new SecretStoreSettings { Environment = "Main" }).FilesWritten.ToString()));
        });

        RunTarget("Default");
        """;

    private readonly CakeWorkspace _workspace = new(feed);

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public async Task Environment_picks_an_environment_of_secretstore_json_and_an_unknown_one_is_SSB1022_listing_the_known()
    {
        await _workspace.SeedAsync("Shop", "Db", Value);
        _workspace.Write("secretstore.json", """
            {
              "storage": "file:.secretstore/secrets.json",
              "protection": "rsa:.secretstore/keyring",
              "application": "Shop",
              "environments": {
                "Main": {},
                "Empty": { "storage": "file:.secretstore/empty.json" }
              }
            }
            """);
        _workspace.Write("publish/appsettings.json", """{ "Db": "#{secret:Db}" }""");

        var result = _workspace.RunCake(Script, new Dictionary<string, string> { ["EXPECTED"] = Value });

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal("ok:same", _workspace.Read("shared.txt"));
        var empty = Path.Combine(_workspace.Root, ".secretstore", "empty.json");
        Assert.StartsWith($"error:SSB2011: The secret store file '{empty}' does not exist", _workspace.Read("empty.txt"), StringComparison.Ordinal);
        // Located at the settings file, which is where the fix goes.
        Assert.StartsWith($"error:{Path.Combine(_workspace.Root, "secretstore.json")}: error SSB1022: ", _workspace.Read("unknown.txt"), StringComparison.Ordinal);
        Assert.Contains("'Staging'", _workspace.Read("unknown.txt"), StringComparison.Ordinal);
        Assert.Contains("Empty, Main", _workspace.Read("unknown.txt"), StringComparison.Ordinal);
        // The application of #{secret:Db} came from the file too.
        Assert.Equal("ok:1", _workspace.Read("resolve.txt"));
        Assert.Contains(Value, _workspace.Read("publish/appsettings.json"), StringComparison.Ordinal);
        Assert.DoesNotContain(Value, result.Output, StringComparison.Ordinal);
    }
}

using System.Text.Json;
using System.Xml.Linq;
using SecretStore.Secrets;
using SecretStore.Testing.Keyrings;

namespace Cake.SecretStore.Tests;

/// <summary>
/// Runs real build.cake scripts with the repository's cake.tool 7.0.0 against the freshly packed addin. Each
/// run costs several seconds, so each script exercises several aliases.
/// </summary>
[Collection(CakeCollection.Name)]
public sealed class CakeAddinTests(AddinFeed feed) : IDisposable
{
    // Quotes, angle brackets and an ampersand: the values must be escaped differently in JSON and XML.
    private const string DbPassword = "Pw\"<canary-db-7f3a>&'";
    private const string ApiKey = "canary-api-key-91c2";
    private const string NewToken = "canary-new-token-5d0e";
    private const string ForgedValue = "canary-forged-by-pull-request-2b7e";

    private const string AppSettings = """
        {
          "ConnectionStrings": { "Default": "Server=db;Password=#{secret:DbPassword}" },
          "Payments": { "ApiKey": "#{secret:Shop/ApiKey}" }
        }
        """;

    private const string WebConfig = """
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <appSettings>
            <add key="Db" value="#{secret:DbPassword}" />
          </appSettings>
        </configuration>
        """;

    private readonly CakeWorkspace _workspace = new(feed);

    [Fact]
    public async Task Documented_build_cake_resolves_a_publish_folder_and_writes_a_redacted_report()
    {
        await _workspace.SeedAsync("Shop", "DbPassword", DbPassword);
        await _workspace.SeedAsync("Shop", "ApiKey", ApiKey);
        _workspace.Write("publish/appsettings.json", AppSettings);
        _workspace.Write("publish/web.config", WebConfig);

        var result = _workspace.RunCake(ReadDocumentedScript(feed.RepositoryRoot));

        Assert.True(result.ExitCode == 0, result.Output);
        using var json = JsonDocument.Parse(_workspace.Read("publish/appsettings.json"));
        Assert.Equal($"Server=db;Password={DbPassword}", json.RootElement.GetProperty("ConnectionStrings").GetProperty("Default").GetString());
        Assert.Equal(ApiKey, json.RootElement.GetProperty("Payments").GetProperty("ApiKey").GetString());
        var db = XDocument.Parse(_workspace.Read("publish/web.config")).Descendants("add").Single().Attribute("value")!.Value;
        Assert.Equal(DbPassword, db);
        Assert.Contains("needs Shop/ApiKey", result.Output, StringComparison.Ordinal);
        Assert.Contains("needs Shop/DbPassword", result.Output, StringComparison.Ordinal);
        var report = _workspace.Read("artifacts/secrets-report.md");
        Assert.Contains("DbPassword", report, StringComparison.Ordinal);
        AssertNoSecretIn(report);
        AssertNoSecretIn(result.Output);
    }

    [Fact]
    public async Task Script_sets_reads_lists_verifies_and_resolves_through_the_short_and_settings_overloads()
    {
        await _workspace.SeedAsync("Shop", "DbPassword", DbPassword);
        await _workspace.SeedAsync("Shop", "ApiKey", ApiKey);
        _workspace.Write("config/appsettings.json", AppSettings.Replace("#{secret:DbPassword}", "#{secret:Shop/DbPassword}", StringComparison.Ordinal));
        _workspace.Write("config/extra.json", """{ "Token": "#{secret:Tools/ApiToken}", "Maybe": "#{secret:Tools/Later|optional}", "Plain": "set-by-mapping" }""");
        const string script = """
            #addin nuget:?package=Cake.SecretStore&version=0.1.0

            Task("Default").Does(() =>
            {
                var tools = new SecretStoreSettings { DefaultApplication = "Tools" };
                var metadata = SetSecret(null, "ApiToken", EnvironmentVariable("NEW_TOKEN"), tools);
                var back = GetSecret("Tools", "ApiToken", tools);
                System.IO.File.WriteAllText("roundtrip.txt", back == EnvironmentVariable("NEW_TOKEN") ? "same" : "different");
                System.IO.File.WriteAllText("revision.txt", metadata.Revision.ToString());

                var required = GetRequiredSecrets("./config/*.json");
                System.IO.File.WriteAllText("required.txt", string.Join(",", required.Select(r => r.Application + "/" + r.Name + (r.Optional ? "?" : ""))));

                VerifySecrets("./config/*.json");
                if (System.IO.File.ReadAllText("config/extra.json").Contains("canary")) throw new Exception("VerifySecrets wrote a file");
                var mapped = new SecretStoreSettings();
                mapped.Mappings.Add(new SecretMapping { File = "extra.json", ConfigurationPath = "Plain", Secret = "Tools/ApiToken" });
                var result = ResolveSecrets("./config/*.json", mapped);
                System.IO.File.WriteAllText("written.txt", result.FilesWritten.ToString());
            });

            RunTarget("Default");
            """;

        var result = _workspace.RunCake(script, new Dictionary<string, string> { ["NEW_TOKEN"] = NewToken });

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(NewToken, await _workspace.ReadSecretAsync("Tools", "ApiToken"));
        Assert.Equal("same", _workspace.Read("roundtrip.txt"));
        Assert.Equal("1", _workspace.Read("revision.txt"));
        Assert.Equal("Shop/ApiKey,Shop/DbPassword,Tools/ApiToken,Tools/Later?", _workspace.Read("required.txt"));
        Assert.Equal("2", _workspace.Read("written.txt"));
        using var extra = JsonDocument.Parse(_workspace.Read("config/extra.json"));
        Assert.Equal(NewToken, extra.RootElement.GetProperty("Token").GetString());
        Assert.Equal(NewToken, extra.RootElement.GetProperty("Plain").GetString());
        Assert.Equal("#{secret:Tools/Later|optional}", extra.RootElement.GetProperty("Maybe").GetString());
        Assert.Contains("warning SSB1013", result.Output, StringComparison.Ordinal);
        AssertNoSecretIn(result.Output);
    }

    [Fact]
    public async Task Missing_secret_fails_the_script_with_its_code_and_leaves_every_file_untouched()
    {
        await _workspace.SeedAsync("Shop", "DbPassword", DbPassword);
        var appSettings = _workspace.Write("publish/appsettings.json", AppSettings);
        var webConfig = _workspace.Write("publish/web.config", WebConfig);
        var before = (File.ReadAllBytes(appSettings), File.ReadAllBytes(webConfig));
        const string script = """
            #addin nuget:?package=Cake.SecretStore&version=0.1.0

            Task("Default").Does(() =>
            {
                ResolveSecrets("./publish/*", new SecretStoreSettings { DefaultApplication = "Shop" });
                System.IO.File.WriteAllText("reached.txt", "the alias did not throw");
            });

            RunTarget("Default");
            """;

        var result = _workspace.RunCake(script);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Matches(@"appsettings\.json\(3,\d+\): error SSB2001: .*ApiKey", result.Output);
        Assert.False(File.Exists(Path.Combine(_workspace.Root, "reached.txt")));
        Assert.Equal(before.Item1, File.ReadAllBytes(appSettings));
        Assert.Equal(before.Item2, File.ReadAllBytes(webConfig));
        AssertNoSecretIn(result.Output);
    }

    [Fact]
    public async Task Record_forged_by_a_keyring_folder_writer_fails_the_script_with_SSB3009_and_leaves_the_file_untouched()
    {
        // Issue 12 item 1 through the real runner: the committed keyring holds public halves only, the reader
        // secret comes through PrivateKeyEnvironmentVariable, and a pull request replaced keyring.json,
        // signing.public.pem and the store file with a record signed by the attacker's own key.
        await _workspace.SeedAsync("Shop", "DbPassword", DbPassword);
        var readerSecret = ForgedKeyringAttack.StripPrivateKeys(_workspace.KeyringPath, CakeWorkspace.KeyId);
        await ForgedKeyringAttack.ApplyAsync(_workspace.KeyringPath, _workspace.StorePath, CakeWorkspace.KeyId, new SecretId("Shop", "DbPassword"), ForgedValue, Path.Combine(_workspace.Root, "attacker"));
        var webConfig = _workspace.Write("publish/web.config", WebConfig);
        var before = File.ReadAllBytes(webConfig);
        const string script = """
            #addin nuget:?package=Cake.SecretStore&version=0.1.0

            Task("Default").Does(() =>
            {
                ResolveSecrets("./publish/*", new SecretStoreSettings { DefaultApplication = "Shop", PrivateKeyEnvironmentVariable = "SHOP_READER_KEY" });
                System.IO.File.WriteAllText("reached.txt", "the alias did not throw");
            });

            RunTarget("Default");
            """;

        var result = _workspace.RunCake(script, new Dictionary<string, string> { ["SHOP_READER_KEY"] = readerSecret });

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("error SSB3009", result.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_workspace.Root, "reached.txt")));
        Assert.Equal(before, File.ReadAllBytes(webConfig));
        Assert.DoesNotContain(ForgedValue, result.Output, StringComparison.Ordinal);
        AssertNoSecretIn(result.Output);
    }

    public void Dispose() => _workspace.Dispose();

    /// <summary>The example between the markers in docs/cake.md, so the documented script and this test cannot drift apart.</summary>
    private static string ReadDocumentedScript(string repositoryRoot)
    {
        var doc = File.ReadAllText(Path.Combine(repositoryRoot, "docs", "cake.md"));
        var start = doc.IndexOf("<!-- cake-example:start -->", StringComparison.Ordinal);
        var end = doc.IndexOf("<!-- cake-example:end -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "docs/cake.md lacks the cake-example markers.");
        var block = doc[start..end];
        var codeStart = block.IndexOf("```csharp\n", StringComparison.Ordinal) + "```csharp\n".Length;
        var codeEnd = block.LastIndexOf("```", StringComparison.Ordinal);
        return block[codeStart..codeEnd];
    }

    private static void AssertNoSecretIn(string text)
    {
        foreach (var value in new[] { DbPassword, ApiKey, NewToken, "canary-db-7f3a" })
        {
            Assert.DoesNotContain(value, text, StringComparison.Ordinal);
        }
    }
}

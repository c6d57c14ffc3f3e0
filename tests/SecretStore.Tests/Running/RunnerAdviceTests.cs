using SecretStore.Configuration;
using SecretStore.Configuration.Settings;
using SecretStore.Diagnostics;
using SecretStore.Keys.Rsa;
using SecretStore.Repositories;
using SecretStore.Repositories.File;
using SecretStore.Resolution;
using SecretStore.Running;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Testing.Stores;

namespace SecretStore.Tests.Running;

/// <summary>Issue 14 item 4: the runner says when it did nothing, and when a placeholder's application looks misspelt.</summary>
public sealed class RunnerAdviceTests : IDisposable
{
    private readonly StoreScope _scope = new();

    public void Dispose() => _scope.Dispose();

    [Fact]
    public async Task Files_that_match_nothing_give_warning_SSB1023_with_the_patterns_and_the_faces_advice_and_no_error()
    {
        var folder = _scope.Combine("publish-empty");
        Directory.CreateDirectory(folder);

        var result = await RunAsync(folder, [new ConfigFileSpec("appsettings*.json"), new ConfigFileSpec("web.config", Optional: true)], advice: "Copy them.");

        Assert.True(result.Succeeded);
        var warning = Assert.Single(result.Diagnostics);
        Assert.Same(DiagnosticCodes.NoConfigFileMatched, warning.Code);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Equal($"No file in '{folder}' matched the config files (appsettings*.json, web.config); nothing was resolved. Copy them.", warning.Message);
        Assert.Equal(0, result.FilesWritten);
    }

    [Fact]
    public async Task A_file_that_matches_gives_no_SSB1023()
    {
        var folder = _scope.Combine("publish-one");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "appsettings.json"), "{ \"a\": \"plain\" }");

        var result = await RunAsync(folder, [new ConfigFileSpec("appsettings*.json")]);

        Assert.True(result.Succeeded);
        Assert.DoesNotContain(result.Diagnostics, d => d.Code == DiagnosticCodes.NoConfigFileMatched);
        Assert.Equal(1, result.FilesScanned);
    }

    [Fact]
    public async Task A_placeholder_whose_application_is_a_typo_of_the_default_is_warned_at_its_line_and_others_are_not()
    {
        await _scope.Store.SetAsync(new SecretId("WebApp", "Api.Token"), "CnryAdviceToken");
        await _scope.Store.SetAsync(new SecretId("WebAp", "Api.Token"), "CnryAdviceTypo");
        await _scope.Store.SetAsync(new SecretId("Billing", "Api.Token"), "CnryAdviceOther");
        var folder = _scope.Combine("publish-typo");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "appsettings.json");
        File.WriteAllText(file, "{\n  \"own\": \"#{secret:Api.Token}\",\n  \"typo\": \"#{secret:WebAp/Api.Token}\",\n  \"case\": \"#{secret:webapp/Api.Token|optional}\",\n  \"other\": \"#{secret:Billing/Api.Token}\",\n  \"mapped\": \"x\"\n}\n");

        // A mapping names its secret in the project file, not at a placeholder: it is not checked.
        var result = await RunAsync(folder, [new ConfigFileSpec("appsettings.json")], mappings: [new SecretMapping { ConfigurationPath = "mapped", Secret = "WebAp/Api.Token" }]);

        Assert.True(result.Succeeded);
        var warnings = result.Diagnostics.Where(d => d.Code == DiagnosticCodes.ApplicationLooksMisspelt).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.Equal((file, DiagnosticSeverity.Warning), (w.FilePath, w.Severity)));
        Assert.Equal((3, 12), (warnings[0].Line, warnings[0].Column));
        Assert.Equal(
            "Placeholder #{secret:WebAp/Api.Token} names application 'WebAp', which is one or two letters from this run's application 'WebApp'. If it is a typo, write '#{secret:Api.Token}' (the default application) or correct the name; if 'WebAp' is a second application, ignore this warning.",
            warnings[0].Message);
        Assert.Equal(4, warnings[1].Line);
        Assert.Contains("'webapp'", warnings[1].Message, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Diagnostics, d => d.Message.Contains("Cnry", StringComparison.Ordinal));
    }

    private Task<RunResult> RunAsync(string folder, IReadOnlyList<ConfigFileSpec> files, string? advice = null, IReadOnlyList<SecretMapping>? mappings = null) =>
        new SecretStoreRunner(new ScopeFactory(_scope)).ResolveAsync(new ResolveOptions
        {
            Store = new StoreSelection
            {
                WorkingDirectory = folder,
                Explicit = new SettingsLayer
                {
                    BaseDirectory = folder,
                    Application = "WebApp",
                    Storage = "file:" + _scope.StorePath,
                    Protection = "rsa:" + _scope.KeyringPath,
                },
                EnvironmentVariables = _ => null,
            },
            Files = files,
            BaseDirectory = folder,
            NoFileAdvice = advice is null ? null : () => advice,
            Mappings = mappings ?? [],
        });

    /// <summary>Opens the scope's store file and keyring afresh: the runner disposes what it opens.</summary>
    private sealed class ScopeFactory(StoreScope scope) : ISecretStoreFactory
    {
        public EnvelopeSecretStore Open(StoreSettings settings) =>
            new(new FileSecretRepository(scope.StorePath), new RsaKeyManager(RsaKeyring.Load(scope.KeyringPath)), new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId }, ownsComponents: true);

        public IProtectedSecretRepository OpenRepository(StoreSettings settings) => new FileSecretRepository(scope.StorePath);
    }
}

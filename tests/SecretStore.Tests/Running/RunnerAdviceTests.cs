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

/// <summary>
/// Issue 14 items 4 and 6: the runner says when it did nothing, when a placeholder's application looks misspelt, and
/// treats an entry that finds nothing the same for every face: an error unless optional.
/// </summary>
public sealed class RunnerAdviceTests : IDisposable
{
    private readonly StoreScope _scope = new();

    public void Dispose() => _scope.Dispose();

    [Fact]
    public async Task Optional_files_that_match_nothing_give_warning_SSB1023_with_the_patterns_and_the_faces_advice_and_no_error()
    {
        var folder = _scope.Combine("publish-empty");
        Directory.CreateDirectory(folder);

        var result = await RunAsync(folder, [new ConfigFileSpec("appsettings*.json", Optional: true), new ConfigFileSpec("web.config", Optional: true)], advice: "Copy them.");

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
    public async Task A_required_glob_that_matches_nothing_is_SSB1009_naming_it_and_the_fix_and_no_other_file_is_written()
    {
        await _scope.Store.SetAsync(new SecretId("WebApp", "Db"), "CnryGlobValue");
        var folder = _scope.Combine("publish-glob");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "appsettings.json");
        File.WriteAllText(file, "{ \"db\": \"#{secret:Db}\" }");

        var result = await RunAsync(folder, [new ConfigFileSpec("appsettings*.json"), new ConfigFileSpec("config/*.xml"), new ConfigFileSpec("**/*.ini")]);

        Assert.False(result.Succeeded);
        Assert.Equal(
            [
                $"SSB1009: The glob 'config/*.xml' matches no file in '{folder}'. Fix: correct the glob (it is relative to that folder), or mark it optional if finding nothing is fine: MSBuild Optional=\"true\", Cake SecretStoreSettings.OptionalFiles, CLI --optional-file, action optional-files, template optionalFiles.",
                $"SSB1009: The glob '**/*.ini' matches no file in '{folder}'. Fix: correct the glob (it is relative to that folder), or mark it optional if finding nothing is fine: MSBuild Optional=\"true\", Cake SecretStoreSettings.OptionalFiles, CLI --optional-file, action optional-files, template optionalFiles.",
            ],
            result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => $"{d.Code.Id}: {d.Message}"));
        Assert.Equal("{ \"db\": \"#{secret:Db}\" }", File.ReadAllText(file));
        Assert.Equal(0, result.FilesWritten);
    }

    [Fact]
    public async Task An_optional_glob_that_matches_nothing_is_skipped_and_a_glob_whose_files_are_all_excluded_did_match()
    {
        await _scope.Store.SetAsync(new SecretId("WebApp", "Db"), "CnryGlobValue");
        var folder = _scope.Combine("publish-optional-glob");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "appsettings.json");
        File.WriteAllText(file, "{ \"db\": \"#{secret:Db}\" }");
        File.WriteAllText(Path.Combine(folder, "appsettings.Development.json"), "{ \"db\": \"#{secret:Missing}\" }");

        var result = await RunAsync(folder, [new ConfigFileSpec("appsettings.json"), new ConfigFileSpec("config/*.xml", Optional: true), new ConfigFileSpec("*.Development.json"), new ConfigFileSpec("!appsettings.Development.json")]);

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics.Select(d => d.Message)));
        Assert.Equal(1, result.FilesWritten);
        Assert.Equal("{ \"db\": \"CnryGlobValue\" }", File.ReadAllText(file));
    }

    [Theory]
    [InlineData("!appsettings.json")]
    [InlineData("!**/*.json")]
    public void An_exclusion_cannot_be_optional_and_the_error_says_where_it_belongs(string exclusion)
    {
        var error = Assert.Throws<SecretStoreException>(() => ConfigFileSpec.OptionalEntry(exclusion, "--optional-file"));

        Assert.Equal($"SSB0001: --optional-file '{exclusion}' is an exclusion, but an optional entry is a path or glob that may find no file. Fix: give the exclusion with the other files instead.", error.Message);
        Assert.Equal(new ConfigFileSpec("config/*.xml", Optional: true), ConfigFileSpec.OptionalEntry("config/*.xml", "--optional-file"));
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
        new SecretStoreRunner(new ScopeStoreFactory(_scope)).ResolveAsync(new ResolveOptions
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
}

using SecretStore.Configuration.Settings;
using SecretStore.Diagnostics;
using SecretStore.Running;
using SecretStore.Secrets;
using SecretStore.Variables;

namespace SecretStore.Tests.Variables;

public sealed class VariableLoaderTests : IDisposable
{
    private const string DbValue = "Server=db;Password=Cnry-db-1";
    private readonly StoreScope _scope = new();
    private readonly TempDirectory _folder = new();

    public void Dispose()
    {
        _scope.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task Maps_and_applications_with_a_prefix_give_variables_sorted_by_name_with_their_values()
    {
        await SeedAsync(("shop", "ConnectionStrings.Default", DbValue), ("shop", "Api:Token", "Cnry-token-2"), ("other", "Key", "Cnry-key-3"));

        var set = await LoadAsync(new VariableOptions
        {
            Store = Selection(),
            Mappings = [new VariableMapping("OTHER_KEY", "other/Key", "--map")],
            Applications = ["shop"],
            Prefix = "APP_",
        });

        Assert.Equal(["APP_Api__Token", "APP_ConnectionStrings__Default", "OTHER_KEY"], set.Variables.Select(v => v.Name));
        Assert.Equal(["Cnry-token-2", DbValue, "Cnry-key-3"], set.Variables.Select(v => v.Value));
        Assert.Empty(set.Warnings);
        Assert.DoesNotContain("Cnry", set.ToString() + string.Concat(set.Variables.Select(v => v.ToString())), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_maps_or_applications_the_settings_file_variables_are_used_and_an_environment_entry_replaces_the_shared_one()
    {
        await SeedAsync(("shop", "Db", DbValue), ("shop", "DbProduction", "Cnry-prod-db"), ("shop", "Token", "Cnry-token-2"));
        await File.WriteAllTextAsync(_folder.Combine(SettingsFile.FileName), """
            {
              "application": "shop",
              "variables": { "DB": "Db", "TOKEN": "shop/Token" },
              "environments": { "Production": { "variables": { "DB": "DbProduction" } } }
            }
            """);

        var shared = await LoadAsync(new VariableOptions { Store = Selection() });
        var production = await LoadAsync(new VariableOptions { Store = Selection() with { Environment = new EnvironmentChoice("Production", "--env") } });

        Assert.Equal([("DB", DbValue), ("TOKEN", "Cnry-token-2")], shared.Variables.Select(v => (v.Name, v.Value)));
        Assert.Equal([("DB", "Cnry-prod-db"), ("TOKEN", "Cnry-token-2")], production.Variables.Select(v => (v.Name, v.Value)));
        Assert.Equal("Production", production.EnvironmentName);
    }

    [Fact]
    public async Task Two_secrets_for_one_variable_and_invalid_names_are_all_reported_together_before_any_value_is_read()
    {
        await SeedAsync(("shop", "Db", DbValue), ("shop", "api-key", "Cnry-api-4"), ("other", "Db", "Cnry-other-5"));

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => LoadAsync(new VariableOptions
        {
            Store = Selection(),
            Mappings = [new VariableMapping("Db", "other/Db", "--map"), new VariableMapping("1BAD", "shop/Db", "--map")],
            Applications = ["shop"],
        }));

        Assert.Equal(
            [DiagnosticCodes.InvalidVariableName, DiagnosticCodes.InvalidVariableName, DiagnosticCodes.DuplicateVariable],
            error.Diagnostics.Select(d => d.Code).OrderBy(c => c.Id, StringComparer.Ordinal));
        var duplicate = error.Diagnostics.Single(d => d.Code == DiagnosticCodes.DuplicateVariable);
        Assert.Contains("'other/Db' (--map) and 'shop/Db' (--app shop)", duplicate.Message, StringComparison.Ordinal);
        Assert.Contains(error.Diagnostics, d => d.Message.Contains("--map NAME=shop/api-key", StringComparison.Ordinal));
        Assert.DoesNotContain("Cnry", error.Message + string.Concat(error.Diagnostics.Select(d => d.Message)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Strict_lists_every_missing_secret_as_SSB2001_and_not_strict_warns_SSB4007_and_leaves_the_variable_unset()
    {
        await SeedAsync(("shop", "Db", DbValue));
        VariableMapping[] mappings = [new("DB", "shop/Db", "--map"), new("A", "shop/MissingA", "--map"), new("B", "shop/MissingB", "--map")];

        var strict = await Assert.ThrowsAsync<SecretStoreException>(() => LoadAsync(new VariableOptions { Store = Selection(), Mappings = mappings }));
        var lenient = await LoadAsync(new VariableOptions { Store = Selection(), Mappings = mappings, Strict = false });

        Assert.Equal(2, strict.Diagnostics.Count(d => d.Code == DiagnosticCodes.SecretNotFound));
        Assert.Equal(["DB"], lenient.Variables.Select(v => v.Name));
        Assert.Equal([DiagnosticCodes.MappedSecretMissing, DiagnosticCodes.MappedSecretMissing], lenient.Warnings.Select(w => w.Code));
        Assert.All(lenient.Warnings, w => Assert.Equal(DiagnosticSeverity.Warning, w.Severity));
    }

    [Fact]
    public async Task An_application_without_secrets_is_SSB2001_when_strict()
    {
        await SeedAsync(("shop", "Db", DbValue));
        var error = await Assert.ThrowsAsync<SecretStoreException>(() => LoadAsync(new VariableOptions { Store = Selection(), Applications = ["nothing-here"] }));

        Assert.Equal(DiagnosticCodes.SecretNotFound, error.Code);
        Assert.Contains("'nothing-here'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_value_with_NUL_is_SSB4003_naming_the_variable_and_nothing_is_returned()
    {
        await SeedAsync(("shop", "Binary", "Cnry\0-after-nul"));

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => LoadAsync(new VariableOptions { Store = Selection(), Mappings = [new("BIN", "shop/Binary", "--map")] }));

        Assert.Equal(DiagnosticCodes.ValueNotExportable, error.Code);
        Assert.Contains("'shop/Binary' (variable 'BIN')", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Cnry", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Choosing_nothing_is_SSB0001_naming_every_way_to_choose() =>
        Assert.Contains(
            "--map NAME=App/Secret or --app App",
            (await Assert.ThrowsAsync<SecretStoreException>(() => LoadAsync(new VariableOptions { Store = Selection() }))).Message,
            StringComparison.Ordinal);

    [Fact]
    public async Task An_invalid_name_in_the_settings_file_is_SSB1021_with_its_line()
    {
        await File.WriteAllTextAsync(_folder.Combine(SettingsFile.FileName), "{\n  \"variables\": {\n    \"BAD-NAME\": \"shop/Db\"\n  }\n}\n");

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => LoadAsync(new VariableOptions { Store = Selection() }));

        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal((DiagnosticCodes.InvalidSettingsFile, 3), (diagnostic.Code, diagnostic.Line));
    }

    [Fact]
    public async Task A_mapping_can_pin_a_revision_and_a_revision_the_store_does_not_keep_is_SSB2019_even_when_not_strict()
    {
        await SeedAsync(("shop", "Db", "Cnry-old-6"), ("shop", "Db", DbValue));

        var set = await LoadAsync(new VariableOptions
        {
            Store = Selection(),
            Mappings = [new VariableMapping("OLD_DB", "shop/Db@1", "--map"), new VariableMapping("DB", "shop/Db", "--map")],
        });
        var error = await Assert.ThrowsAsync<SecretStoreException>(() => LoadAsync(new VariableOptions
        {
            Store = Selection(),
            Mappings = [new VariableMapping("OLD_DB", "shop/Db@9", "--map")],
        }));

        Assert.Equal([("DB", DbValue), ("OLD_DB", "Cnry-old-6")], set.Variables.Select(v => (v.Name, v.Value)));
        Assert.Equal(DiagnosticCodes.RevisionNotFound, Assert.Single(error.Diagnostics).Code);
        Assert.DoesNotContain("Cnry", error.ToString(), StringComparison.Ordinal);
    }

    private StoreSelection Selection() => new()
    {
        WorkingDirectory = _folder.Path,
        Explicit = new SettingsLayer { BaseDirectory = _folder.Path, Storage = "file:" + _scope.StorePath, Protection = "rsa:" + _scope.KeyringPath },
        EnvironmentVariables = _ => null,
    };

    private Task<SecretVariableSet> LoadAsync(VariableOptions options) => new SecretStoreRunner(new ScopeStoreFactory(_scope)).LoadVariablesAsync(options);

    private async Task SeedAsync(params (string App, string Name, string Value)[] secrets)
    {
        foreach (var (app, name, value) in secrets)
        {
            await _scope.Store.SetAsync(new SecretId(app, name), value);
        }
    }
}

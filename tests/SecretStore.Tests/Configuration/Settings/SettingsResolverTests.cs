using SecretStore.Configuration;
using SecretStore.Configuration.Settings;
using SecretStore.Diagnostics;
using SecretStore.Tests.Support;

namespace SecretStore.Tests.Configuration.Settings;

/// <summary>
/// How <see cref="SettingsResolver"/> merges a read <c>secretstore.json</c> with the variables and what a face was
/// given. Variables always come from a dictionary here, never from the process.
/// </summary>
public sealed class SettingsResolverTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private string ProjectFolder => _folder.Combine("project");

    private SettingsFile WriteSettings(string json)
    {
        var path = _folder.Combine(SettingsFile.FileName);
        File.WriteAllText(path, json);
        return SettingsFileReader.Read(path);
    }

    private SettingsLayer Explicit => new() { BaseDirectory = ProjectFolder, Origin = "the options" };

    private static ResolvedSettings Resolve(SettingsFile? file, EnvironmentChoice? environment, SettingsLayer explicitLayer, Dictionary<string, string>? variables = null) =>
        SettingsResolver.Resolve(file, environment, explicitLayer, name => variables?.GetValueOrDefault(name));

    private static EnvironmentChoice Env(string name) => new(name, "--env");

    [Fact]
    public void Explicit_settings_beat_the_environment_which_beats_the_shared_top_level()
    {
        var file = WriteSettings("""
            {
              "application": "Shop", "region": "r-shared", "keyId": "k-shared", "privateKeyVariable": "SHARED_PEM",
              "environments": { "Production": { "region": "r-env", "keyId": "k-env" } }
            }
            """);

        var resolved = Resolve(file, Env("Production"), Explicit with { Region = "r-explicit" });

        Assert.Equal(
            ("Shop", "r-explicit", "k-env", "SHARED_PEM"),
            (resolved.Application, resolved.Store.Region, resolved.Store.KeyId, resolved.Store.PrivateKeyEnvironmentVariable));
        Assert.Equal(("Production", file.Path), (resolved.EnvironmentName, resolved.SettingsFilePath));
    }

    [Fact]
    public void Every_member_of_the_chosen_environment_reaches_the_store_settings()
    {
        var file = WriteSettings("""
            {
              "environments": {
                "Production": {
                  "application": "ShopProd", "storage": "dynamodb:Secrets", "protection": "kms", "keyId": "alias/secretstore",
                  "allowedKeyIds": ["arn:1"], "region": "eu-west-1", "serviceUrl": "https://ddb.example", "kmsServiceUrl": "https://kms.example",
                  "privateKeyVariable": "PEM", "allowV1": true, "allowInsecureEndpoint": true
                }
              }
            }
            """);

        var resolved = Resolve(file, Env("Production"), Explicit);

        var store = resolved.Store;
        Assert.Equal("ShopProd", resolved.Application);
        Assert.True(resolved.HasStorage);
        Assert.Equal(
            (StorageKind.DynamoDb, "Secrets", (string?)null, ProtectionKind.Kms, (string?)null, "alias/secretstore", "eu-west-1", "https://ddb.example", "https://kms.example", "PEM", true, true),
            (store.Storage, store.Table, store.FilePath, store.Protection, store.KeyringPath, store.KeyId, store.Region, store.ServiceUrl, store.KmsServiceUrl, store.PrivateKeyEnvironmentVariable, store.AllowV1, store.AllowInsecureEndpoint));
        Assert.Equal(["arn:1"], store.AllowedKeyIds);
    }

    [Fact]
    public void Keep_revisions_of_the_environment_beats_the_top_level_and_explicit_beats_both_and_unset_keeps_all()
    {
        var file = WriteSettings("""{ "keepRevisions": 10, "environments": { "Ci": { "keepRevisions": 3 }, "Dev": {} } }""");

        Assert.Equal(10, Resolve(file, null, Explicit).Store.KeepRevisions);
        Assert.Equal(10, Resolve(file, Env("Dev"), Explicit).Store.KeepRevisions);
        Assert.Equal(3, Resolve(file, Env("Ci"), Explicit).Store.KeepRevisions);
        Assert.Equal(2, Resolve(file, Env("Ci"), Explicit with { KeepRevisions = 2 }).Store.KeepRevisions);
        Assert.Null(Resolve(null, null, Explicit).Store.KeepRevisions);
    }

    [Fact]
    public void The_allow_v1_variable_beats_the_file_and_explicit_settings_beat_the_variable()
    {
        var file = WriteSettings("""{ "allowV1": true, "environments": { "Ci": { "allowV1": false } } }""");
        var on = new Dictionary<string, string> { ["SECRETSTORE_ALLOW_V1"] = "true" };

        Assert.False(Resolve(file, Env("Ci"), Explicit).Store.AllowV1);
        Assert.True(Resolve(file, null, Explicit).Store.AllowV1);
        Assert.True(Resolve(file, Env("Ci"), Explicit, on).Store.AllowV1);
        Assert.False(Resolve(file, Env("Ci"), Explicit with { AllowV1 = false }, on).Store.AllowV1);
        Assert.False(Resolve(file, null, Explicit, new() { ["SECRETSTORE_ALLOW_V1"] = "no" }).Store.AllowV1);
    }

    [Fact]
    public void The_allow_insecure_endpoint_variable_beats_the_file()
    {
        var file = WriteSettings("""{ "allowInsecureEndpoint": false }""");

        Assert.False(Resolve(file, null, Explicit).Store.AllowInsecureEndpoint);
        Assert.True(Resolve(file, null, Explicit, new() { ["SECRETSTORE_ALLOW_INSECURE_ENDPOINT"] = "1" }).Store.AllowInsecureEndpoint);
    }

    [Fact]
    public void A_blank_switch_variable_leaves_the_file_in_charge_and_a_misspelt_one_is_SSB0001_naming_it()
    {
        var file = WriteSettings("""{ "allowV1": true }""");

        Assert.True(Resolve(file, null, Explicit, new() { ["SECRETSTORE_ALLOW_V1"] = "  " }).Store.AllowV1);
        var ex = Assert.Throws<SecretStoreException>(() => Resolve(file, null, Explicit, new() { ["SECRETSTORE_ALLOW_V1"] = "ture" }));
        Assert.Equal(
            "SSB0001: SECRETSTORE_ALLOW_V1 is 'ture', which is not a boolean; use true/false, 1/0 or yes/no (or leave it empty for the default).",
            ex.Message);
    }

    [Fact]
    public void The_default_environment_is_used_when_none_is_chosen_and_a_choice_overrides_it()
    {
        var file = WriteSettings("""
            {
              "defaultEnvironment": "Development",
              "environments": { "Development": { "region": "r-dev" }, "Production": { "region": "r-prod" } }
            }
            """);

        Assert.Equal(("Development", "r-dev"), Pair(Resolve(file, null, Explicit)));
        Assert.Equal(("Development", "r-dev"), Pair(Resolve(file, Env("  "), Explicit)));
        Assert.Equal(("Production", "r-prod"), Pair(Resolve(file, Env("Production"), Explicit)));
        Assert.Equal(("production", "r-prod"), Pair(Resolve(file, Env(" production "), Explicit)));

        static (string?, string?) Pair(ResolvedSettings resolved) => (resolved.EnvironmentName, resolved.Store.Region);
    }

    [Fact]
    public void Without_a_default_or_a_choice_only_the_shared_settings_apply()
    {
        var file = WriteSettings("""{ "region": "r-shared", "environments": { "Production": { "region": "r-prod" } } }""");

        var resolved = Resolve(file, null, Explicit);

        Assert.Equal(((string?)null, "r-shared"), (resolved.EnvironmentName, resolved.Store.Region));
    }

    [Fact]
    public void A_derived_environment_is_ignored_when_there_is_no_settings_file()
    {
        var resolved = Resolve(null, new EnvironmentChoice("Production", "EnvironmentName", IsDerived: true), Explicit with { Storage = "file:s.json", Protection = "kms" });

        Assert.Null(resolved.EnvironmentName);
        Assert.Null(resolved.SettingsFilePath);
        Assert.Equal(Path.Combine(ProjectFolder, "s.json"), resolved.Store.FilePath);
    }

    [Fact]
    public void A_derived_environment_the_file_does_not_define_is_SSB1022()
    {
        var file = WriteSettings("""{ "environments": { "Production": {} } }""");

        var ex = Assert.Throws<SecretStoreException>(() => Resolve(file, new EnvironmentChoice("Development", "EnvironmentName", IsDerived: true), Explicit));

        Assert.Equal(
            ("SSB1022", "Environment 'Development' (EnvironmentName) is not defined in secretstore.json (environments: Production). Fix: add it under \"environments\", or choose one of those."),
            (ex.Code.Id, Assert.Single(ex.Diagnostics).Message));
    }

    [Fact]
    public void A_chosen_environment_without_a_settings_file_is_SSB1022()
    {
        var ex = Assert.Throws<SecretStoreException>(() => Resolve(null, new EnvironmentChoice("Production", "SECRETSTORE_ENV"), Explicit));

        Assert.Equal(
            "SSB1022: Environment 'Production' was chosen (SECRETSTORE_ENV) but no secretstore.json was found. Fix: create one with 'secretstore init', or leave SECRETSTORE_ENV unset.",
            ex.Message);
    }

    [Fact]
    public void An_unknown_environment_is_SSB1022_naming_the_file_and_listing_the_known_ones_in_order()
    {
        var file = WriteSettings("""{ "environments": { "Production": {}, "development": {}, "Ci": {} } }""");

        var ex = Assert.Throws<SecretStoreException>(() => Resolve(file, Env("Staging"), Explicit));

        var diagnostic = Assert.Single(ex.Diagnostics);
        Assert.Equal(
            (DiagnosticCodes.UnknownEnvironment, file.Path, 0, "Environment 'Staging' (--env) is not defined in secretstore.json (environments: Ci, development, Production). Fix: add it under \"environments\", or choose one of those."),
            (diagnostic.Code, diagnostic.FilePath, diagnostic.Line, diagnostic.Message));
    }

    [Fact]
    public void A_file_without_environments_says_there_are_none()
    {
        var file = WriteSettings("{}");

        var ex = Assert.Throws<SecretStoreException>(() => Resolve(file, Env("Staging"), Explicit));

        Assert.Contains("(environments: none)", Assert.Single(ex.Diagnostics).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_default_environment_that_names_no_environment_is_SSB1022_at_its_line()
    {
        var file = WriteSettings("""
            {
              "environments": { "Production": {} },
              "defaultEnvironment": "Prod"
            }
            """);

        var ex = Assert.Throws<SecretStoreException>(() => Resolve(file, null, Explicit));

        var diagnostic = Assert.Single(ex.Diagnostics);
        Assert.Equal(
            ("SSB1022", file.Path, 3, "Environment 'Prod' (defaultEnvironment) is not defined in secretstore.json (environments: Production). Fix: add it under \"environments\", or choose one of those."),
            (diagnostic.Code.Id, diagnostic.FilePath, diagnostic.Line, diagnostic.Message));
    }

    [Fact]
    public void DynamoDB_storage_defaults_protection_to_kms()
    {
        var file = WriteSettings("""{ "storage": "dynamodb:Secrets" }""");

        var store = Resolve(file, null, Explicit).Store;

        Assert.Equal((StorageKind.DynamoDb, "Secrets", ProtectionKind.Kms), (store.Storage, store.Table, store.Protection));
    }

    [Fact]
    public void DynamoDB_storage_keeps_a_protection_named_in_any_layer()
    {
        var file = WriteSettings("""{ "protection": "rsa:keys", "environments": { "Production": { "storage": "dynamodb:Secrets" } } }""");

        var store = Resolve(file, Env("Production"), Explicit).Store;

        Assert.Equal((StorageKind.DynamoDb, ProtectionKind.Rsa, _folder.Combine("keys")), (store.Storage, store.Protection, store.KeyringPath));
    }

    [Fact]
    public void File_storage_is_not_given_kms_by_default()
    {
        var file = WriteSettings("""{ "storage": "file:s.json" }""");

        var store = Resolve(file, null, Explicit).Store;

        Assert.Equal((StorageKind.File, ProtectionKind.Rsa, (string?)null), (store.Storage, store.Protection, store.KeyringPath));
    }

    [Fact]
    public void A_file_store_may_be_protected_by_kms()
    {
        var file = WriteSettings("""{ "storage": "file:.secretstore/secrets.json", "protection": "kms", "keyId": "alias/secretstore" }""");

        var store = Resolve(file, null, Explicit).Store;

        Assert.Equal(
            (StorageKind.File, _folder.Combine(".secretstore", "secrets.json"), ProtectionKind.Kms, (string?)null, "alias/secretstore"),
            (store.Storage, store.FilePath, store.Protection, store.KeyringPath, store.KeyId));
    }

    [Fact]
    public void Relative_paths_are_taken_from_the_folder_of_the_layer_that_sets_them()
    {
        var file = WriteSettings("""
            {
              "storage": "file:data/secrets.json",
              "environments": { "Development": { "protection": "rsa:keys" } }
            }
            """);

        var fromFile = Resolve(file, Env("Development"), Explicit).Store;
        var fromFace = Resolve(file, Env("Development"), Explicit with { Storage = "file:local.json" }).Store;

        Assert.Equal((_folder.Combine("data", "secrets.json"), _folder.Combine("keys")), (fromFile.FilePath, fromFile.KeyringPath));
        Assert.Equal((Path.Combine(ProjectFolder, "local.json"), _folder.Combine("keys")), (fromFace.FilePath, fromFace.KeyringPath));
    }

    [Fact]
    public void Allowed_key_ids_of_a_higher_layer_replace_those_of_a_lower_one()
    {
        var file = WriteSettings("""
            {
              "allowedKeyIds": ["a", "b"],
              "environments": { "One": { "allowedKeyIds": ["c"] }, "Cleared": { "allowedKeyIds": [] }, "Unset": {} }
            }
            """);

        Assert.Equal(["c"], Resolve(file, Env("One"), Explicit).Store.AllowedKeyIds);
        Assert.Empty(Resolve(file, Env("Cleared"), Explicit).Store.AllowedKeyIds);
        Assert.Equal(["a", "b"], Resolve(file, Env("Unset"), Explicit).Store.AllowedKeyIds);
        Assert.Equal(["x"], Resolve(file, Env("One"), Explicit with { AllowedKeyIds = ["x"] }).Store.AllowedKeyIds);
    }

    [Fact]
    public void No_layer_choosing_a_storage_leaves_the_store_unconfigured_without_an_error()
    {
        var resolved = Resolve(WriteSettings("""{ "application": "Shop" }"""), null, Explicit);

        Assert.False(resolved.HasStorage);
        Assert.Equal("Shop", resolved.Application);
    }

    [Fact]
    public void Without_a_file_the_explicit_layer_alone_decides()
    {
        var resolved = Resolve(null, null, Explicit with { Storage = "dynamodb:T", Region = "eu-west-1" });

        Assert.Equal((true, StorageKind.DynamoDb, ProtectionKind.Kms, "eu-west-1"), (resolved.HasStorage, resolved.Store.Storage, resolved.Store.Protection, resolved.Store.Region));
        Assert.Null(resolved.SettingsFilePath);
    }
}

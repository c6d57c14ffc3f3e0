using System.Text;
using SecretStore.Configuration.Settings;
using SecretStore.Diagnostics;
using SecretStore.Tests.Support;

namespace SecretStore.Tests.Configuration.Settings;

/// <summary>
/// <c>secretstore.json</c> as <see cref="SettingsFileReader.Read"/> takes it: every member, the JSON leniencies of
/// .NET config files, and the exact SSB1021 of each problem with its line and column.
/// </summary>
public sealed class SettingsFileReaderTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private string PathOfFile => _folder.Combine(SettingsFile.FileName);

    private SettingsFile Read(string json)
    {
        File.WriteAllText(PathOfFile, json);
        return SettingsFileReader.Read(PathOfFile);
    }

    /// <summary>The (line, column, message) of each diagnostic, after checking they are all SSB1021 errors naming the file.</summary>
    private List<(int Line, int Column, string Message)> Errors(string json)
    {
        File.WriteAllText(PathOfFile, json);
        return ErrorsOf(Assert.Throws<SecretStoreException>(() => SettingsFileReader.Read(PathOfFile)));
    }

    private List<(int Line, int Column, string Message)> ErrorsOf(SecretStoreException ex)
    {
        Assert.Equal("SSB1021", ex.Code.Id);
        Assert.All(ex.Diagnostics, d => Assert.Equal((DiagnosticCodes.InvalidSettingsFile, DiagnosticSeverity.Error, PathOfFile), (d.Code, d.Severity, d.FilePath)));
        return [.. ex.Diagnostics.Select(d => (d.Line, d.Column, d.Message))];
    }

    private (int Line, int Column, string Message) Error(string json) => Assert.Single(Errors(json));

    [Fact]
    public void Every_member_is_read_at_the_top_level_and_in_an_environment()
    {
        const string Json = """
            {
              "$schema": "https://secretstore.build/schemas/secretstore.schema.json",
              "application": "Shop",
              "storage": "file:.secretstore/secrets.json",
              "protection": "rsa:.secretstore/keyring",
              "keyId": "k1",
              "allowedKeyIds": ["k0", "k-old"],
              "region": "eu-central-1",
              "serviceUrl": "http://localhost:8000",
              "kmsServiceUrl": "http://localhost:4566",
              "privateKeyVariable": "SHARED_KEY",
              "allowV1": true,
              "allowInsecureEndpoint": false,
              "keepRevisions": 10,
              "defaultEnvironment": "Development",
              "environments": {
                "Development": {},
                "Production": {
                  "application": "ShopProd",
                  "storage": "dynamodb:Secrets",
                  "protection": "kms",
                  "keyId": "alias/secretstore",
                  "allowedKeyIds": ["arn:aws:kms:eu-west-1:111122223333:key/1"],
                  "region": "eu-west-1",
                  "serviceUrl": "https://dynamodb.eu-west-1.amazonaws.com",
                  "kmsServiceUrl": "https://kms.eu-west-1.amazonaws.com",
                  "privateKeyVariable": "PROD_KEY",
                  "allowV1": false,
                  "allowInsecureEndpoint": true,
                  "keepRevisions": 3
                }
              }
            }
            """;

        var file = Read(Json);

        Assert.Equal(PathOfFile, file.Path);
        Assert.Equal("Development", file.DefaultEnvironment);
        Assert.Equal(15, file.DefaultEnvironmentLine);
        Assert.Equal(
            new SettingsLayer
            {
                BaseDirectory = _folder.Path,
                Origin = "secretstore.json",
                Application = "Shop",
                Storage = "file:.secretstore/secrets.json",
                Protection = "rsa:.secretstore/keyring",
                KeyId = "k1",
                Region = "eu-central-1",
                ServiceUrl = "http://localhost:8000",
                KmsServiceUrl = "http://localhost:4566",
                PrivateKeyVariable = "SHARED_KEY",
                AllowV1 = true,
                AllowInsecureEndpoint = false,
                KeepRevisions = 10,
                AllowedKeyIds = file.Shared.AllowedKeyIds,
            },
            file.Shared);
        Assert.Equal(["k0", "k-old"], file.Shared.AllowedKeyIds);
        Assert.Equal(["Development", "Production"], file.Environments.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new SettingsLayer { BaseDirectory = _folder.Path, Origin = "secretstore.json environment 'Development'" }, file.Environments["Development"]);
        var production = file.Environments["Production"];
        Assert.Equal(
            new SettingsLayer
            {
                BaseDirectory = _folder.Path,
                Origin = "secretstore.json environment 'Production'",
                Application = "ShopProd",
                Storage = "dynamodb:Secrets",
                Protection = "kms",
                KeyId = "alias/secretstore",
                Region = "eu-west-1",
                ServiceUrl = "https://dynamodb.eu-west-1.amazonaws.com",
                KmsServiceUrl = "https://kms.eu-west-1.amazonaws.com",
                PrivateKeyVariable = "PROD_KEY",
                AllowV1 = false,
                AllowInsecureEndpoint = true,
                KeepRevisions = 3,
                AllowedKeyIds = production.AllowedKeyIds,
            },
            production);
        Assert.Equal(["arn:aws:kms:eu-west-1:111122223333:key/1"], production.AllowedKeyIds);
    }

    [Fact]
    public void Members_left_out_stay_unset_so_that_lower_layers_show_through()
    {
        var file = Read("""{ "environments": { "Ci": { "region": "eu-west-1" } } }""");

        Assert.Equal(new SettingsLayer { BaseDirectory = _folder.Path, Origin = "secretstore.json" }, file.Shared);
        Assert.Null(file.Environments["Ci"].AllowedKeyIds);
        Assert.Null(file.Environments["Ci"].AllowV1);
        Assert.Null(file.DefaultEnvironment);
        Assert.Equal(0, file.DefaultEnvironmentLine);
    }

    [Fact]
    public void An_empty_object_is_a_file_with_no_settings()
    {
        var file = Read("{}");

        Assert.Empty(file.Environments);
        Assert.Equal(new SettingsLayer { BaseDirectory = _folder.Path, Origin = "secretstore.json" }, file.Shared);
    }

    [Fact]
    public void Comments_and_trailing_commas_are_allowed_like_other_dotnet_config_files()
    {
        const string Json = """
            // Shared by every face.
            {
              /* the default application */
              "application": "Shop", // trailing comment
              "allowedKeyIds": ["a", "b",],
              "environments": {
                "Development": { "region": "eu-west-1", },
              },
            }
            // the end
            """;

        var file = Read(Json);

        Assert.Equal("Shop", file.Shared.Application);
        Assert.Equal(["a", "b"], file.Shared.AllowedKeyIds);
        Assert.Equal("eu-west-1", file.Environments["Development"].Region);
    }

    [Fact]
    public void Strings_and_environment_names_are_trimmed()
    {
        var file = Read("""{ "application": "  Shop ", "allowedKeyIds": [" k1 "], "defaultEnvironment": " Ci ", "environments": { " Ci ": { "keyId": "\tk2\n" } } }""");

        Assert.Equal("Shop", file.Shared.Application);
        Assert.Equal(["k1"], file.Shared.AllowedKeyIds);
        Assert.Equal("Ci", file.DefaultEnvironment);
        Assert.Equal("k2", file.Environments["Ci"].KeyId);
        Assert.Equal("secretstore.json environment 'Ci'", file.Environments["Ci"].Origin);
    }

    [Fact]
    public void Environments_are_looked_up_ignoring_case()
    {
        var file = Read("""{ "environments": { "Production": { "region": "eu-west-1" } } }""");

        Assert.Equal("eu-west-1", file.Environments["production"].Region);
    }

    [Fact]
    public void The_base_directory_is_the_folder_of_the_file_even_when_read_through_a_relative_path()
    {
        File.WriteAllText(PathOfFile, "{}");
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, PathOfFile);

        var file = SettingsFileReader.Read(relative);

        Assert.Equal((PathOfFile, _folder.Path), (file.Path, file.Shared.BaseDirectory));
    }

    [Fact]
    public void A_UTF8_byte_order_mark_is_skipped_and_columns_do_not_count_it()
    {
        File.WriteAllBytes(PathOfFile, [.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes("{ \"Region\": \"eu-west-1\" }")]);

        var error = Assert.Single(ErrorsOf(Assert.Throws<SecretStoreException>(() => SettingsFileReader.Read(PathOfFile))));

        Assert.Equal((1, 3, "Member 'Region' at the top level is unknown (member names are case-sensitive); did you mean 'region'?"), error);
        File.WriteAllBytes(PathOfFile, [.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes("{ \"region\": \"eu-west-1\" }")]);
        Assert.Equal("eu-west-1", SettingsFileReader.Read(PathOfFile).Shared.Region);
    }

    [Fact]
    public void Lines_of_a_CRLF_file_are_counted_once_per_line_break()
    {
        var (line, column, _) = Error("{\r\n  \"region\": \"eu-west-1\",\r\n  \"Region\": 1\r\n}");

        Assert.Equal((3, 3), (line, column));
    }

    [Fact]
    public void Columns_count_characters_not_UTF8_bytes()
    {
        Assert.Equal(
            (1, 26, "Member 'Région' at the top level is unknown (member names are case-sensitive); did you mean 'region'?"),
            Error("""{ "application": "Café", "Région": 1 }"""));
    }

    [Fact]
    public void Member_names_are_case_sensitive_and_a_near_miss_is_suggested()
    {
        Assert.Equal(
            (3, 5, "Member 'Storage' at the top level is unknown (member names are case-sensitive); did you mean 'storage'?"),
            Error("{\n  \"application\": \"Shop\",\n    \"Storage\": \"file:s.json\"\n}"));
    }

    [Theory]
    [InlineData("protecton", "protection")]
    [InlineData("keyid", "keyId")]
    [InlineData("allowV2", "allowV1")]
    [InlineData("allowedKeys", "allowedKeyIds")]
    [InlineData("defaultEnviroment", "defaultEnvironment")]
    [InlineData("environment", "environments")]
    public void A_misspelt_member_suggests_the_member_one_or_two_typos_away(string misspelt, string meant)
    {
        var (_, _, message) = Error($$"""{ "{{misspelt}}": 1 }""");

        Assert.Equal($"Member '{misspelt}' at the top level is unknown (member names are case-sensitive); did you mean '{meant}'?", message);
    }

    [Fact]
    public void An_unknown_member_with_no_near_miss_lists_the_members_of_the_top_level()
    {
        Assert.Equal(
            (1, 3, "Member 'tableName' at the top level is unknown. Fix: use one of: application, storage, protection, keyId, allowedKeyIds, recipients, region, serviceUrl, kmsServiceUrl, privateKeyVariable, allowV1, allowInsecureEndpoint, keepRevisions, variables, $schema, defaultEnvironment, environments."),
            Error("""{ "tableName": "Secrets" }"""));
    }

    [Fact]
    public void An_unknown_member_of_an_environment_names_the_environment_and_lists_its_members()
    {
        Assert.Equal(
            (3, 21, "Member 'tableName' in environment 'Production' is unknown. Fix: use one of: application, storage, protection, keyId, allowedKeyIds, recipients, region, serviceUrl, kmsServiceUrl, privateKeyVariable, allowV1, allowInsecureEndpoint, keepRevisions, variables."),
            Error("{\n  \"environments\": {\n    \"Production\": { \"tableName\": { \"nested\": [1, 2] } }\n  }\n}"));
    }

    [Theory]
    [InlineData("$schema")]
    [InlineData("defaultEnvironment")]
    [InlineData("environments")]
    public void A_top_level_member_inside_an_environment_is_refused_naming_where_it_belongs(string member)
    {
        Assert.Equal(
            (1, 29, $"Member '{member}' in environment 'Ci' is allowed only at the top level. Move it out of \"environments\"."),
            Error($$"""{ "environments": { "Ci": { "{{member}}": "x" } } }"""));
    }

    [Theory]
    [InlineData("application", "42", "a number")]
    [InlineData("storage", "null", "null")]
    [InlineData("protection", "{}", "an object")]
    [InlineData("keyId", "[\"k\"]", "an array")]
    [InlineData("region", "true", "a boolean")]
    [InlineData("serviceUrl", "8000", "a number")]
    [InlineData("kmsServiceUrl", "false", "a boolean")]
    [InlineData("privateKeyVariable", "null", "null")]
    [InlineData("defaultEnvironment", "1", "a number")]
    [InlineData("$schema", "{}", "an object")]
    public void A_string_member_of_another_type_is_refused_at_its_value(string member, string value, string kind)
    {
        Assert.Equal(
            (2, 7 + member.Length, $"'{member}' at the top level must be a string, not {kind}. Fix: write the value in double quotes."),
            Error($"{{\n  \"{member}\": {value}\n}}"));
    }

    [Theory]
    [InlineData("allowV1", "\"true\"", "a string")]
    [InlineData("allowV1", "1", "a number")]
    [InlineData("allowInsecureEndpoint", "null", "null")]
    [InlineData("allowInsecureEndpoint", "\"yes\"", "a string")]
    public void A_switch_must_be_a_JSON_boolean_not_a_spelling_of_one(string member, string value, string kind)
    {
        Assert.Equal(
            (1, 28 + member.Length, $"'{member}' in environment 'Ci' must be true or false (a JSON boolean), not {kind}. Fix: write true or false without quotes."),
            Error($$"""{"environments":{"Ci":{"{{member}}": {{value}} } } }"""));
    }

    [Theory]
    [InlineData("0", "a number that is not a whole number from 1 to 2147483647")]
    [InlineData("-2", "a number that is not a whole number from 1 to 2147483647")]
    [InlineData("2.5", "a number that is not a whole number from 1 to 2147483647")]
    [InlineData("1e3", "a number that is not a whole number from 1 to 2147483647")]
    [InlineData("2147483648", "a number that is not a whole number from 1 to 2147483647")]
    [InlineData("\"5\"", "a string")]
    [InlineData("null", "null")]
    [InlineData("true", "a boolean")]
    public void Keep_revisions_must_be_a_whole_JSON_number_from_1_never_rounded_or_read_as_keep_all(string value, string kind)
    {
        Assert.Equal(
            (1, 41, $"'keepRevisions' in environment 'Ci' must be a whole number of revisions to keep per secret, at least 1, not {kind}. Fix: write a number such as 10 without quotes, or remove the member to keep every revision."),
            Error($$"""{"environments":{"Ci":{"keepRevisions": {{value}} } } }"""));
    }

    [Theory]
    [InlineData("application")]
    [InlineData("storage")]
    [InlineData("keyId")]
    [InlineData("defaultEnvironment")]
    public void An_empty_or_blank_string_is_refused(string member)
    {
        Assert.Equal(
            (1, 7 + member.Length, $"'{member}' at the top level is empty. Fix: give it a value, or remove the member."),
            Error($$"""{ "{{member}}": "  " }"""));
    }

    [Fact]
    public void Allowed_key_ids_must_be_an_array_of_non_empty_strings_each_named_by_its_position()
    {
        Assert.Equal(
            (1, 20, "'allowedKeyIds' at the top level must be an array of strings, not a string. Fix: write it as [\"key id\", ...]."),
            Error("""{ "allowedKeyIds": "k1" }"""));
        Assert.Equal(
            [
                (1, 27, "Entry 2 of 'allowedKeyIds' at the top level must be a string, not a number. Fix: write each key id in double quotes."),
                (1, 30, "Entry 3 of 'allowedKeyIds' at the top level is empty. Fix: remove it, or write the key id."),
            ],
            Errors("""{ "allowedKeyIds": ["k1", 7, ""] }"""));
    }

    [Fact]
    public void An_empty_allowed_key_id_list_is_kept_so_that_it_replaces_a_lower_layers_list()
    {
        Assert.Equal([], Read("""{ "allowedKeyIds": [] }""").Shared.AllowedKeyIds);
    }

    [Fact]
    public void A_duplicate_member_is_refused_at_its_second_occurrence_naming_the_first()
    {
        Assert.Equal(
            (3, 3, "Member 'region' at the top level appears more than once (first on line 2). Fix: remove one of them."),
            Error("{\n  \"region\": \"eu-west-1\",\n  \"region\": \"eu-west-2\"\n}"));
    }

    [Fact]
    public void A_duplicate_member_of_an_environment_names_the_environment()
    {
        Assert.Equal(
            (1, 43, "Member 'keyId' in environment 'Ci' appears more than once (first on line 1). Fix: remove one of them."),
            Error("""{ "environments": { "Ci": { "keyId": "a", "keyId": "b" } } }"""));
    }

    [Fact]
    public void Environment_names_that_differ_only_in_case_are_a_duplicate()
    {
        Assert.Equal(
            (4, 5, "Environment 'production' is defined more than once (first as 'Production' on line 3; names are compared ignoring case). Fix: remove or rename one of them."),
            Error("{\n  \"environments\": {\n    \"Production\": {},\n    \"production\": {}\n  }\n}"));
    }

    [Fact]
    public void An_empty_environment_name_is_refused()
    {
        Assert.Equal(
            (1, 21, "An environment name is empty. Name the environment, for example \"Development\"."),
            Error("""{ "environments": { " ": {} } }"""));
    }

    [Fact]
    public void Environments_must_be_an_object_of_objects()
    {
        Assert.Equal(
            (1, 19, "'environments' at the top level must be an object of named environments, not an array. Fix: write it as \"environments\": { \"Development\": { ... } }."),
            Error("""{ "environments": ["Development"] }"""));
        Assert.Equal(
            (1, 27, "Environment 'Ci' must be an object of settings, not a string. Fix: write it as \"Ci\": { \"storage\": \"...\" }."),
            Error("""{ "environments": { "Ci": "dynamodb:Secrets" } }"""));
    }

    [Theory]
    [InlineData("storage", "s3:bucket", "'storage' at the top level is not file:<path>, dynamodb:<table> or postgres:<variable holding the connection string>. Fix: write it as file:<path>, dynamodb:<table> or postgres:<variable holding the connection string>, for example file:.secretstore/secrets.json or dynamodb:Secrets.")]
    [InlineData("storage", "file:", "'storage' at the top level needs a path after 'file:', for example file:.secretstore/secrets.json. Fix: write it as file:<path>, dynamodb:<table> or postgres:<variable holding the connection string>, for example file:.secretstore/secrets.json or dynamodb:Secrets.")]
    [InlineData("storage", "dynamodb: ", "'storage' at the top level needs a table name after 'dynamodb:', for example dynamodb:Secrets. Fix: write it as file:<path>, dynamodb:<table> or postgres:<variable holding the connection string>, for example file:.secretstore/secrets.json or dynamodb:Secrets.")]
    [InlineData("protection", "aws-kms", "'protection' at the top level is not rsa:<keyring folder> or kms. Fix: write it as rsa:<keyring folder> or kms, for example rsa:.secretstore/keyring.")]
    [InlineData("protection", "rsa:", "'protection' at the top level needs a keyring folder after 'rsa:', for example rsa:.secretstore/keyring. Fix: write it as rsa:<keyring folder> or kms, for example rsa:.secretstore/keyring.")]
    public void A_storage_or_protection_typo_is_SSB1021_at_its_line_not_a_later_SSB0003(string member, string value, string message)
    {
        Assert.Equal((2, 7 + member.Length, message), Error($$"""
            {
              "{{member}}": "{{value}}"
            }
            """));
    }

    [Theory]
    [InlineData("FILE:s.json")]
    [InlineData("DynamoDB:Secrets")]
    public void Storage_prefixes_are_case_insensitive_as_everywhere_else(string storage)
    {
        Assert.Equal(storage, Read($$"""{ "storage": "{{storage}}", "protection": "KMS" }""").Shared.Storage);
    }

    [Fact]
    public void A_path_with_a_NUL_character_is_refused_as_not_a_valid_path()
    {
        Assert.Equal(
            (1, 14, "'storage' at the top level holds a path that is not valid. Fix: write it as file:<path>, dynamodb:<table> or postgres:<variable holding the connection string>, for example file:.secretstore/secrets.json or dynamodb:Secrets."),
            Error("""{ "storage": "file:a\u0000b" }"""));
    }

    [Theory]
    [InlineData("serviceUrl", "localhost:8000")]
    [InlineData("serviceUrl", "ftp://example.com")]
    [InlineData("kmsServiceUrl", "kms.local")]
    public void A_service_url_must_be_an_absolute_http_or_https_url(string member, string value)
    {
        Assert.Equal(
            (1, 7 + member.Length, $"'{member}' at the top level is not an absolute http:// or https:// URL. Fix: write the service's address, for example http://localhost:8000 for DynamoDB Local."),
            Error($$"""{ "{{member}}": "{{value}}" }"""));
    }

    [Fact]
    public void Messages_never_repeat_a_value_of_the_file()
    {
        const string Value = "hunter2-not-a-table";

        var errors = Errors($$"""{ "storage": "{{Value}}", "serviceUrl": "https//{{Value}}", "allowedKeyIds": "{{Value}}", "region": ["{{Value}}"] }""");

        Assert.Equal(4, errors.Count);
        Assert.All(errors, e => Assert.DoesNotContain(Value, e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_problem_of_the_file_is_reported_at_once_in_file_order()
    {
        const string Json = """
            {
              "Application": "Shop",
              "storage": "s3:x",
              "environments": {
                "Ci": { "allowV1": "true", "region": "" }
              }
            }
            """;

        Assert.Equal([2, 3, 5, 5], Errors(Json).Select(e => e.Line));
    }

    [Fact]
    public void A_file_that_is_not_JSON_is_SSB1021_at_the_place_the_parser_stopped_without_quoting_it()
    {
        var (line, column, message) = Error("{\n  \"region\": \"eu-west-1\"\n  \"keyId\": \"secret-looking\"\n}");

        Assert.Equal((3, 3), (line, column));
        Assert.Equal("The settings file is not valid JSON here (comments and trailing commas are allowed). Fix: correct the JSON syntax at this line and column.", message);
    }

    [Fact]
    public void Problems_found_before_a_syntax_error_are_reported_with_it()
    {
        Assert.Equal([(1, 3), (1, 18)], Errors("""{ "Region": "x", ] }""").Select(e => (e.Line, e.Column)));
    }

    [Fact]
    public void Nesting_deeper_than_the_reader_allows_is_a_syntax_error_not_a_crash()
    {
        var errors = Errors("{ \"deep\": " + new string('[', 100) + new string(']', 100) + " }");

        Assert.Equal(
            [
                (1, 3, "Member 'deep' at the top level is unknown. Fix: use one of: application, storage, protection, keyId, allowedKeyIds, recipients, region, serviceUrl, kmsServiceUrl, privateKeyVariable, allowV1, allowInsecureEndpoint, keepRevisions, variables, $schema, defaultEnvironment, environments."),
                (1, 74, "The settings file is not valid JSON here (comments and trailing commas are allowed). Fix: correct the JSON syntax at this line and column."),
            ],
            errors);
    }

    [Fact]
    public void A_file_that_ends_inside_the_object_is_a_syntax_error_on_its_last_line()
    {
        Assert.Equal(2, Error("{\n  \"region\": \"eu-west-1\",").Line);
    }

    [Fact]
    public void Content_after_the_object_is_a_syntax_error()
    {
        var (line, column, _) = Error("{} {}");

        Assert.Equal((1, 4), (line, column));
    }

    [Theory]
    [InlineData("[]", "an array")]
    [InlineData("\"file:s.json\"", "a string")]
    [InlineData("null", "null")]
    public void The_file_must_hold_a_JSON_object(string json, string kind)
    {
        Assert.Equal((1, 1, $"The settings file must hold one JSON object, not {kind}. Fix: put the settings between {{ and }}."), Error(json));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \n\t\r\n")]
    public void An_empty_file_is_SSB1021_with_an_example_of_the_object_it_needs(string content)
    {
        Assert.Equal(
            (0, 0, "The settings file is empty. Fix: write a JSON object in it, for example { \"storage\": \"file:.secretstore/secrets.json\", \"protection\": \"rsa:.secretstore/keyring\" }."),
            Error(content));
    }

    [Fact]
    public void Bytes_that_are_not_UTF8_are_SSB1021_at_their_line()
    {
        File.WriteAllBytes(PathOfFile, [.. "{\n  \"region\": \""u8, 0xFF, .. "\"\n}"u8]);

        var error = Assert.Single(ErrorsOf(Assert.Throws<SecretStoreException>(() => SettingsFileReader.Read(PathOfFile))));

        Assert.Equal((2, 14, "The settings file is not valid UTF-8. Save it as UTF-8."), error);
    }

    [Fact]
    public void An_escaped_lone_surrogate_is_refused_as_not_text()
    {
        Assert.Equal(
            (1, 18, "'application' at the top level holds a \\u escape of a lone UTF-16 surrogate, which is not text. Fix: remove the escape or complete the surrogate pair."),
            Error("""{ "application": "\uD800" }"""));
    }

    [Fact]
    public void A_file_of_exactly_one_MiB_is_read_and_one_byte_more_is_SSB1021()
    {
        var padding = new string(' ', SettingsFileReader.MaxFileBytes - 2);
        Assert.Empty(Read("{" + padding + "}").Environments);

        File.WriteAllText(PathOfFile, "{ " + padding + "}");
        var error = Assert.Single(ErrorsOf(Assert.Throws<SecretStoreException>(() => SettingsFileReader.Read(PathOfFile))));

        Assert.Equal((0, 0, "The settings file is 1048577 bytes; the limit is 1048576 bytes (1 MiB). Fix: check that the path names the settings file, not another file."), error);
    }

    [Fact]
    public void A_path_that_does_not_exist_is_SSB1021_not_found()
    {
        var ex = Assert.Throws<SecretStoreException>(() => SettingsFileReader.Read(PathOfFile));

        Assert.Equal(
            (0, 0, "The settings file does not exist. Fix: check the path given for it, or leave it unset to use the nearest secretstore.json."),
            Assert.Single(ErrorsOf(ex)));
        Assert.Equal($"{PathOfFile}: error SSB1021: The settings file does not exist. Fix: check the path given for it, or leave it unset to use the nearest secretstore.json.", ex.Message);
    }

    [Fact]
    public void A_folder_given_as_the_settings_file_is_not_found()
    {
        Directory.CreateDirectory(PathOfFile);

        Assert.StartsWith("The settings file does not exist.", Assert.Single(ErrorsOf(Assert.Throws<SecretStoreException>(() => SettingsFileReader.Read(PathOfFile)))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_exception_message_is_the_MSBuild_form_of_the_first_error()
    {
        File.WriteAllText(PathOfFile, "{ \"Region\": \"x\",\n \"keyid\": \"y\" }");

        var ex = Assert.Throws<SecretStoreException>(() => SettingsFileReader.Read(PathOfFile));

        Assert.Equal($"2 errors; first: {PathOfFile}(1,3): error SSB1021: Member 'Region' at the top level is unknown (member names are case-sensitive); did you mean 'region'? Fix: {DiagnosticCodes.InvalidSettingsFile.Fix}", ex.Message);
    }
}

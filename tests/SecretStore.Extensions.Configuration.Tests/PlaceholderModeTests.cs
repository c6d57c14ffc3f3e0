using Microsoft.Extensions.Configuration;
using SecretStore.Diagnostics;
using SecretStore.Extensions.Configuration;
using SecretStore.Runtime;
using SecretStore.Secrets;
using SecretStore.Testing.Canaries;
using SecretStore.Testing.Stores;

namespace SecretStore.Extensions.Configuration.Tests;

/// <summary>
/// Issue 15 item 1, placeholder mode: the configuration before the source (here a real appsettings.json and an
/// in-memory layer) resolved against a real file store and keyring, with the grammar of the publish-time resolver.
/// </summary>
public sealed class PlaceholderModeTests : IDisposable
{
    private const string DbValue = "Server=db;Password=Pl4ceh0lder-Canary-7Q";
    private const string ApiValue = "api-Canary-Z9x2";
    private readonly StoreScope _scope = new();
    private readonly List<Diagnostic> _reported = [];

    public void Dispose() => _scope.Dispose();

    [Fact]
    public async Task Placeholders_of_appsettings_resolve_to_strings_typed_json_values_flattened_objects_base64_and_literal_escapes()
    {
        await _scope.Store.SetAsync(new SecretId("shop", "Db"), DbValue);
        await _scope.Store.SetAsync(new SecretId("shop", "Queue.Port"), "5672");
        await _scope.Store.SetAsync(new SecretId("shop", "Features"), """{"Search":true,"Limits":[10,20],"Name":"blue"}""");
        await _scope.Store.SetAsync(new SecretId("billing", "Api"), ApiValue);
        var json = _scope.Combine("appsettings.json");
        await File.WriteAllTextAsync(json, """
            {
              "ConnectionStrings": { "Default": "#{secret:Db}" },
              "Queue": { "Port": "#{secret:Queue.Port|json}", "Host": "queue.local" },
              "Features": "#{secret:Features|json}",
              "Billing": { "Header": "Bearer #{secret:billing/Api}", "Encoded": "#{secret:billing/Api|base64}" },
              "Docs": "write ##{secret:Name} in a file"
            }
            """);

        var configuration = Build(b => b.AddJsonFile(json));

        Assert.Equal(DbValue, configuration.GetConnectionString("Default"));
        Assert.Equal(5672, configuration.GetValue<int>("Queue:Port"));
        Assert.Equal("queue.local", configuration["Queue:Host"]);
        Assert.True(configuration.GetValue<bool>("Features:Search"));
        Assert.Equal([10, 20], configuration.GetSection("Features:Limits").Get<int[]>()!);
        Assert.Equal("blue", configuration["Features:Name"]);
        Assert.Null(configuration["Features"]);
        Assert.Equal($"Bearer {ApiValue}", configuration["Billing:Header"]);
        Assert.Equal(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(ApiValue)), configuration["Billing:Encoded"]);
        Assert.Equal("write #{secret:Name} in a file", configuration["Docs"]);
        Assert.False(File.ReadAllText(json).Contains(DbValue, StringComparison.Ordinal), "the app's own file is never written");
    }

    [Fact]
    public async Task Environment_variables_and_the_command_line_added_before_the_source_are_resolved_too_and_the_last_layer_wins()
    {
        await _scope.Store.SetAsync(new SecretId("shop", "Db"), DbValue);
        await _scope.Store.SetAsync(new SecretId("shop", "Other"), ApiValue);

        var configuration = Build(b => b
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Default"] = "#{secret:Other}" })
            .AddCommandLine(["--ConnectionStrings:Default=#{secret:Db}"]));

        Assert.Equal(DbValue, configuration.GetConnectionString("Default"));
    }

    [Fact]
    public async Task A_pinned_placeholder_gets_exactly_that_revision_and_an_unknown_one_fails_the_start_with_SSB2019()
    {
        // Issue 17: #{secret:Name@N} in the running app, as at publish time.
        await _scope.Store.SetAsync(new SecretId("shop", "Db"), DbValue);
        await _scope.Store.SetAsync(new SecretId("shop", "Db"), ApiValue);

        var configuration = Build(b => b.AddInMemoryCollection(new Dictionary<string, string?> { ["Old"] = "#{secret:Db@1}", ["New"] = "#{secret:Db}" }));
        var failure = Assert.Throws<SecretStoreException>(() => Build(b => b.AddInMemoryCollection(new Dictionary<string, string?> { ["Old"] = "#{secret:Db@9}" })));

        Assert.Equal((DbValue, ApiValue), (configuration["Old"], configuration["New"]));
        Assert.Equal("SSB2019", failure.Code.Id);
        Assert.Contains("Configuration key 'Old', placeholder '#{secret:Db@9}': Revision 9 of 'shop/Db' cannot be read", failure.Message, StringComparison.Ordinal);
        AssertNoValue(failure, _reported);
    }

    [Fact]
    public async Task A_missing_optional_secret_leaves_its_key_unset_with_warning_SSB1013_and_a_missing_required_one_fails_the_start_with_SSB2001()
    {
        await _scope.Store.SetAsync(new SecretId("shop", "Db"), DbValue);

        var optional = Build(b => b.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Db"] = "#{secret:Db}",
            ["Cache:Password"] = "#{secret:Cache|optional}",
        }));
        var failure = Assert.Throws<SecretStoreException>(() => Build(b => b.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Db"] = "#{secret:Db}",
            ["Cache:Password"] = "#{secret:Cache}",
        })));

        Assert.Null(optional["Cache:Password"]);
        Assert.Equal(DbValue, optional["Db"]);
        var warning = Assert.Single(_reported);
        Assert.Equal(("SSB1013", DiagnosticSeverity.Warning), (warning.Code.Id, warning.Severity));
        Assert.Contains("Configuration key 'Cache:Password', placeholder '#{secret:Cache|optional}': secret 'shop/Cache' does not exist", warning.Message, StringComparison.Ordinal);
        Assert.Equal("SSB2001", failure.Code.Id);
        Assert.Contains("Configuration key 'Cache:Password', placeholder '#{secret:Cache}': secret 'shop/Cache' was not found.", failure.Message, StringComparison.Ordinal);
        AssertNoValue(failure, _reported);
    }

    [Fact]
    public async Task The_failure_policy_skips_one_unreadable_secret_without_failing_the_others()
    {
        await _scope.Store.SetAsync(new SecretId("shop", "Db"), DbValue);
        await _scope.Store.SetAsync(new SecretId("shop", "Original"), ApiValue);

        // A record renamed in the store file no longer opens (its ciphertext is bound to its name): a 3xxx error at read.
        var text = await File.ReadAllTextAsync(_scope.StorePath);
        await File.WriteAllTextAsync(_scope.StorePath, text.Replace("\"Original\"", "\"Broken\"", StringComparison.Ordinal));
        var settings = new Dictionary<string, string?> { ["Db"] = "#{secret:Db}", ["Broken"] = "#{secret:Broken}" };

        var strict = Assert.ThrowsAny<SecretStoreException>(() => Build(b => b.AddInMemoryCollection(settings)));
        var lenient = Build(b => b.AddInMemoryCollection(settings), o => o.FailurePolicy = id => id.Name == "Broken" ? SecretFailureAction.Skip : SecretFailureAction.Fail);

        Assert.StartsWith("SSB3", strict.Code.Id, StringComparison.Ordinal);
        Assert.Null(lenient["Broken"]);
        Assert.Equal(DbValue, lenient["Db"]);
        var warning = Assert.Single(_reported);
        Assert.Contains("secret 'shop/Broken' cannot be read", warning.Message, StringComparison.Ordinal);
        AssertNoValue(strict, _reported);
    }

    [Theory]
    [InlineData("#{secret:Db", "SSB1001")]
    [InlineData("#{secret:Db|yaml}", "SSB1002")]
    [InlineData("#{secret: Db}", "SSB1003")]
    [InlineData("#{secret}", "SSB1004")]
    [InlineData("prefix #{secret:Db|json}", "SSB1005")]
    public async Task A_malformed_placeholder_fails_the_start_with_its_code_naming_the_configuration_key_before_any_secret_is_read(string value, string code)
    {
        await _scope.Store.SetAsync(new SecretId("shop", "Db"), DbValue);
        var recording = new RecordingStore(_scope.Store);

        var failure = Assert.Throws<SecretStoreException>(() => Build(b => b.AddInMemoryCollection(new Dictionary<string, string?> { ["Section:Key"] = value }), store: recording));

        Assert.Equal(code, failure.Code.Id);
        Assert.Contains("Configuration key 'Section:Key'", failure.Message, StringComparison.Ordinal);
        Assert.Equal(0, recording.IdsRead);
    }

    [Fact]
    public async Task A_json_secret_that_is_not_JSON_is_SSB1007_and_its_text_is_not_repeated()
    {
        await _scope.Store.SetAsync(new SecretId("shop", "Port"), "not-json-Canary-Q1");

        var failure = Assert.Throws<SecretStoreException>(() => Build(b => b.AddInMemoryCollection(new Dictionary<string, string?> { ["Port"] = "#{secret:Port|json}" })));

        Assert.Equal("SSB1007", failure.Code.Id);
        Assert.Empty(new CanaryScanner("not-json-Canary-Q1").Scan(failure, "exception"));
    }

    [Fact]
    public async Task A_value_that_holds_placeholder_text_is_SSB1019_unless_the_placeholder_says_literal()
    {
        await _scope.Store.SetAsync(new SecretId("shop", "Template"), "Hello #{secret:Other}");

        var failure = Assert.Throws<SecretStoreException>(() => Build(b => b.AddInMemoryCollection(new Dictionary<string, string?> { ["T"] = "#{secret:Template}" })));
        var literal = Build(b => b.AddInMemoryCollection(new Dictionary<string, string?> { ["T"] = "#{secret:Template|literal}" }));

        Assert.Equal("SSB1019", failure.Code.Id);
        Assert.Equal("Hello #{secret:Other}", literal["T"]);
    }

    [Fact]
    public void Configuration_without_placeholders_never_opens_a_store_nor_reads_the_settings_file()
    {
        // A published app: its placeholders were resolved at publish. A broken secretstore.json must not matter.
        var folder = _scope.Combine("published");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "secretstore.json"), "{ not json");

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Db"] = "Server=db;Password=resolved-at-publish" })
            .AddSecretStore(o => o.WorkingDirectory = folder)
            .Build();

        Assert.Equal("Server=db;Password=resolved-at-publish", configuration["Db"]);
    }

    [Fact]
    public async Task The_store_comes_from_secretstore_json_with_the_environment_named_like_the_host_when_the_file_defines_it()
    {
        await _scope.Store.SetAsync(new SecretId("shop", "Db"), DbValue);
        var folder = _scope.Combine("app");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "secretstore.json"), $$"""
            {
              "application": "shop",
              "storage": "file:{{_scope.StorePath}}",
              "protection": "rsa:{{_scope.KeyringPath}}",
              "keyId": "{{TestKeyrings.PrimaryKeyId}}",
              "environments": {
                "Staging": { "storage": "file:missing.json" }
              }
            }
            """);

        IConfigurationRoot For(string environment, string? chosen = null) => new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["environment"] = environment, ["contentRoot"] = folder, ["Db"] = "#{secret:Db}" })
            .AddSecretStore(o => o.Environment = chosen)
            .Build();

        // Development is not in the file: the top level, as the CLI reads it without --env ('secretstore init' writes no environment).
        var development = For("Development");
        var staging = Assert.ThrowsAny<SecretStoreException>(() => For("Staging"));
        var unknown = Assert.Throws<SecretStoreException>(() => For("Development", chosen: "Nope"));

        Assert.Equal(DbValue, development["Db"]);
        Assert.Null(development.Providers.OfType<SecretStoreConfigurationProvider>().Single().EnvironmentName);
        Assert.Equal("SSB2011", staging.Code.Id);
        Assert.Contains("missing.json", staging.Message, StringComparison.Ordinal);
        Assert.Equal("SSB1022", unknown.Code.Id);
    }

    [Fact]
    public void A_first_load_failure_throws_a_coded_error_unless_the_source_is_optional()
    {
        var down = new RecordingStore(_scope.Store) { Down = true, Failure = () => new SecretStoreException(DiagnosticCodes.BackendUnavailable, "The store is down (test).") };
        var settings = new Dictionary<string, string?> { ["Db"] = "#{secret:Db}" };

        var failure = Assert.Throws<SecretStoreException>(() => Build(b => b.AddInMemoryCollection(settings), store: down));
        var optional = Build(b => b.AddInMemoryCollection(settings), o => o.Optional = true, store: down);

        Assert.Equal("SSB2005", failure.Code.Id);
        // Red team (RT.17): the keys are unset, not left holding placeholder text the app would read as a value.
        Assert.Null(optional["Db"]);
        var warning = Assert.Single(_reported);
        Assert.Equal("SSB0008", warning.Code.Id);
        Assert.Contains("this optional source leaves every key holding a placeholder unset until a reload succeeds. Cause: SSB2005: The store is down (test).", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Red_team_a_json_string_escape_that_spells_placeholder_text_is_SSB1019_unless_literal()
    {
        // RT.17: "\u0023{secret:..." has no '#{' in the raw value; the string the parse gives has.
        await _scope.Store.SetAsync(new SecretId("shop", "Port"), "\"\\u0023{secret:Db}\"");

        var failure = Assert.Throws<SecretStoreException>(() => Build(b => b.AddInMemoryCollection(new Dictionary<string, string?> { ["Port"] = "#{secret:Port|json}" })));
        var literal = Build(b => b.AddInMemoryCollection(new Dictionary<string, string?> { ["Port"] = "#{secret:Port|json|literal}" }));

        Assert.Equal("SSB1019", failure.Code.Id);
        Assert.Equal("#{secret:Db}", literal["Port"]);
    }

    [Fact]
    public async Task Red_team_json_members_differing_in_case_are_SSB1007_without_naming_a_member_and_a_lone_surrogate_escape_is_SSB1007_too()
    {
        // RT.17: member names are part of the value; and "\ud800" is JSON text but no string.
        await _scope.Store.SetAsync(new SecretId("shop", "Twice"), """{"SEKRETKEYhunter2":1,"sekretkeyHUNTER2":2}""");
        await _scope.Store.SetAsync(new SecretId("shop", "Nested"), """{"a":{"b":1},"a:b":"SEKRETX"}""");
        await _scope.Store.SetAsync(new SecretId("shop", "Surrogate"), """{"a":"\ud800"}""");

        var twice = Assert.Throws<SecretStoreException>(() => Build(b => b.AddInMemoryCollection(new Dictionary<string, string?> { ["Q"] = "#{secret:Twice|json}" })));
        var nested = Assert.Throws<SecretStoreException>(() => Build(b => b.AddInMemoryCollection(new Dictionary<string, string?> { ["Q"] = "#{secret:Nested|json}" })));
        var surrogate = Assert.Throws<SecretStoreException>(() => Build(b => b.AddInMemoryCollection(new Dictionary<string, string?> { ["Q"] = "#{secret:Surrogate|json}" })));

        Assert.Equal(["SSB1007", "SSB1007", "SSB1007"], new[] { twice, nested, surrogate }.Select(e => e.Code.Id));
        var scanner = new CanaryScanner("SEKRETKEYhunter2", "sekretkeyHUNTER2", "SEKRETX");
        Assert.Empty(scanner.Scan(twice, "exception"));
        Assert.Empty(scanner.Scan(nested, "exception"));
        Assert.DoesNotContain("'Q:a", nested.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("not valid Unicode", surrogate.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Red_team_a_SecretStore_AllowInsecureEndpoint_that_is_not_a_boolean_is_SSB0001_naming_the_key()
    {
        // RT.17: 'maybe' was read as false without a word; every other face refuses it.
        var failure = Assert.Throws<SecretStoreException>(() => new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["SecretStore:Storage"] = "file:" + _scope.StorePath,
                ["SecretStore:Protection"] = "rsa:" + _scope.KeyringPath,
                ["SecretStore:AllowInsecureEndpoint"] = "maybe",
                ["Db"] = "#{secret:Db}",
            })
            .AddSecretStore(o => o.WorkingDirectory = _scope.Combine())
            .Build());

        Assert.Equal("SSB0001", failure.Code.Id);
        Assert.Contains("SecretStore:AllowInsecureEndpoint", failure.Message, StringComparison.Ordinal);
    }

    private static void AssertNoValue(Exception exception, IEnumerable<Diagnostic> diagnostics)
    {
        var scanner = new CanaryScanner(DbValue, ApiValue);
        Assert.Empty(scanner.Scan(exception, "exception"));
        foreach (var diagnostic in diagnostics)
        {
            Assert.Empty(scanner.Scan(diagnostic.ToMSBuildFormat(), "diagnostic"));
        }
    }

    private IConfigurationRoot Build(Func<IConfigurationBuilder, IConfigurationBuilder> before, Action<SecretStoreConfigurationOptions>? configure = null, ISecretStore? store = null) =>
        before(new ConfigurationBuilder())
            .AddSecretStore(options =>
            {
                options.Store = store ?? _scope.Store;
                options.Application = "shop";
                options.OnDiagnostic = _reported.Add;
                configure?.Invoke(options);
            })
            .Build();
}

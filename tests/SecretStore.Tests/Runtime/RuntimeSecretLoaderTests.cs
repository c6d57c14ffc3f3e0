using SecretStore.Diagnostics;
using SecretStore.Runtime;
using SecretStore.Secrets;

namespace SecretStore.Tests.Runtime;

/// <summary>
/// The engine's runtime runner on its own (the provider's tests drive it through configuration): what each load
/// reads, in which order it reports, and the exact warnings and errors, over a real file store and keyring.
/// </summary>
public sealed class RuntimeSecretLoaderTests : IDisposable
{
    private static readonly SecretId Db = new("shop", "Db");
    private static readonly SecretId Api = new("shop", "Api");
    private readonly StoreScope _scope = new();

    public void Dispose() => _scope.Dispose();

    [Fact]
    public async Task A_reload_reads_only_what_changed_and_Clear_makes_the_next_load_read_everything_again()
    {
        await _scope.Store.SetAsync(Db, "db-1");
        await _scope.Store.SetAsync(Api, "api-1");
        var recording = new RecordingStore(_scope.Store);
        using var loader = new RuntimeSecretLoader(recording, new RuntimeLoadOptions { DefaultApplication = "shop" });
        var configuration = Values(("A", "#{secret:Db}"), ("B", "#{secret:Api}"), ("C", "#{secret:Api}"));

        var first = await loader.ResolvePlaceholdersAsync(configuration);
        var unchanged = await loader.ResolvePlaceholdersAsync(configuration);
        await _scope.Store.SetAsync(Db, "db-2");
        var changed = await loader.ResolvePlaceholdersAsync(configuration);
        loader.Clear();
        var cleared = await loader.ResolvePlaceholdersAsync(configuration);

        Assert.Equal((2, 2), (first.SecretCount, first.FetchedCount));
        Assert.Equal((2, 0), (unchanged.SecretCount, unchanged.FetchedCount));
        Assert.Equal(1, changed.FetchedCount);
        Assert.Equal("db-2", changed.Values["A"]);
        Assert.Equal(2, cleared.FetchedCount);
        Assert.Equal(2 + 0 + 1 + 2, recording.IdsRead);
        Assert.Equal(2, recording.Lists);
    }

    [Fact]
    public async Task A_missing_optional_secret_set_later_is_read_on_the_next_load_not_remembered_as_missing()
    {
        await _scope.Store.SetAsync(Db, "db-1");
        using var loader = new RuntimeSecretLoader(_scope.Store, new RuntimeLoadOptions { DefaultApplication = "shop" });
        var configuration = Values(("A", "#{secret:Db}"), ("B", "#{secret:Api|optional}"));

        var before = await loader.ResolvePlaceholdersAsync(configuration);
        await _scope.Store.SetAsync(Api, "api-1");
        var after = await loader.ResolvePlaceholdersAsync(configuration);

        Assert.True(before.Values.ContainsKey("B"));
        Assert.Null(before.Values["B"]);
        Assert.Equal("Configuration key 'B', placeholder '#{secret:Api|optional}': secret 'shop/Api' does not exist; the key is left unset (optional).", Assert.Single(before.Warnings).Message);
        Assert.Equal("api-1", after.Values["B"]);
        Assert.Empty(after.Warnings);
    }

    [Fact]
    public async Task A_secret_the_policy_does_not_skip_fails_with_its_own_code_located_at_the_key_and_one_it_skips_warns_under_its_code()
    {
        await _scope.Store.SetAsync(Db, "db-1");
        await _scope.Store.SetAsync(new SecretId("shop", "OriginalA"), "a");
        await _scope.Store.SetAsync(new SecretId("shop", "OriginalB"), "b");
        var text = await File.ReadAllTextAsync(_scope.StorePath);
        await File.WriteAllTextAsync(_scope.StorePath, text.Replace("\"OriginalA\"", "\"BrokenA\"", StringComparison.Ordinal).Replace("\"OriginalB\"", "\"BrokenB\"", StringComparison.Ordinal));
        using var loader = new RuntimeSecretLoader(_scope.Store, new RuntimeLoadOptions
        {
            DefaultApplication = "shop",
            FailurePolicy = id => id.Name == "BrokenA" ? SecretFailureAction.Skip : SecretFailureAction.Fail,
        });
        using var skipping = new RuntimeSecretLoader(_scope.Store, new RuntimeLoadOptions { DefaultApplication = "shop", FailurePolicy = _ => SecretFailureAction.Skip });

        // 'optional' covers a missing secret only: an unreadable one the policy does not skip still fails.
        var failure = await Assert.ThrowsAsync<SecretStoreException>(() => loader.ResolvePlaceholdersAsync(Values(("A", "#{secret:BrokenA}"), ("B", "#{secret:BrokenB|optional}"), ("Db", "#{secret:Db}"))));
        var skipped = await skipping.ResolvePlaceholdersAsync(Values(("A", "#{secret:BrokenA}"), ("Db", "#{secret:Db}")));

        var error = Assert.Single(failure.Diagnostics);
        Assert.StartsWith("SSB3", error.Code.Id, StringComparison.Ordinal);
        Assert.StartsWith("Configuration key 'B', placeholder '#{secret:BrokenB|optional}': ", error.Message, StringComparison.Ordinal);
        var warning = Assert.Single(skipped.Warnings);
        Assert.Equal((error.Code.Id, DiagnosticSeverity.Warning), (warning.Code.Id, warning.Severity));
        Assert.EndsWith($"secret 'shop/BrokenA' cannot be read ({error.Code.Id}); the key is left unset (the failure policy skips it).", warning.Message, StringComparison.Ordinal);
        Assert.Equal("db-1", skipped.Values["Db"]);
    }

    [Fact]
    public async Task Errors_come_in_key_order_and_a_json_placeholder_followed_by_text_is_SSB1005()
    {
        var failure = await Assert.ThrowsAsync<SecretStoreException>(() => new RuntimeSecretLoader(_scope.Store, new RuntimeLoadOptions { DefaultApplication = "shop" })
            .ResolvePlaceholdersAsync(Values(("b", "#{secret:Db|json} and more"), ("A", "#{secret:Db"))));

        Assert.Equal(["SSB1001", "SSB1005"], failure.Diagnostics.Select(d => d.Code.Id));
        Assert.StartsWith("Configuration key 'A': ", failure.Diagnostics[0].Message, StringComparison.Ordinal);
        Assert.Equal("Configuration key 'b': placeholder '#{secret:Db|json}' has the json modifier but is not the whole value. Fix: make the placeholder the whole value (a json value replaces the key), or drop 'json'.", failure.Diagnostics[1].Message);
    }

    [Fact]
    public async Task Bad_json_gives_its_position_and_a_member_twice_is_SSB1007_naming_the_key()
    {
        await _scope.Store.SetAsync(new SecretId("shop", "Bad"), "{\"a\": tru}");
        await _scope.Store.SetAsync(new SecretId("shop", "Twice"), "{\"Port\": 1, \"port\": 2}");
        using var loader = new RuntimeSecretLoader(_scope.Store, new RuntimeLoadOptions { DefaultApplication = "shop" });

        var bad = await Assert.ThrowsAsync<SecretStoreException>(() => loader.ResolvePlaceholdersAsync(Values(("K", "#{secret:Bad|json}"))));
        var twice = await Assert.ThrowsAsync<SecretStoreException>(() => loader.ResolvePlaceholdersAsync(Values(("K", "#{secret:Twice|json}"))));

        Assert.Equal("Configuration key 'K': the value of 'shop/Bad' is not valid JSON (line 1, byte 10). Fix: store valid JSON ('secretstore set shop/Bad'), or drop the json modifier.", Assert.Single(bad.Diagnostics).Message);
        Assert.Equal("Configuration key 'K': the value of 'shop/Twice' has two members whose names differ only in case, or that give one key with ':' (configuration keys are case-insensitive and ':' separates them). Fix: store JSON whose member names give distinct keys.", Assert.Single(twice.Diagnostics).Message);
    }

    [Fact]
    public async Task A_value_holding_placeholder_text_is_SSB1019_with_the_literal_form_of_the_placeholder()
    {
        await _scope.Store.SetAsync(Db, "x #{secret:Other}");
        using var loader = new RuntimeSecretLoader(_scope.Store, new RuntimeLoadOptions { DefaultApplication = "shop" });

        var failure = await Assert.ThrowsAsync<SecretStoreException>(() => loader.ResolvePlaceholdersAsync(Values(("K", "a #{secret:Db} b"))));

        Assert.Equal("Configuration key 'K': the value of 'shop/Db' holds placeholder text ('#{secret'), which a later source would read as a placeholder. Fix: change the value, or add the literal modifier ('#{secret:Db|literal}').", Assert.Single(failure.Diagnostics).Message);
    }

    [Fact]
    public async Task One_json_string_among_several_that_spells_placeholder_text_is_SSB1019_naming_the_literal_form()
    {
        await _scope.Store.SetAsync(Db, """{"a":"plain","b":"\u0023{secret:Other}"}""");
        using var loader = new RuntimeSecretLoader(_scope.Store, new RuntimeLoadOptions { DefaultApplication = "shop" });

        var failure = await Assert.ThrowsAsync<SecretStoreException>(() => loader.ResolvePlaceholdersAsync(Values(("K", "#{secret:Db|json}"))));

        Assert.Equal("Configuration key 'K': the value of 'shop/Db' holds a JSON string with placeholder text ('#{secret'), which a later source would read as a placeholder. Fix: change the value, or add the literal modifier ('#{secret:Db|json|literal}').", Assert.Single(failure.Diagnostics).Message);
    }

    [Fact]
    public async Task Arguments_are_checked_and_an_owned_store_is_disposed_with_the_loader()
    {
        var recording = new RecordingStore(_scope.Store);
        Assert.Equal("store", Assert.Throws<ArgumentNullException>(() => new RuntimeSecretLoader(null!)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RuntimeSecretLoader(recording, new RuntimeLoadOptions { MaxConcurrency = 0 }));
        using (var notOwned = new RuntimeSecretLoader(recording))
        {
            Assert.Equal("configuration", (await Assert.ThrowsAsync<ArgumentNullException>(() => notOwned.ResolvePlaceholdersAsync(null!))).ParamName);
        }

        var disposedAfterNotOwned = recording.Disposed;
        new RuntimeSecretLoader(recording, ownsStore: true).Dispose();

        Assert.False(disposedAfterNotOwned);
        Assert.True(recording.Disposed);
    }

    [Fact]
    public void TrimPrefix_drops_the_prefix_only_from_names_that_have_more_than_it()
    {
        var map = SectionKeys.TrimPrefix("Prod.");

        Assert.Equal("Db:Main", map(new SecretId("shop", "Prod.Db.Main")));
        Assert.Equal("Prod:", map(new SecretId("shop", "Prod.")));
        Assert.Equal("Test:Db", map(new SecretId("shop", "Test.Db")));
        Assert.Throws<ArgumentNullException>(() => SectionKeys.TrimPrefix(null!));
    }

    [Fact]
    public async Task A_pinned_placeholder_gets_exactly_that_revision_and_a_reload_does_not_read_it_again()
    {
        await _scope.Store.SetAsync(Db, "db-1");
        await _scope.Store.SetAsync(Db, "db-2");
        var recording = new RecordingStore(_scope.Store);
        using var loader = new RuntimeSecretLoader(recording, new RuntimeLoadOptions { DefaultApplication = "shop" });
        var configuration = Values(("Pinned", "#{secret:Db@1}"), ("Current", "#{secret:Db}"));

        var first = await loader.ResolvePlaceholdersAsync(configuration);
        await _scope.Store.SetAsync(Db, "db-3");
        var second = await loader.ResolvePlaceholdersAsync(configuration);

        Assert.Equal(("db-1", "db-2"), (first.Values["Pinned"], first.Values["Current"]));
        Assert.Equal(("db-1", "db-3"), (second.Values["Pinned"], second.Values["Current"]));
        Assert.Equal((2, 2), (first.SecretCount, first.FetchedCount));
        Assert.Equal(1, second.FetchedCount);
    }

    [Theory]
    [InlineData("#{secret:Db@7}")]
    [InlineData("#{secret:Db@7|optional}")]
    public async Task A_pinned_revision_the_store_does_not_keep_fails_the_load_with_SSB2019_even_when_optional(string placeholder)
    {
        await _scope.Store.SetAsync(Db, "db-1");
        using var loader = new RuntimeSecretLoader(_scope.Store, new RuntimeLoadOptions { DefaultApplication = "shop" });

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => loader.ResolvePlaceholdersAsync(Values(("A", placeholder), ("B", "#{secret:Db}"))));

        var only = Assert.Single(error.Diagnostics);
        Assert.Equal(DiagnosticCodes.RevisionNotFound, only.Code);
        Assert.StartsWith($"Configuration key 'A', placeholder '{placeholder}': Revision 7 of 'shop/Db' cannot be read: the store keeps no such revision.", only.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("db-1", error.ToString(), StringComparison.Ordinal);
    }

    private static List<KeyValuePair<string, string?>> Values(params (string Key, string Value)[] entries) =>
        [.. entries.Select(e => new KeyValuePair<string, string?>(e.Key, e.Value))];
}

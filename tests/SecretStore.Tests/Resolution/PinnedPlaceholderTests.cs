using SecretStore.Diagnostics;
using SecretStore.Resolution;
using SecretStore.Resolution.Syntax;
using SecretStore.Secrets;

namespace SecretStore.Tests.Resolution;

/// <summary><c>#{secret:Name@3}</c>: the grammar of a pin, and files resolved with exactly the pinned revision.</summary>
public sealed class PinnedPlaceholderTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("#{secret:Db@3}", "App", "Db", 3L)]
    [InlineData("#{secret:web/Db@12|json}", "web", "Db", 12L)]
    [InlineData("#{secret:ops@example.com}", "App", "ops@example.com", null)]
    [InlineData("#{secret:build\\@2}", "App", "build@2", null)]
    [InlineData("#{secret:Db@}", "App", "Db@", null)]
    [InlineData("#{secret:a@b@7}", "App", "a@b", 7L)]
    [InlineData("#{secret:web@2/Db}", "web@2", "Db", null)]
    [InlineData("#{secret:Db@3\\@4}", "App", "Db@3@4", null)]
    public void A_last_at_sign_followed_by_digits_alone_pins_a_revision(string text, string application, string name, long? revision)
    {
        var placeholder = Assert.IsType<PlaceholderItem>(Assert.Single(PlaceholderScanner.Scan(text, "App"))).Placeholder;

        Assert.Equal((new SecretId(application, name), revision), (placeholder.Id, placeholder.Revision));
    }

    [Theory]
    [InlineData("#{secret:Db@0}")]
    [InlineData("#{secret:Db@99999999999999999999999}")]
    public void A_pin_that_is_not_a_revision_is_an_error_naming_the_placeholder(string text)
    {
        var error = Assert.IsType<SyntaxErrorItem>(Assert.Single(PlaceholderScanner.Scan(text, "App")));

        Assert.Equal(DiagnosticCodes.InvalidPlaceholderName, error.Code);
        Assert.StartsWith($"Placeholder '{text}' pins a revision that is not a whole number from 1", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("web/Db@3", "web", "Db", 3L)]
    [InlineData("Db@3", "shop", "Db", 3L)]
    [InlineData("ops@example.com", "shop", "ops@example.com", null)]
    [InlineData("build\\@2", "shop", "build@2", null)]
    [InlineData("a\\/b@5", "shop", "a/b", 5L)]
    public void A_reference_in_a_mapping_pins_the_same_way(string text, string application, string name, long? revision)
    {
        Assert.True(SecretReference.TryParse(text, "shop", out var reference, out var problem), problem);

        Assert.Equal(new SecretReference(new SecretId(application, name), revision), reference);
        Assert.Equal(revision is null ? $"{application}/{name}" : $"{application}/{name}@{revision}", reference.ToString());
    }

    [Fact]
    public void A_reference_pinning_revision_0_is_refused()
    {
        Assert.False(SecretReference.TryParse("web/Db@0", null, out _, out var problem));

        Assert.StartsWith("pins revision '0'; a revision is a whole number from 1", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_gets_exactly_the_pinned_revision_next_to_the_current_one_and_the_report_names_the_pin()
    {
        var store = new InMemorySecretStore();
        await store.SetAsync(new SecretId("App", "Db"), "old-value");
        await store.SetAsync(new SecretId("App", "Db"), "new-value");
        var file = _temp.Write("appsettings.json", """{ "Pinned": "#{secret:Db@1}", "Current": "#{secret:Db}", "Again": "#{secret:App/Db@1}" }""");

        var result = await ResolverHarness.RunAsync(store, [file]);

        ResolverHarness.AssertSucceeded(result);
        Assert.Equal("""{ "Pinned": "old-value", "Current": "new-value", "Again": "old-value" }""", File.ReadAllText(file));
        Assert.Equal([("Db", (long?)null), ("Db", 1L)], result.Report.RequiredSecrets.Select(r => (r.Name, r.Revision)));
        Assert.Equal([1L, 2L, 1L], result.Report.Files[0].Placeholders.Select(p => p.Revision!.Value));
        Assert.Single(store.GetManyCalls);
    }

    [Theory]
    [InlineData("#{secret:Db@5}")]
    [InlineData("#{secret:Db@2|optional}")]
    public async Task A_revision_the_store_does_not_keep_is_SSB2019_at_the_placeholder_and_no_file_is_written(string placeholder)
    {
        var store = new InMemorySecretStore();
        await store.SetAsync(new SecretId("App", "Db"), "value-1");
        await store.DeleteAsync(new SecretId("App", "Db"));
        var good = _temp.Write("good.json", """{ "A": "#{secret:Db@1}" }""");
        var bad = _temp.Write("bad.json", $$"""{ "A": "x",{{"\n"}}  "B": "{{placeholder}}" }""");
        var before = (File.ReadAllBytes(good), File.ReadAllBytes(bad));

        var result = await ResolverHarness.RunAsync(store, [good, bad], configure: r => new ResolveRequest { Files = r.Files, DefaultApplication = r.DefaultApplication, AllowOptional = true });

        var error = ResolverHarness.SingleError(result);
        Assert.Equal(DiagnosticCodes.RevisionNotFound, error.Code);
        Assert.Equal((bad, 2), (error.FilePath, error.Line));
        Assert.Contains($"Placeholder '{placeholder}': revision", error.Message, StringComparison.Ordinal);
        Assert.Contains("of secret 'App/Db' is not kept by the store", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("value-1", error.Message, StringComparison.Ordinal);
        Assert.Equal(before.Item1, File.ReadAllBytes(good));
        Assert.Equal(before.Item2, File.ReadAllBytes(bad));
    }

    [Fact]
    public async Task A_mapping_can_pin_a_revision()
    {
        var store = new InMemorySecretStore();
        await store.SetAsync(new SecretId("App", "Db"), "old-value");
        await store.SetAsync(new SecretId("App", "Db"), "new-value");
        var file = _temp.Write("appsettings.json", """{ "ConnectionStrings": { "Default": "placeholder" } }""");

        var result = await ResolverHarness.RunAsync(store, [file], configure: r => new ResolveRequest { Files = r.Files, DefaultApplication = r.DefaultApplication, Mappings = [new SecretMapping { ConfigurationPath = "ConnectionStrings:Default", Secret = "Db@1" }] });

        ResolverHarness.AssertSucceeded(result);
        Assert.Equal("""{ "ConnectionStrings": { "Default": "old-value" } }""", File.ReadAllText(file));
    }
}

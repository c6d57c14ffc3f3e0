using System.Diagnostics;
using System.Text;
using SecretStore.Diagnostics;
using SecretStore.Hardening.Tests.Support;
using SecretStore.Keys.Rsa;
using SecretStore.Testing.Repositories;
using SecretStore.Resolution;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Testing.Canaries;

namespace SecretStore.Hardening.Tests.Catalogue;

/// <summary>
/// Hostile target files for the resolver: links, files that were never valid, DTDs, deep nesting, thousands of
/// placeholders, placeholders in comments, names with separators and NUL. Each case pins its outcome; a failed
/// resolve leaves every file byte-identical and no diagnostic carries a value.
/// </summary>
public sealed class ResolverCatalogueTests : IClassFixture<KeyringFixture>, IDisposable
{
    private const string App = "acme-web";
    private const string Value = "resolver-canary P@ss\"word <&> ]]> -- 0123456789";
    private readonly RsaKeyring _keyring;
    private readonly EnvelopeSecretStore _store;
    private readonly TempDirectory _tree = new();
    private readonly CanaryScanner _canaries = new(Value);

    public ResolverCatalogueTests(KeyringFixture fixture)
    {
        _keyring = RsaKeyring.Load(fixture.KeyringPath);
        _store = new EnvelopeSecretStore(new InMemorySecretRepository(), new RsaKeyManager(_keyring), new EnvelopeSecretStoreOptions { DefaultKeyId = KeyringFixture.KeyId });
        _store.SetAsync(new SecretId(App, "Db"), Value).GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        _tree.Dispose();
        _keyring.Dispose();
    }

    [Fact]
    public async Task Symlinked_target_file_is_refused_with_SSB1017_and_neither_link_nor_target_changes()
    {
        var real = _tree.Write("outside/appsettings.json", """{ "Db": "#{secret:Db}" }""");
        var link = Path.Combine(_tree.Path, "publish", "appsettings.json");
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        File.CreateSymbolicLink(link, real);
        var before = File.ReadAllBytes(real);

        var result = await ResolveAsync(link);

        Assert.Equal("SSB1017", SingleError(result).Code.Id);
        Assert.Equal(real, new FileInfo(link).LinkTarget);
        Assert.Equal(before, File.ReadAllBytes(real));
    }

    [Theory]
    [InlineData("appsettings.json", "{ \"Db\": \"#{secret:Db}\", ")]
    [InlineData("appsettings.json", "{ \"Db\": \"#{secret:Db}\" } trailing")]
    [InlineData("appsettings.json", "\"#{secret:Db}\" \"#{secret:Db}\"")]
    [InlineData("web.config", "<configuration><add value=\"#{secret:Db}\"></configuration>")]
    [InlineData("web.config", "<a x=\"#{secret:Db}\"/><b/>")]
    [InlineData("web.config", "<a>#{secret:Db}</a><")]
    public async Task Config_file_that_was_not_valid_to_begin_with_is_a_coded_error_and_unchanged(string name, string content)
    {
        var path = _tree.Write(name, content);

        var result = await ResolveAsync(path);

        AssertFailedWithoutChange(result, path, content, "SSB1012");
    }

    [Fact]
    public async Task Deeply_nested_JSON_is_a_coded_error_not_a_stack_overflow_and_unchanged()
    {
        var content = new string('[', 100_000) + "\"#{secret:Db}\"" + new string(']', 100_000);
        var path = _tree.Write("deep.json", content);

        var result = await ResolveAsync(path);

        AssertFailedWithoutChange(result, path, content, "SSB1012");
    }

    [Fact]
    public async Task JSON_nested_within_the_parser_limit_resolves()
    {
        var path = _tree.Write("nested.json", new string('[', 200) + "\"#{secret:Db}\"" + new string(']', 200));

        var result = await ResolveAsync(path);

        AssertSucceeded(result);
        var element = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path), new System.Text.Json.JsonDocumentOptions { MaxDepth = 256 }).RootElement;
        while (element.ValueKind == System.Text.Json.JsonValueKind.Array)
        {
            element = element[0];
        }

        Assert.Equal(Value, element.GetString());
    }

    [Theory]
    [InlineData("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\"><!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]><a v=\"#{secret:Db}\">&lol3;</a>")]
    [InlineData("<!DOCTYPE a SYSTEM \"file:///etc/passwd\"><a>#{secret:Db}</a>")]
    [InlineData("<a><!ENTITY x \"y\"><b>#{secret:Db}</b></a>")]
    public async Task XML_with_a_DTD_or_entity_declaration_is_refused_SSB_and_unchanged(string content)
    {
        var path = _tree.Write("web.config", content);

        var result = await ResolveAsync(path);

        AssertFailedWithoutChange(result, path, content, "SSB1016");
    }

    [Fact]
    public async Task Placeholders_in_JSON_and_XML_comments_are_left_alone_and_the_real_site_is_resolved()
    {
        var json = _tree.Write("appsettings.json", "{\n  // #{secret:Db}\n  /* #{secret:Missing} */\n  \"Db\": \"#{secret:Db}\"\n}\n");
        var xml = _tree.Write("web.config", "<configuration>\n  <!-- #{secret:Db} #{secret:Missing} -->\n  <add value=\"#{secret:Db}\"/>\n</configuration>\n");

        var result = await ResolveAsync(json, xml);

        AssertSucceeded(result);
        Assert.Contains("// #{secret:Db}", File.ReadAllText(json), StringComparison.Ordinal);
        Assert.Contains("/* #{secret:Missing} */", File.ReadAllText(json), StringComparison.Ordinal);
        Assert.Contains("<!-- #{secret:Db} #{secret:Missing} -->", File.ReadAllText(xml), StringComparison.Ordinal);
        var options = new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip };
        Assert.Equal(Value, System.Text.Json.JsonDocument.Parse(File.ReadAllText(json), options).RootElement.GetProperty("Db").GetString());
        Assert.Equal(Value, System.Xml.Linq.XDocument.Load(xml).Root!.Element("add")!.Attribute("value")!.Value);
    }

    [Theory]
    [InlineData("a/b", @"a\/b")]
    [InlineData("a}b", @"a\}b")]
    [InlineData("a|b", @"a\|b")]
    [InlineData("a\\b", @"a\\b")]
    public async Task Names_with_separators_round_trip_through_store_and_placeholder(string name, string escaped)
    {
        await _store.SetAsync(new SecretId(App, name), Value + name);
        var path = _tree.Write("x.txt", $"v=#{{secret:{App}/{escaped}}}");

        var result = await ResolveAsync(path);

        AssertSucceeded(result);
        Assert.Equal("v=" + Value + name, File.ReadAllText(path));
    }

    [Fact]
    public async Task Name_with_NUL_round_trips_in_the_store_and_as_a_placeholder()
    {
        var id = new SecretId(App, "nul\0name");
        await _store.SetAsync(id, Value + "-nul");
        var path = _tree.Write("x.txt", "v=#{secret:acme-web/nul\0name}");

        var result = await ResolveAsync(path);

        Assert.Equal(Value + "-nul", (await _store.GetAsync(id)).Value);
        AssertSucceeded(result);
        Assert.Equal("v=" + Value + "-nul", File.ReadAllText(path));
    }

    [Fact]
    public async Task File_store_keeps_names_with_separators_and_NUL_apart()
    {
        using var store = new KeyringFixtureStore(_keyring, Path.Combine(_tree.Path, "secrets.json"));
        string[] names = ["a/b", "a}b", "a|b", "a\0b", "a", "a\\0b"];
        foreach (var name in names)
        {
            await store.Store.SetAsync(new SecretId(App, name), Value + name);
        }

        foreach (var name in names)
        {
            Assert.Equal(Value + name, (await store.Store.GetAsync(new SecretId(App, name))).Value);
        }
    }

    [Fact]
    public async Task Ten_thousand_placeholders_resolve_in_one_pass()
    {
        for (var i = 0; i < 100; i++)
        {
            await _store.SetAsync(new SecretId(App, $"s{i}"), $"{Value}-{i}");
        }

        var text = new StringBuilder();
        for (var i = 0; i < 10_000; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"k{i}=#{{secret:s{i % 100}}}\n");
        }

        var path = _tree.Write("many.txt", text.ToString());
        var watch = Stopwatch.StartNew();

        var result = await ResolveAsync(path);

        AssertSucceeded(result);
        Assert.Equal(10_000, result.PlaceholderCount);
        Assert.DoesNotContain("#{secret:", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Failed_resolve_with_a_missing_secret_leaves_all_files_byte_identical_and_no_leftovers()
    {
        var files = Enumerable.Range(0, 10).Select(i => _tree.Write($"f{i}.json", $$"""{ "Db": "#{secret:Db}", "i": {{i}} }""")).ToList();
        files.Add(_tree.Write("last.json", """{ "Db": "#{secret:Missing}" }"""));
        var before = files.ToDictionary(f => f, File.ReadAllBytes);

        var result = await ResolveAsync([.. files]);

        Assert.False(result.Succeeded);
        Assert.All(files, f => Assert.Equal(before[f], File.ReadAllBytes(f)));
        Assert.Equal(files.Count, Directory.GetFiles(_tree.Path, "*", SearchOption.AllDirectories).Length);
        (await _canaries.ScanDirectoryAsync(_tree.Path)).ShouldBeEmpty();
        _canaries.Scan(string.Join("\n", result.Diagnostics), "diagnostics").ShouldBeEmpty();
    }

    private async Task<ResolveResult> ResolveAsync(params string[] files)
    {
        var result = await new SecretResolver(_store).ResolveAsync(new ResolveRequest { Files = files, DefaultApplication = App });
        _canaries.Scan(string.Join("\n", result.Diagnostics), "diagnostics").ShouldBeEmpty();
        return result;
    }

    private void AssertFailedWithoutChange(ResolveResult result, string path, string content, string code)
    {
        // The one code the catalogue documents for the case (docs/diagnostics.md), not just any SSB code.
        Assert.False(result.Succeeded);
        Assert.Equal([(code, path)], result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => (d.Code.Id, d.FilePath)));
        Assert.Equal(Encoding.UTF8.GetBytes(content), File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    private static Diagnostic SingleError(ResolveResult result) =>
        Assert.Single(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);

    private static void AssertSucceeded(ResolveResult result) =>
        Assert.True(result.Succeeded, "Diagnostics: " + string.Join(" | ", result.Diagnostics));

    /// <summary>A file store over the fixture's keyring.</summary>
    private sealed class KeyringFixtureStore(RsaKeyring keyring, string path) : IDisposable
    {
        public EnvelopeSecretStore Store { get; } = new(
            new Repositories.File.FileSecretRepository(path), new RsaKeyManager(keyring), new EnvelopeSecretStoreOptions { DefaultKeyId = KeyringFixture.KeyId });

        public void Dispose() => Store.Dispose();
    }
}

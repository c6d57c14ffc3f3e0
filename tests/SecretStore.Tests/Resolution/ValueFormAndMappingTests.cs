using System.Text;
using SecretStore.Resolution;
using SecretStore.Secrets;
using static SecretStore.Tests.Resolution.ResolverHarness;

namespace SecretStore.Tests.Resolution;

/// <summary>
/// The exact value forms handed to <see cref="ResolveRequest.BeforeWrite"/> (order, lines, Base64), and which files
/// and XML elements a structured mapping selects.
/// </summary>
public sealed class ValueFormAndMappingTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private static string B64(string value) => Convert.ToBase64String(Encoding.UTF8.GetBytes(value));

    private async Task<ResolvedValueForms> FormsOf(InMemorySecretStore store, params string[] files)
    {
        ResolvedValueForms? forms = null;
        var result = await RunAsync(store, files, configure: r => new ResolveRequest { Files = r.Files, DefaultApplication = App, BeforeWrite = f => forms = f });
        AssertSucceeded(result);
        return forms!;
    }

    [Fact]
    public async Task Forms_are_longest_first_then_ordinal_and_grouped_by_secret_in_application_then_name_order()
    {
        var path = _folder.Write("a.txt", "A=#{secret:Zed}\nB=#{secret:Other/Aa}\nC=#{secret:Ab}\nD=#{secret:Empty}\n");
        var store = new InMemorySecretStore().With(App, "Zed", "bb").With("Other", "Aa", "ab").With(App, "Ab", "ccc").With(App, "Empty", string.Empty);

        var forms = await FormsOf(store, path);

        Assert.Equal(["Y2Nj", "YWI=", "YmI=", "ccc", "ab", "bb"], forms.Forms);
        Assert.Equal([new SecretId(App, "Ab"), new SecretId(App, "Empty"), new SecretId(App, "Zed"), new SecretId("Other", "Aa")], forms.FormsBySecret.Keys);
        Assert.Equal(["Y2Nj", "ccc"], forms.FormsBySecret[new SecretId(App, "Ab")]);
        Assert.Empty(forms.FormsBySecret[new SecretId(App, "Empty")]);
        Assert.Equal("6 value forms of 4 secrets (redacted)", forms.ToString());
    }

    [Fact]
    public async Task Each_line_of_a_multi_line_value_is_a_form_whatever_its_line_breaks()
    {
        var path = _folder.Write("a.json", "{\"A\": \"#{secret:Db}\"}");
        const string value = "\nxx\ryy\r\nzz";

        var forms = await FormsOf(new InMemorySecretStore().With(App, "Db", value), path);

        Assert.Equal([B64(value), "\\nxx\\ryy\\r\\nzz", value, "xx", "yy", "zz"], forms.Forms);
    }

    [Fact]
    public async Task A_value_written_as_base64_has_its_clear_and_written_forms_only()
    {
        var path = _folder.Write("a.txt", "A=#{secret:Db|base64}\n");

        var forms = await FormsOf(new InMemorySecretStore().With(App, "Db", "abc"), path);

        Assert.Equal(["YWJj", "abc"], forms.Forms);
    }

    [Fact]
    public void The_forms_of_a_printed_value_are_the_value_its_lines_and_its_base64()
    {
        var forms = ResolvedValueForms.OfPrintedValue(new SecretId(App, "Db"), "a1\nb2");

        Assert.Equal(["YTEKYjI=", "a1\nb2", "a1", "b2"], forms.Forms);
        Assert.Equal("4 value forms of 1 secrets (redacted)", forms.ToString());
        Assert.Equal("value", Assert.Throws<ArgumentNullException>(() => ResolvedValueForms.OfPrintedValue(new SecretId(App, "Db"), null!)).ParamName);
    }

    [Fact]
    public void A_mapping_shows_its_path_and_secret()
    {
        Assert.Equal("ConnectionStrings:Db <- App/Db", new SecretMapping { ConfigurationPath = "ConnectionStrings:Db", Secret = "App/Db" }.ToString());
    }

    [Fact]
    public async Task A_mapping_selects_a_file_by_its_full_path_and_by_its_name_ignoring_case()
    {
        var byPath = _folder.Write("one/appsettings.json", "{\"A\": \"x\"}");
        var byName = _folder.Write("two/AppSettings.Prod.json", "{\"A\": \"x\"}");
        var neither = _folder.Write("three/other.json", "{\"A\": \"x\"}");

        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "v").With(App, "Name", "n"), [byPath, byName, neither], configure: r => new ResolveRequest
        {
            Files = r.Files,
            DefaultApplication = App,
            Mappings = [new SecretMapping { File = byPath, ConfigurationPath = "A", Secret = "Db" }, new SecretMapping { File = "appsettings.prod.JSON", ConfigurationPath = "A", Secret = "Name" }],
        });

        AssertSucceeded(result);
        Assert.Equal("{\"A\": \"v\"}", _folder.Read("one/appsettings.json"));
        Assert.Equal("{\"A\": \"n\"}", _folder.Read("two/AppSettings.Prod.json"));
        Assert.Equal("{\"A\": \"x\"}", _folder.Read("three/other.json"));
    }

    [Fact]
    public async Task An_xml_mapping_writes_only_the_add_element_of_its_key_under_appSettings()
    {
        const string Xml = "<configuration><other><add key=\"K\" value=\"o\" /></other><appSettings><add key=\"Z\" value=\"z\" /><add key=\"K\" value=\"k\" /><add name=\"K\" value=\"n\" /></appSettings></configuration>";
        var path = _folder.Write("web.config", Xml);

        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "v"), [path], configure: r => new ResolveRequest
        {
            Files = r.Files,
            DefaultApplication = App,
            Mappings = [new SecretMapping { ConfigurationPath = "AppSettings:K", Secret = "Db" }],
        });

        AssertSucceeded(result);
        Assert.Equal(Xml.Replace("value=\"k\"", "value=\"v\"", StringComparison.Ordinal), _folder.Read("web.config"));
    }
}

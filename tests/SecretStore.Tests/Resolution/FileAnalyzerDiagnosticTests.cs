using System.Text;
using SecretStore.Diagnostics;
using SecretStore.Resolution;
using SecretStore.Resolution.Formats;
using SecretStore.Resolution.Reporting;
using SecretStore.Resolution.Text;
using static SecretStore.Tests.Resolution.ResolverHarness;

namespace SecretStore.Tests.Resolution;

/// <summary>
/// The exact codes, messages and positions of what the analysis of one file refuses before anything is fetched,
/// and that a refused file has none of its secrets fetched.
/// </summary>
public sealed class FileAnalyzerDiagnosticTests : IDisposable
{
    private readonly TempDirectory _folder = new();
    private readonly TempDirectory _elsewhere = new();

    public void Dispose()
    {
        _folder.Dispose();
        _elsewhere.Dispose();
    }

    private static InMemorySecretStore Store() => new InMemorySecretStore().With(App, "Db", "v").With(App, "Other", "o");

    private static Func<ResolveRequest, ResolveRequest> WithMappings(params SecretMapping[] mappings) =>
        r => new ResolveRequest { Files = r.Files, DefaultApplication = App, Mode = r.Mode, Mappings = mappings };

    private static (string Code, string Message, int Line, int Column) Shape(Diagnostic d) => (d.Code.Id, d.Message, d.Line, d.Column);

    [Fact]
    public async Task Invalid_utf8_is_SSB1011_naming_the_offset_and_the_line_of_the_bad_byte()
    {
        var path = _folder.Write("a.txt", [.. "A=1\nB=#{secret:Db}\n"u8, 0xC3, 0x28]);

        var result = await RunAsync(Store(), [path], ResolveMode.Verify);

        var error = SingleError(result);
        Assert.Equal((DiagnosticCodes.InvalidEncoding.Id, "The file is not valid UTF-8 (first invalid byte at offset 19); it is not rewritten with a lossy fallback.", 3, 0), Shape(error));
        Assert.Empty(result.Report.Files[0].Placeholders);
    }

    [Theory]
    [InlineData(true, "UTF-16 LE")]
    [InlineData(false, "UTF-16 BE")]
    public async Task Invalid_utf16_is_SSB1011_naming_the_encoding_without_a_line(bool littleEndian, string described)
    {
        var encoding = new UnicodeEncoding(!littleEndian, true);
        byte[] loneSurrogate = littleEndian ? [0x00, 0xD8] : [0xD8, 0x00];
        var path = _folder.Write("a.txt", [.. encoding.GetPreamble(), .. encoding.GetBytes("A\n\n\nB=#{secret:Db}\n"), .. loneSurrogate, .. encoding.GetBytes("x")]);

        var result = await RunAsync(Store(), [path], ResolveMode.Verify);

        var error = SingleError(result);
        Assert.Equal((DiagnosticCodes.InvalidEncoding.Id, $"The file is not valid {described} (first invalid byte at offset 42); it is not rewritten with a lossy fallback.", 0, 0), Shape(error));
    }

    [Fact]
    public async Task Utf16_bytes_that_hold_the_marker_only_at_an_odd_offset_are_not_analyzed_further()
    {
        // The bytes "#\0{\0s\0..." start at an odd offset: the characters are U+2341 U+7B00 ..., no placeholder.
        var body = new List<byte> { 0xFF, 0xFE, 0x41 };
        foreach (var c in "#{secret")
        {
            body.Add((byte)c);
            body.Add(0);
        }

        body.Add(0x41);
        var path = _folder.Write("a.txt", [.. body]);

        var result = await RunAsync(Store(), [path], ResolveMode.Verify);

        AssertSucceeded(result);
        var file = Assert.Single(result.Report.Files);
        Assert.Equal((TextEncodingKind?)TextEncodingKind.Utf16LittleEndian, file.Encoding);
        Assert.Null(file.Format);
    }

    [Fact]
    public async Task A_listed_symbolic_link_to_a_file_is_SSB1017_and_nothing_is_read_or_fetched()
    {
        var target = _elsewhere.Write("a.txt", "A=#{secret:Db}");
        var link = _folder.Combine("link.txt");
        File.CreateSymbolicLink(link, target);
        var store = Store();

        // A mapping that selects the file would report it as plain text if the link were read any further.
        var result = await RunAsync(store, [link], configure: WithMappings(new SecretMapping { File = "link.txt", ConfigurationPath = "A", Secret = "Other" }));

        var error = SingleError(result);
        Assert.Equal((DiagnosticCodes.UnsupportedFile.Id, "The file is a symbolic link; resolve the file it points to instead (a link is never followed, so a secret cannot be written outside the listed tree).", link), (error.Code.Id, error.Message, error.FilePath));
        Assert.Empty(store.GetManyCalls);
        Assert.Equal("A=#{secret:Db}", _elsewhere.Read("a.txt"));
    }

    [Fact]
    public async Task A_path_through_a_linked_folder_is_SSB1018_and_the_file_is_neither_read_nor_fetched()
    {
        _elsewhere.Write("a.txt", "A=#{secret:Db}");
        Directory.CreateSymbolicLink(_folder.Combine("sub"), _elsewhere.Path);
        var store = Store();

        var result = await RunAsync(store, [_folder.Combine("sub/a.txt")], configure: r => new ResolveRequest { Files = r.Files, DefaultApplication = App, BaseDirectory = _folder.Path, Mappings = [new SecretMapping { File = "a.txt", ConfigurationPath = "A", Secret = "Other" }] });

        Assert.Equal("SSB1018", SingleError(result).Code.Id);
        Assert.Empty(store.GetManyCalls);
        Assert.Null(result.Report.Files[0].Encoding);
        Assert.Equal(0, result.FilesScanned);
    }

    [Fact]
    public async Task A_listed_directory_is_SSB1017_and_a_missing_file_is_SSB1009()
    {
        var directory = _folder.Combine("dir");
        Directory.CreateDirectory(directory);
        var missing = _folder.Combine("missing.txt");

        var result = await RunAsync(Store(), [directory, missing], ResolveMode.Verify, WithMappings(new SecretMapping { File = "*", ConfigurationPath = "A", Secret = "Other" }));

        Assert.Equal(
            [(DiagnosticCodes.UnsupportedFile.Id, "The listed path is a directory, not a file.", directory), (DiagnosticCodes.FileNotFound.Id, "The listed file does not exist.", missing)],
            result.Diagnostics.Select(d => (d.Code.Id, d.Message, d.FilePath)));
    }

    [Fact]
    public async Task An_xml_dtd_is_SSB1016_at_the_declaration()
    {
        var path = _folder.Write("a.xml", "<?xml version=\"1.0\"?>\n  <!DOCTYPE a>\n<a>#{secret:Db}</a>");

        var result = await RunAsync(Store(), [path], ResolveMode.Verify);

        Assert.Equal((DiagnosticCodes.DtdProhibited.Id, "The XML document has a DTD (<!DOCTYPE or another <! declaration); such files are not processed.", 2, 3), Shape(SingleError(result)));
    }

    [Fact]
    public async Task A_placeholder_running_past_its_json_string_is_SSB1001_shown_up_to_the_quote()
    {
        var path = _folder.Write("a.json", "{\"a\": \"#{secret:Db\", \"b\": \"x}\"}");

        var result = await RunAsync(Store(), [path], ResolveMode.Verify);

        Assert.Equal((DiagnosticCodes.UnterminatedPlaceholder.Id, "Placeholder '#{secret:Db' is not closed with '}' within its JSON string.", 1, 8), Shape(SingleError(result)));
    }

    [Fact]
    public async Task A_placeholder_whose_name_starts_with_a_quote_past_its_json_string_shows_only_the_prefix()
    {
        var path = _folder.Write("a.json", "{\"a\": \"#{secret:\", \"b\": \"x}\"}");

        var result = await RunAsync(Store(), [path], ResolveMode.Verify);

        Assert.Equal((DiagnosticCodes.UnterminatedPlaceholder.Id, "Placeholder '#{secret:' is not closed with '}' within its JSON string.", 1, 8), Shape(SingleError(result)));
    }

    [Fact]
    public async Task A_placeholder_in_a_json_property_name_is_refused_with_its_site_reason()
    {
        var path = _folder.Write("a.json", "{\"#{secret:Db}\": 1}");

        var result = await RunAsync(Store(), [path], ResolveMode.Verify);

        Assert.Equal((DiagnosticCodes.ValueNotAllowedInContext.Id, "Placeholder '#{secret:Db}' cannot be substituted here: it is inside a JSON property name; a secret must not add or rename a key.", 1, 3), Shape(SingleError(result)));
    }

    [Fact]
    public async Task A_mapping_that_selects_a_plain_text_file_is_SSB1014()
    {
        var path = _folder.Write("a.txt", "A=#{secret:Db}");

        var result = await RunAsync(Store(), [path], ResolveMode.Verify, WithMappings(new SecretMapping { File = "a.txt", ConfigurationPath = "A", Secret = "Other" }));

        var error = SingleError(result);
        Assert.Equal((DiagnosticCodes.MappingPathNotFound.Id, "Mapping 'A' selects this file, but structured mappings apply to JSON, XML, INI and YAML config files only.", path), (error.Code.Id, error.Message, error.FilePath));
    }

    [Fact]
    public async Task A_mapping_for_every_file_skips_plain_text_files_silently()
    {
        var text = _folder.Write("a.txt", "A=#{secret:Db}");
        var json = _folder.Write("a.json", "{\"A\": \"x\"}");

        var result = await RunAsync(Store(), [text, json], configure: WithMappings(new SecretMapping { ConfigurationPath = "A", Secret = "Other" }));

        AssertSucceeded(result);
        Assert.Equal("A=v", _folder.Read("a.txt"));
        Assert.Equal("{\"A\": \"o\"}", _folder.Read("a.json"));
    }

    [Fact]
    public async Task A_file_mapping_whose_path_is_missing_in_json_is_SSB1014_for_that_file()
    {
        var path = _folder.Write("appsettings.json", "{\"A\": \"x\"}");

        var result = await RunAsync(Store(), [path], ResolveMode.Verify, WithMappings(new SecretMapping { File = "appsettings.json", ConfigurationPath = "B", Secret = "Other" }));

        var error = SingleError(result);
        Assert.Equal((DiagnosticCodes.MappingPathNotFound.Id, "Mapping 'B' -> 'App/Other': the path does not exist in this file as a string value.", path), (error.Code.Id, error.Message, error.FilePath));
    }

    [Fact]
    public async Task A_file_mapping_whose_path_is_missing_in_xml_is_SSB1014_naming_the_xml_targets()
    {
        var path = _folder.Write("web.config", "<configuration><appSettings><add key=\"A\" value=\"x\" /></appSettings></configuration>");

        var result = await RunAsync(Store(), [path], ResolveMode.Verify, WithMappings(new SecretMapping { File = "web.config", ConfigurationPath = "B", Secret = "Other" }));

        var error = SingleError(result);
        Assert.Equal((DiagnosticCodes.MappingPathNotFound.Id, "Mapping 'B' -> 'App/Other': the path does not exist in this file as a string value (connectionStrings/add[@name]/@connectionString or appSettings/add[@key]/@value).", path), (error.Code.Id, error.Message, error.FilePath));
    }

    [Fact]
    public async Task A_mapping_onto_a_value_that_holds_a_placeholder_is_SSB1005_at_the_value()
    {
        var path = _folder.Write("a.json", "{\n  \"A\": \"x#{secret:Db}y\"\n}");

        var result = await RunAsync(Store(), [path], ResolveMode.Verify, WithMappings(new SecretMapping { ConfigurationPath = "A", Secret = "Other" }));

        Assert.Equal((DiagnosticCodes.ValueNotAllowedInContext.Id, "Mapping 'A' targets a value that also holds a placeholder; use one or the other.", 2, 9), Shape(SingleError(result)));
        Assert.Equal([PlaceholderSource.Placeholder], result.Report.Files[0].Placeholders.Select(p => p.Source));
    }

    [Fact]
    public async Task A_mapping_beside_a_placeholder_resolves_both_and_the_store_error_names_the_first_in_the_file()
    {
        var path = _folder.Write("a.json", "{\"A\": \"x\", \"B\": \"#{secret:Db}\"}");
        var store = Store();
        store.FailingApplications[App] = new SecretStoreException(DiagnosticCodes.AccessDenied, "Denied.");

        var result = await RunAsync(store, [path], configure: WithMappings(new SecretMapping { ConfigurationPath = "A", Secret = "Other" }));

        Assert.Equal((DiagnosticCodes.AccessDenied.Id, "Secrets of application 'App' (2 named, first: placeholder mapping 'A') could not be read: Denied.", 1, 8), Shape(SingleError(result)));

        var ok = await RunAsync(Store(), [path], configure: WithMappings(new SecretMapping { ConfigurationPath = "A", Secret = "Other" }));
        AssertSucceeded(ok);
        Assert.Equal("{\"A\": \"o\", \"B\": \"v\"}", _folder.Read("a.json"));
    }

    [Fact]
    public async Task An_optional_mapping_whose_secret_is_missing_is_a_SSB1013_warning_naming_the_mapping()
    {
        var path = _folder.Write("a.json", "{\"A\": \"x\"}");

        var result = await RunAsync(Store(), [path], configure: WithMappings(new SecretMapping { ConfigurationPath = "A", Secret = "Missing", Optional = true }));

        AssertSucceeded(result);
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal((DiagnosticCodes.OptionalSecretMissing.Id, DiagnosticSeverity.Warning, "Mapping 'A': optional secret 'App/Missing' was not found; the file keeps its text.", 1, 8), (warning.Code.Id, warning.Severity, warning.Message, warning.Line, warning.Column));
        Assert.Equal("{\"A\": \"x\"}", _folder.Read("a.json"));
    }

    [Fact]
    public async Task An_applicable_mapping_on_invalid_json_without_a_target_reports_only_the_missed_mapping()
    {
        var path = _folder.Write("a.json", "{\"A\": 1,,");

        var result = await RunAsync(Store(), [path], ResolveMode.Verify, WithMappings(new SecretMapping { ConfigurationPath = "B", Secret = "Other" }));

        Assert.Equal(DiagnosticCodes.MappingPathNotFound.Id, SingleError(result).Code.Id);
    }

    [Fact]
    public async Task Invalid_json_around_a_placeholder_is_SSB1012_and_nothing_is_fetched()
    {
        var path = _folder.Write("a.json", "{\"A\": \"#{secret:Db}\",,\n}");
        var store = Store();

        var result = await RunAsync(store, [path]);

        Assert.Equal((DiagnosticCodes.InvalidDocument.Id, "The file is not valid JSON (comments and trailing commas are allowed).", 1, 22), Shape(SingleError(result)));
        Assert.Empty(store.GetManyCalls);
        Assert.False(result.Report.Files[0].Changed);
    }

    [Fact]
    public async Task Malformed_xml_around_a_placeholder_is_SSB1012_and_nothing_is_fetched()
    {
        var path = _folder.Write("a.xml", "<a p=\"#{secret:Db}\"><b></a>");
        var store = Store();

        var result = await RunAsync(store, [path]);

        Assert.Equal((DiagnosticCodes.InvalidDocument.Id, "The file is not well-formed XML.", 1, 26), Shape(SingleError(result)));
        Assert.Empty(store.GetManyCalls);
        Assert.False(result.Report.Files[0].Changed);
    }
}

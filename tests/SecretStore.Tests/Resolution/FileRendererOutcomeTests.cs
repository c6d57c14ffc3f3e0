using SecretStore.Diagnostics;
using SecretStore.Resolution;
using SecretStore.Resolution.Reporting;
using static SecretStore.Tests.Resolution.ResolverHarness;

namespace SecretStore.Tests.Resolution;

/// <summary>
/// What the renderer makes of one planned file: the exact diagnostics of a value that cannot be written, and that
/// a file with any such failure is left unrendered (not changed, nothing written).
/// </summary>
public sealed class FileRendererOutcomeTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private static (string Code, string Message, int Line, int Column) Shape(Diagnostic d) => (d.Code.Id, d.Message, d.Line, d.Column);

    [Fact]
    public async Task Two_missing_secrets_beside_a_found_one_are_two_SSB2001_and_the_file_is_not_changed()
    {
        var path = _folder.Write("a.txt", "A=#{secret:Db}\nB=#{secret:M1}\nC=#{secret:M2}\n");

        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "v"), [path], ResolveMode.Verify);

        Assert.Equal(
            [(DiagnosticCodes.SecretNotFound.Id, "Placeholder '#{secret:M1}': secret 'App/M1' was not found. Fix: secretstore set App/M1, or mark the placeholder |optional.", 2, 3), (DiagnosticCodes.SecretNotFound.Id, "Placeholder '#{secret:M2}': secret 'App/M2' was not found. Fix: secretstore set App/M2, or mark the placeholder |optional.", 3, 3)],
            result.Diagnostics.Select(Shape));
        Assert.False(result.Report.Files[0].Changed);
        Assert.Equal([PlaceholderOutcome.Resolved, PlaceholderOutcome.Failed, PlaceholderOutcome.Failed], result.Report.Files[0].Placeholders.Select(p => p.Outcome));
    }

    [Fact]
    public async Task One_missing_secret_beside_a_found_one_leaves_the_file_unchanged()
    {
        var path = _folder.Write("a.txt", "A=#{secret:Db}\nB=#{secret:M1}\n");

        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "v"), [path]);

        Assert.Equal(DiagnosticCodes.SecretNotFound.Id, SingleError(result).Code.Id);
        Assert.False(result.Report.Files[0].Changed);
        Assert.Equal("A=#{secret:Db}\nB=#{secret:M1}\n", _folder.Read("a.txt"));
    }

    [Fact]
    public async Task An_optional_secret_not_allowed_in_the_run_is_SSB2001_saying_so()
    {
        var path = _folder.Write("a.txt", "A=#{secret:M1|optional}\n");

        var result = await RunAsync(new InMemorySecretStore(), [path], ResolveMode.Verify, r => new ResolveRequest { Files = r.Files, DefaultApplication = App, Mode = ResolveMode.Verify, AllowOptional = false });

        Assert.Equal((DiagnosticCodes.SecretNotFound.Id, "Placeholder '#{secret:M1|optional}': secret 'App/M1' was not found (optional secrets are not allowed in this run). Fix: secretstore set App/M1.", 1, 3), Shape(SingleError(result)));
    }

    [Fact]
    public async Task An_optional_placeholder_whose_secret_is_missing_is_a_SSB1013_warning_and_the_file_keeps_its_text()
    {
        var path = _folder.Write("a.txt", "A=#{secret:M1|optional}\n");

        var result = await RunAsync(new InMemorySecretStore(), [path]);

        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal((DiagnosticCodes.OptionalSecretMissing.Id, "Placeholder '#{secret:M1|optional}': optional secret 'App/M1' was not found; the file keeps its text.", 1, 3), Shape(warning));
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Equal("A=#{secret:M1|optional}\n", _folder.Read("a.txt"));
    }

    [Fact]
    public async Task A_failed_application_beside_a_found_secret_of_another_leaves_the_file_unchanged()
    {
        var store = new InMemorySecretStore().With("Other", "Key", "k").With(App, "Db", "v");
        store.FailingApplications[App] = new SecretStoreException(DiagnosticCodes.AccessDenied, "Denied.");
        var path = _folder.Write("a.txt", "A=#{secret:Db}\nB=#{secret:Other/Key}\n");

        var result = await RunAsync(store, [path], ResolveMode.Verify);

        Assert.Equal(DiagnosticCodes.AccessDenied.Id, SingleError(result).Code.Id);
        Assert.False(result.Report.Files[0].Changed);
        Assert.Equal([PlaceholderOutcome.Failed, PlaceholderOutcome.Resolved], result.Report.Files[0].Placeholders.Select(p => p.Outcome));
    }

    [Fact]
    public async Task A_value_that_cannot_be_escaped_for_its_context_is_refused_with_the_escaper_reason()
    {
        var path = _folder.Write("a.xml", "<a><![CDATA[#{secret:Db}]]>#{secret:Ok}</a>");

        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "x]]>y").With(App, "Ok", "k"), [path], ResolveMode.Verify);

        Assert.Equal((DiagnosticCodes.CDataTerminatorInValue.Id, "Placeholder '#{secret:Db}' for 'App/Db' cannot be written as XmlCData: the value contains ']]>', which would end the CDATA section.", 1, 13), Shape(SingleError(result)));
        Assert.False(result.Report.Files[0].Changed);
        Assert.Equal([PlaceholderOutcome.Failed, PlaceholderOutcome.Resolved], result.Report.Files[0].Placeholders.Select(p => p.Outcome));
    }

    [Fact]
    public async Task A_value_forming_a_placeholder_at_the_start_of_the_file_is_SSB1019_with_the_literal_hint()
    {
        var path = _folder.Write("a.txt", "#{secret:Db}\n");

        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "#{secret:Other}"), [path], ResolveMode.Verify);

        Assert.Equal((DiagnosticCodes.PlaceholderInValue.Id, "Placeholder '#{secret:Db}': the value of secret 'App/Db' would put placeholder text ('#{secret') into the file, which a later resolve of the file would read as a placeholder; add the 'literal' modifier to write it so that it can never be read as a placeholder, or change the value.", 1, 1), Shape(SingleError(result)));
        Assert.False(result.Report.Files[0].Changed);
        Assert.Equal(PlaceholderOutcome.Failed, result.Report.Files[0].Placeholders[0].Outcome);
    }

    [Fact]
    public async Task A_value_ending_in_a_hash_before_an_escaped_placeholder_forms_the_escape_and_is_SSB1019()
    {
        var path = _folder.Write("a.txt", "A=#{secret:Db}##{secret:Kept}\n");

        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "x#"), [path], ResolveMode.Verify);

        var error = SingleError(result);
        Assert.Equal((DiagnosticCodes.PlaceholderInValue.Id, 1, 3), (error.Code.Id, error.Line, error.Column));
    }

    [Fact]
    public async Task A_value_without_a_hash_before_an_escaped_placeholder_is_written()
    {
        var path = _folder.Write("a.txt", "A=#{secret:Db}##{secret:Kept}\n");

        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "xy"), [path]);

        AssertSucceeded(result);
        Assert.Equal("A=xy#{secret:Kept}\n", _folder.Read("a.txt"));
    }

    [Fact]
    public async Task A_literal_value_that_completes_placeholder_text_beside_it_is_SSB1019_with_the_text_hint()
    {
        var path = _folder.Write("a.txt", "A=#{#{secret:Db|literal}\n");

        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "secret:X}"), [path], ResolveMode.Verify);

        Assert.Equal((DiagnosticCodes.PlaceholderInValue.Id, "Placeholder '#{secret:Db|literal}': the value of secret 'App/Db' would put placeholder text ('#{secret') into the file, which a later resolve of the file would read as a placeholder; together with the file text beside the placeholder; change the value or the text around it.", 1, 5), Shape(SingleError(result)));
    }

    [Fact]
    public async Task A_mapped_value_holding_placeholder_text_is_SSB1019_with_the_mapping_hint()
    {
        var path = _folder.Write("a.json", "{\"A\": \"x\"}");

        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "#{secret:Other}"), [path], ResolveMode.Verify, r => new ResolveRequest { Files = r.Files, DefaultApplication = App, Mode = ResolveMode.Verify, Mappings = [new SecretMapping { ConfigurationPath = "A", Secret = "Db" }] });

        Assert.Equal((DiagnosticCodes.PlaceholderInValue.Id, "Mapping 'A': the value of secret 'App/Db' would put placeholder text ('#{secret') into the file, which a later resolve of the file would read as a placeholder; change the value, or write it through a placeholder with the 'literal' modifier.", 1, 8), Shape(SingleError(result)));
    }

    [Fact]
    public async Task A_raw_value_that_breaks_the_json_is_SSB1008_naming_the_raw_placeholder_as_the_suspect()
    {
        var path = _folder.Write("a.json", "{\"A\": \"#{secret:Db}\",\n \"B\": \"#{secret:Raw|raw}\"}");

        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "v").With(App, "Raw", "1\",,\""), [path], ResolveMode.Verify);

        Assert.Equal((DiagnosticCodes.ShapeChanged.Id, "Resolving the file would change its shape: the result no longer parses (near line 2). A secret must never add or remove a key, element or attribute (check 'raw' modifiers). First suspect: Placeholder '#{secret:Raw|raw}'.", 2, 8), Shape(SingleError(result)));
        Assert.False(result.Report.Files[0].Changed);
    }

    [Fact]
    public async Task A_raw_value_that_breaks_the_xml_is_SSB1008()
    {
        var path = _folder.Write("a.xml", "<a>#{secret:Raw|raw}</a>");

        var result = await RunAsync(new InMemorySecretStore().With(App, "Raw", "<b>"), [path], ResolveMode.Verify);

        Assert.Equal((DiagnosticCodes.ShapeChanged.Id, "Resolving the file would change its shape: the result is no longer well-formed XML (near line 1). A secret must never add or remove a key, element or attribute (check 'raw' modifiers). First suspect: Placeholder '#{secret:Raw|raw}'.", 1, 4), Shape(SingleError(result)));
    }

    [Fact]
    public async Task A_raw_value_that_adds_an_xml_element_is_SSB1008_and_the_file_is_not_changed()
    {
        var path = _folder.Write("a.xml", "<a x=\"#{secret:Db}\">#{secret:Raw|raw}</a>");

        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "v").With(App, "Raw", "<b/>"), [path], ResolveMode.Verify);

        Assert.Equal((DiagnosticCodes.ShapeChanged.Id, "Resolving the file would change its shape: elements, attributes, comments or CDATA sections differ. A secret must never add or remove a key, element or attribute (check 'raw' modifiers). First suspect: Placeholder '#{secret:Raw|raw}'.", 1, 21), Shape(SingleError(result)));
        Assert.False(result.Report.Files[0].Changed);
    }

    [Fact]
    public async Task A_value_starting_right_after_an_escaped_marker_is_written()
    {
        var path = _folder.Write("a.txt", "##{secret#{secret:Db}\n");

        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", ":x}"), [path]);

        AssertSucceeded(result);
        Assert.Equal("#{secret:x}\n", _folder.Read("a.txt"));
    }

    [Fact]
    public async Task A_cdata_value_that_ends_the_section_early_is_SSB1008_naming_the_first_placeholder_when_none_is_raw()
    {
        var path = _folder.Write("a.xml", "<a x=\"#{secret:Db}\"><![CDATA[#{secret:C}]>]]></a>");

        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "v").With(App, "C", "x]"), [path], ResolveMode.Verify);

        Assert.Equal((DiagnosticCodes.ShapeChanged.Id, "Resolving the file would change its shape: the result is no longer well-formed XML (near line 1). A secret must never add or remove a key, element or attribute (check 'raw' modifiers). First suspect: Placeholder '#{secret:Db}'.", 1, 7), Shape(SingleError(result)));
        Assert.False(result.Report.Files[0].Changed);
    }
}

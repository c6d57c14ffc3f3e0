using System.Text.RegularExpressions;
using SecretStore.Diagnostics;

namespace SecretStore.Tests.Diagnostics;

public sealed partial class DiagnosticCatalogTests
{
    [Fact]
    public void Codes_are_unique_and_well_formed()
    {
        var ids = DiagnosticCodes.All.Select(c => c.Id).ToList();
        Assert.NotEmpty(ids);
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id => Assert.Matches(CodePattern(), id));
    }

    [Fact]
    public void Every_code_is_documented_in_docs_diagnostics_md()
    {
        var doc = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "diagnostics.md"));
        var documented = DocHeading().Matches(doc).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        var missing = DiagnosticCodes.All.Select(c => c.Id).Where(id => !documented.Contains(id)).ToList();
        Assert.True(missing.Count == 0, "Undocumented codes: " + string.Join(", ", missing));
        var unknown = documented.Where(id => DiagnosticCodes.All.All(c => c.Id != id)).ToList();
        Assert.True(unknown.Count == 0, "Documented but not in the catalog: " + string.Join(", ", unknown));
    }

    [Fact]
    public void Every_code_but_the_informational_summary_has_a_value_free_fix_sentence()
    {
        // Issue 14 item 2: every error and warning ends with the fix, in every face, not only in docs/diagnostics.md.
        var withoutFix = DiagnosticCodes.All.Where(c => string.IsNullOrWhiteSpace(c.Fix)).Select(c => c.Id).ToList();
        Assert.Equal([DiagnosticCodes.Summary.Id], withoutFix);
        Assert.All(DiagnosticCodes.All.Where(c => c.Fix is not null), c =>
        {
            Assert.True(char.IsLower(c.Fix![0]) || c.Fix[0] == '\'', $"{c.Id}: a fix follows 'Fix: ' and starts in lower case: {c.Fix}");
            Assert.True(c.Fix.EndsWith('.'), $"{c.Id}: a fix is one sentence ending with a period: {c.Fix}");
            Assert.DoesNotMatch(@"\{[A-Za-z.]+\}", c.Fix);
            Assert.DoesNotContain('\n', c.Fix);
        });
    }

    [Fact]
    public void Every_code_section_of_docs_diagnostics_md_says_the_fix_except_the_summary()
    {
        var doc = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "diagnostics.md"));
        var sections = DocHeading().Split(doc);
        // Split with one group: [preamble, id1, body1, id2, body2, ...].
        var withoutFix = Enumerable.Range(0, (sections.Length - 1) / 2)
            .Select(i => (Id: sections[1 + (2 * i)], Body: sections[2 + (2 * i)]))
            .Where(s => !s.Body.Contains("Fix:", StringComparison.Ordinal))
            .Select(s => s.Id)
            .ToList();
        Assert.Equal([DiagnosticCodes.Summary.Id], withoutFix);
    }

    [Theory]
    [InlineData(DiagnosticSeverity.Error, "Secret 'a/b' was not found.", "Secret 'a/b' was not found. Fix: ")]
    [InlineData(DiagnosticSeverity.Warning, "Secret 'a/b' was not found", "Secret 'a/b' was not found. Fix: ")]
    [InlineData(DiagnosticSeverity.Error, "Did you mean 'a/c'?", "Did you mean 'a/c'? Fix: ")]
    public void A_message_without_a_fix_of_its_own_ends_with_its_codes_fix(DiagnosticSeverity severity, string message, string start)
    {
        var diagnostic = new Diagnostic(DiagnosticCodes.SecretNotFound, severity, message, "a.json", 1, 2);

        Assert.Equal(start + DiagnosticCodes.SecretNotFound.Fix, diagnostic.Text);
        Assert.EndsWith(DiagnosticCodes.SecretNotFound.Fix!, diagnostic.ToMSBuildFormat(), StringComparison.Ordinal);
        Assert.Equal(message, diagnostic.Message);
    }

    [Fact]
    public void A_message_with_its_own_fix_and_an_informational_one_are_shown_as_they_are()
    {
        var own = new Diagnostic(DiagnosticCodes.SecretNotFound, DiagnosticSeverity.Error, "Secret 'a/b' was not found. Fix: secretstore set a/b.");
        var info = new Diagnostic(DiagnosticCodes.SecretNotFound, DiagnosticSeverity.Info, "Read 2 secrets.");

        Assert.Equal(own.Message, own.Text);
        Assert.Equal(info.Message, info.Text);
        Assert.Equal("secretstore: error SSB2001: Secret 'a/b' was not found. Fix: secretstore set a/b.", own.ToMSBuildFormat());
    }

    [Fact]
    public void MSBuild_format_names_file_line_and_column()
    {
        var diagnostic = new Diagnostic(DiagnosticCodes.UnterminatedPlaceholder, DiagnosticSeverity.Error, "Placeholder '#{secret:Db' is not closed.", "appsettings.json", 3, 14);
        Assert.Equal($"appsettings.json(3,14): error SSB1001: Placeholder '#{{secret:Db' is not closed. Fix: {DiagnosticCodes.UnterminatedPlaceholder.Fix}", diagnostic.ToMSBuildFormat());
    }

    [Fact]
    public void Exception_from_several_diagnostics_takes_the_first_error_code()
    {
        var ex = new SecretStoreException(
        [
            new Diagnostic(DiagnosticCodes.OptionalSecretMissing, DiagnosticSeverity.Warning, "w"),
            new Diagnostic(DiagnosticCodes.SecretNotFound, DiagnosticSeverity.Error, "Secret 'app/Db' was not found.", "a.json", 2, 5),
        ]);
        Assert.Same(DiagnosticCodes.SecretNotFound, ex.Code);
        Assert.Contains("a.json(2,5): error SSB2001", ex.Message, StringComparison.Ordinal);
    }

    [GeneratedRegex("^SSB[0-9]{4}$")]
    private static partial Regex CodePattern();

    [GeneratedRegex("^## (SSB[0-9]{4})", RegexOptions.Multiline)]
    private static partial Regex DocHeading();
}

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
    public void MSBuild_format_names_file_line_and_column()
    {
        var diagnostic = new Diagnostic(DiagnosticCodes.UnterminatedPlaceholder, DiagnosticSeverity.Error, "Placeholder '#{secret:Db' is not closed.", "appsettings.json", 3, 14);
        Assert.Equal("appsettings.json(3,14): error SSB1001: Placeholder '#{secret:Db' is not closed.", diagnostic.ToMSBuildFormat());
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

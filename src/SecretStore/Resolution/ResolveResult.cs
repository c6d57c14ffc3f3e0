using SecretStore.Diagnostics;
using SecretStore.Resolution.Reporting;

namespace SecretStore.Resolution;

/// <summary>The outcome of a run: value-free diagnostics, the report and counts.</summary>
public sealed class ResolveResult
{
    internal ResolveResult(IReadOnlyList<Diagnostic> diagnostics, ResolutionReport report, int filesScanned, int filesWritten, int placeholderCount, int secretCount)
    {
        Diagnostics = diagnostics;
        Report = report;
        FilesScanned = filesScanned;
        FilesWritten = filesWritten;
        PlaceholderCount = placeholderCount;
        SecretCount = secretCount;
    }

    /// <summary>True when there is no error diagnostic.</summary>
    public bool Succeeded => !Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);

    /// <summary>Every error and warning, each with file, line, column and placeholder; never a value.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    /// <summary>The redacted report: files, placeholders (metadata only), required secrets.</summary>
    public ResolutionReport Report { get; }

    /// <summary>How many files were read.</summary>
    public int FilesScanned { get; }

    /// <summary>How many files were rewritten (0 in verify and list mode, and on any error).</summary>
    public int FilesWritten { get; }

    /// <summary>How many placeholders and mappings were found outside comments.</summary>
    public int PlaceholderCount { get; }

    /// <summary>How many distinct secrets they name.</summary>
    public int SecretCount { get; }
}

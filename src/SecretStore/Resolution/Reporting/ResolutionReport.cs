using SecretStore.Diagnostics;

namespace SecretStore.Resolution.Reporting;

/// <summary>The redacted report of one run: metadata only, never a value.</summary>
public sealed class ResolutionReport
{
    /// <summary>The mode of the run.</summary>
    public required ResolveMode Mode { get; init; }

    /// <summary>True when the run had no error.</summary>
    public required bool Succeeded { get; init; }

    /// <summary>Every listed file, in the order given.</summary>
    public required IReadOnlyList<FileReport> Files { get; init; }

    /// <summary>The distinct secrets the files require, sorted by application and name.</summary>
    public required IReadOnlyList<RequiredSecret> RequiredSecrets { get; init; }

    /// <summary>The run's diagnostics.</summary>
    public required IReadOnlyList<Diagnostic> Diagnostics { get; init; }

    /// <summary>The report as indented JSON.</summary>
    public string ToJson() => ReportWriter.ToJson(this);

    /// <summary>The report as Markdown (a table per file).</summary>
    public string ToMarkdown() => ReportWriter.ToMarkdown(this);
}

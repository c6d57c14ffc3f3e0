using SecretStore.Diagnostics;
using SecretStore.Resolution;
using SecretStore.Resolution.Reporting;

namespace SecretStore.Running;

/// <summary>The result out of <see cref="SecretStoreRunner.ResolveAsync"/>: everything a face logs or returns, never a value.</summary>
public sealed record RunResult
{
    /// <summary>Every error, warning and information, in order; the summary is not among them (see <see cref="Summary"/>).</summary>
    public required IReadOnlyList<Diagnostic> Diagnostics { get; init; }

    /// <summary>The one summary line (<c>SSB0004</c>), worded the same in every face; null when the run failed.</summary>
    public Diagnostic? Summary { get; init; }

    /// <summary>The mode that ran.</summary>
    public ResolveMode Mode { get; init; }

    /// <summary>The files rewritten (full paths).</summary>
    public IReadOnlyList<string> WrittenFiles { get; init; } = [];

    /// <summary>The secrets the files need (names only), sorted.</summary>
    public IReadOnlyList<RequiredSecret> RequiredSecrets { get; init; } = [];

    /// <summary>The redacted report; null when the run failed before any file was read.</summary>
    public ResolutionReport? Report { get; init; }

    /// <summary>How many files were read.</summary>
    public int FilesScanned { get; init; }

    /// <summary>How many files were written.</summary>
    public int FilesWritten { get; init; }

    /// <summary>How many placeholders and mappings were found.</summary>
    public int PlaceholderCount { get; init; }

    /// <summary>How many distinct secrets they name.</summary>
    public int SecretCount { get; init; }

    /// <summary>The environment of the settings file that was used, if any.</summary>
    public string? EnvironmentName { get; init; }

    /// <summary>The lock file the run wrote (<see cref="ResolveOptions.UpdateLock"/>), or null.</summary>
    public string? LockWritten { get; init; }

    /// <summary>How many secrets the written lock holds.</summary>
    public int LockedSecrets { get; init; }

    /// <summary>True when no error was reported.</summary>
    public bool Succeeded => !Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);

    /// <summary>How many errors were reported.</summary>
    public int ErrorCount => Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);
}

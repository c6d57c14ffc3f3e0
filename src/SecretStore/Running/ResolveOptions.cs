using SecretStore.Resolution;

namespace SecretStore.Running;

/// <summary>
/// Options in, for <see cref="SecretStoreRunner.ResolveAsync"/>: the one shape every face (MSBuild task, Cake alias,
/// CLI command) fills from its own inputs.
/// </summary>
public sealed record ResolveOptions
{
    /// <summary>The store, settings file and environment.</summary>
    public required StoreSelection Store { get; init; }

    /// <summary>The files and globs, relative to <see cref="BaseDirectory"/>.</summary>
    public required IReadOnlyList<ConfigFileSpec> Files { get; init; }

    /// <summary>The folder the files are taken from (publish folder, working directory); null is the store's working directory.</summary>
    public string? BaseDirectory { get; init; }

    /// <summary>Resolve (write), verify (write nothing) or list (names only, no store opened).</summary>
    public ResolveMode Mode { get; init; } = ResolveMode.Resolve;

    /// <summary>Structured mappings (configuration path to secret), applied without placeholders.</summary>
    public IReadOnlyList<SecretMapping> Mappings { get; init; } = [];

    /// <summary>True (default): a missing <c>|optional</c> secret keeps its placeholder with <c>SSB1013</c>; false: an error.</summary>
    public bool AllowOptional { get; init; } = true;

    /// <summary>True: no placeholder in any file is an error (<c>SSB1010</c>).</summary>
    public bool RequirePlaceholders { get; init; }

    /// <summary>
    /// When the files match no file at all and that is not an error (every entry that found nothing is optional): the face's
    /// advice appended to warning <c>SSB1023</c> (MSBuild: how to copy appsettings.json to the publish folder).
    /// Called only then, so a face may look at the disk for it without costing every run.
    /// </summary>
    public Func<string?>? NoFileAdvice { get; init; }

    /// <summary>Where to write the redacted report (JSON, or Markdown for <c>.md</c>), relative to the working directory; null for none.</summary>
    public string? ReportPath { get; init; }

    /// <summary>
    /// True: move the lock file (<c>secretstore.lock.json</c> next to <c>secretstore.json</c>) to what this run reads, on
    /// purpose: the lock is not enforced, and after a run without errors (resolve or verify) it is written with this run's
    /// secrets at the revisions read; the entries of other secrets are kept. CLI <c>lock</c> and <c>--update-lock</c>,
    /// MSBuild <c>SecretStoreUpdateLock</c>, Cake <c>UpdateLock</c>.
    /// </summary>
    public bool UpdateLock { get; init; }

    /// <summary>Called once before any file is written, with every value form (CI masking); the forms must never be logged.</summary>
    public Action<ResolvedValueForms>? BeforeWrite { get; init; }

    /// <summary>Test seam into the write phase.</summary>
    internal WritePhaseProbe? Probe { get; init; }
}

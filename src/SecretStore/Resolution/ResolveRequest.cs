namespace SecretStore.Resolution;

/// <summary>One resolver run: the files, the mode and the options. Every face (MSBuild, Cake, CLI) builds one.</summary>
public sealed class ResolveRequest
{
    /// <summary>The files, already expanded (see <see cref="Running.SecretStoreRunner.ExpandFiles"/>). A listed file that does not exist is an error.</summary>
    public required IReadOnlyList<string> Files { get; init; }

    /// <summary>
    /// Formats chosen by hand, by full path (<see cref="Running.SecretStoreRunner.FormatsOf"/>); a file not in it gets the
    /// format of its extension (<see cref="Formats.FileFormat"/>).
    /// </summary>
    public IReadOnlyDictionary<string, Formats.FileFormat>? Formats { get; init; }

    /// <summary>
    /// The folder the files were listed or matched in (the publish folder, the working directory); null is the
    /// current directory. A file under it must be reached without any symbolic link or junction between the two,
    /// or it is refused (<c>SSB1018</c>) and nothing is written.
    /// </summary>
    public string? BaseDirectory { get; init; }

    /// <summary>The application of placeholders that name none (<c>#{secret:Name}</c>).</summary>
    public string? DefaultApplication { get; init; }

    /// <summary>Resolve (write), verify (write nothing) or list (names only).</summary>
    public ResolveMode Mode { get; init; } = ResolveMode.Resolve;

    /// <summary>When true, no placeholder in any listed file is an error (<c>SSB1010</c>).</summary>
    public bool RequirePlaceholders { get; init; }

    /// <summary>When false, a missing <c>optional</c> secret is an error as well.</summary>
    public bool AllowOptional { get; init; } = true;

    /// <summary>Structured mappings applied without placeholders.</summary>
    public IReadOnlyList<SecretMapping> Mappings { get; init; } = [];

    /// <summary>
    /// The lock file's entries (<see cref="Locking.SecretLock"/>): a secret below its locked revision (<c>SSB2020</c>) or
    /// with another record at it (<c>SSB2021</c>) fails the run; null: no lock.
    /// </summary>
    public Locking.SecretLock? Lock { get; init; }

    /// <summary>Where the lock was read from, for messages.</summary>
    public string? LockPath { get; init; }

    /// <summary>The settings environment the run reads (<c>--env</c>): the lock entries it is held against and writes.</summary>
    public string? LockEnvironment { get; init; }

    /// <summary>True: the lock is being moved on purpose, so it is not enforced (<see cref="WriteLock"/> writes the new one).</summary>
    public bool UpdateLock { get; init; }

    /// <summary>
    /// With <see cref="UpdateLock"/>: writes the lock from the entries read and the secrets found missing, after a run
    /// without errors and <em>before</em> any file is written, so a lock that cannot be written leaves every file
    /// untouched. Throws a <see cref="Diagnostics.SecretStoreException"/> to stop the run.
    /// </summary>
    public Func<IReadOnlyList<Locking.LockEntry>, IReadOnlyList<Secrets.SecretReference>, CancellationToken, Task>? WriteLock { get; init; }

    /// <summary>Where to write the redacted report: JSON, or Markdown when the path ends in <c>.md</c>.</summary>
    public string? ReportPath { get; init; }

    /// <summary>
    /// Called once, in resolve mode, with every value form about to be written, before any file is written
    /// (the CLI registers CI masks here). The forms must never be logged.
    /// </summary>
    public Action<ResolvedValueForms>? BeforeWrite { get; init; }

    /// <summary>Test seam into the write phase (see <see cref="WritePhaseProbe"/>); null outside tests.</summary>
    internal WritePhaseProbe? Probe { get; init; }
}

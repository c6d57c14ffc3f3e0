using SecretStore.Diagnostics;
using SecretStore.IO;
using SecretStore.Repositories;
using SecretStore.Repositories.File;
using SecretStore.Secrets;

namespace SecretStore.Stores;

/// <summary>What <see cref="SecretRewrapper.RewrapAsync"/> should do.</summary>
public sealed record RewrapOptions
{
    /// <summary>The key to move every record to; null keeps each record's own key (v1 records are still made v2).</summary>
    public string? KeyId { get; init; }

    /// <summary>
    /// The recipients to move every record to (docs/format.md, "Envelope version 3"), primary first; null keeps each
    /// record's own recipients (or moves it to <see cref="KeyId"/> alone when that is given).
    /// </summary>
    public IReadOnlyList<string>? Recipients { get; init; }

    /// <summary>Only these secret names; null or empty for every secret of the application.</summary>
    public IReadOnlyCollection<string>? Names { get; init; }

    /// <summary>List what would change without writing anything.</summary>
    public bool DryRun { get; init; }

    /// <summary>
    /// The repository under the store, whose raw v1 rows are checked before any is converted (<c>SSB2012</c>,
    /// <see cref="TrustedCopyPath"/>). Null: the store's own when it is an <see cref="EnvelopeSecretStore"/>; a run that
    /// would convert v1 rows without either is refused.
    /// </summary>
    public IProtectedSecretRepository? Repository { get; init; }

    /// <summary>
    /// A trusted earlier copy of the store file (for example from version control): each v1 row to convert must be
    /// in it with the same protected fields, or the run is refused (<c>SSB2013</c>) and nothing is written.
    /// </summary>
    public string? TrustedCopyPath { get; init; }
}

/// <summary>The outcome for one secret: names, keys and formats, never a value.</summary>
/// <param name="Id">The secret.</param>
/// <param name="Before">Its metadata before the run.</param>
/// <param name="After">Its metadata after the run; equal to <paramref name="Before"/> when nothing changed.</param>
/// <param name="Changed">True when the record was (or, in a dry run, would be) rewritten.</param>
public sealed record RewrapOutcome(SecretId Id, SecretMetadata Before, SecretMetadata After, bool Changed);

/// <summary>
/// Re-encrypts stored secrets as v2 records, optionally under another master key, inside the engine: each
/// value is decrypted and protected again in memory and never returned to the caller. Each write is
/// conditional on the revision just read, so a concurrent change gives a conflict instead of a lost update.
/// Before anything is converted, the v1 rows are checked (<see cref="V1MigrationChecks"/>): rows sharing a wrapped
/// key or a ciphertext, and with <see cref="RewrapOptions.TrustedCopyPath"/> rows that differ from the trusted copy,
/// refuse the whole run, so that a migration never signs a planted value into a trusted v2 record.
/// </summary>
public static class SecretRewrapper
{
    /// <summary>
    /// Rewraps the secrets of <paramref name="applicationName"/> that are v1 or under another key than
    /// <see cref="RewrapOptions.KeyId"/>. Records already in the target shape are left alone. Errors throw
    /// <see cref="Diagnostics.SecretStoreException"/>; records rewritten before the error stay rewritten.
    /// </summary>
    public static async Task<IReadOnlyList<RewrapOutcome>> RewrapAsync(
        ISecretStore store,
        string applicationName,
        RewrapOptions options,
        IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(applicationName);
        ArgumentNullException.ThrowIfNull(options);
        var names = options.Names is { Count: > 0 } n ? n.ToHashSet(StringComparer.Ordinal) : null;
        var listed = await store.ListAsync(applicationName, cancellationToken).ConfigureAwait(false);
        var selected = listed.Where(m => names is null || names.Contains(m.Id.Name)).ToList();
        var repository = options.Repository ?? (store as EnvelopeSecretStore)?.Repository;
        var checkedRows = await CheckV1RowsAsync(repository, applicationName, selected, options, cancellationToken).ConfigureAwait(false);
        var outcomes = new List<RewrapOutcome>();
        var storeId = await StoreIdOfAsync(repository, cancellationToken).ConfigureAwait(false);
        foreach (var before in selected)
        {
            cancellationToken.ThrowIfCancellationRequested();
            IReadOnlyList<string> target = options.Recipients is { Count: > 0 } recipients ? recipients
                : options.KeyId is { } key ? [key]
                : before.Recipients;

            // Also every record in an older envelope, or not bound to the store's id: rewrap is how a store reaches the
            // current format and closes the copy attack for the records written before its store id.
            var needed = before.Format != ProtectedSecretFormat.V2
                || before.EnvelopeVersion != Formats.V3Envelope.Version
                || !before.Recipients.SequenceEqual(target, StringComparer.Ordinal)
                || (storeId is not null && !string.Equals(before.StoreId, storeId, StringComparison.Ordinal));
            if (!needed || options.DryRun)
            {
                outcomes.Add(new RewrapOutcome(before.Id, before, before, needed));
                progress?.Report(outcomes.Count);
                continue;
            }

            var secret = await store.GetAsync(before.Id, cancellationToken).ConfigureAwait(false);
            if (checkedRows.TryGetValue(before.Id, out var row) && row.Revision != secret.Metadata.Revision)
            {
                // The row changed between the checks and the read: what was checked is not what would be signed.
                throw new ConcurrencyConflictException(before.Id, row.Revision, secret.Metadata.Revision);
            }

            // AllowEmpty: the value is the stored one, not new input; an empty secret stays what it was.
            var after = await store.SetAsync(
                before.Id,
                secret.Value,
                new SetSecretOptions { Recipients = target, ExpectedRevision = secret.Metadata.Revision, Format = ProtectedSecretFormat.V2, AllowEmpty = true },
                cancellationToken).ConfigureAwait(false);
            outcomes.Add(new RewrapOutcome(before.Id, secret.Metadata, after, true));
            progress?.Report(outcomes.Count);
        }

        return outcomes;
    }

    private static async Task<string?> StoreIdOfAsync(IProtectedSecretRepository? repository, CancellationToken cancellationToken)
    {
        try
        {
            return repository is null ? null : await repository.GetStoreIdAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (StoreFileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Checks the raw v1 rows of the application before any is converted (also in a dry run, which shows what a real
    /// run would refuse) and returns the checked rows of the selection by id.
    /// </summary>
    private static async Task<IReadOnlyDictionary<SecretId, ProtectedSecretRecord>> CheckV1RowsAsync(
        IProtectedSecretRepository? repository, string applicationName, IReadOnlyList<SecretMetadata> selected, RewrapOptions options, CancellationToken cancellationToken)
    {
        var toConvert = selected.Where(m => m.Format == ProtectedSecretFormat.V1).Select(m => m.Id).ToHashSet();

        // Read even with nothing to convert: a misspelt --compare-with path must not pass unnoticed (SSB2011).
        var trusted = options.TrustedCopyPath is { } trustedPath
            ? await ReadTrustedCopyAsync(trustedPath, repository, applicationName, cancellationToken).ConfigureAwait(false)
            : null;
        if (toConvert.Count == 0)
        {
            return new Dictionary<SecretId, ProtectedSecretRecord>();
        }

        repository = repository ?? throw new SecretStoreException(DiagnosticCodes.InvalidArgument, $"Rewrapping the v1 rows of '{applicationName}' needs the store's repository, to check them before they are converted.");

        // The whole application, not only the selection: a row copied into the selection shares its bytes with one
        // outside it (rewrap --name Staging must still see that Staging is a copy of Prod).
        var rows = await repository.QueryByApplicationAsync(applicationName, cancellationToken).ConfigureAwait(false);
        var diagnostics = V1MigrationChecks.SharedMaterial(rows, converting: toConvert).ToList();
        var converting = rows.Where(r => toConvert.Contains(r.Id)).ToList();
        if (trusted is not null)
        {
            diagnostics.AddRange(V1MigrationChecks.AgainstTrustedCopy(converting, trusted, Path.GetFullPath(options.TrustedCopyPath!)));
        }

        if (diagnostics.Count > 0)
        {
            throw new SecretStoreException(diagnostics);
        }

        return converting.ToDictionary(r => r.Id);
    }

    /// <summary>
    /// A trusted copy proves something only if it is a file of its own: a symbolic link (git commits links, so a pull
    /// request can replace the committed copy with a link to the store), a device such as <c>/dev/stdin</c>, or the store
    /// file itself under another name (a hard link, a path through a linked folder) would make every tampered row
    /// "match". Each is SSB2013, before anything is read or written.
    /// </summary>
    private static async Task<IReadOnlyList<ProtectedSecretRecord>> ReadTrustedCopyAsync(
        string path, IProtectedSecretRepository? repository, string applicationName, CancellationToken cancellationToken)
    {
        CheckTrustedCopy(path, repository);
        return await new FileSecretRepository(path).QueryByApplicationAsync(applicationName, cancellationToken).ConfigureAwait(false);
    }

    private static void CheckTrustedCopy(string path, IProtectedSecretRepository? repository)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full) && !Directory.Exists(full) && new FileInfo(full).LinkTarget is null)
        {
            return; // Missing: the read reports SSB2011 naming the path.
        }

        string? why = null;
        if (new FileInfo(full).LinkTarget is not null)
        {
            why = "is a symbolic link";
        }
        else if (LinuxFiles.IsSupported)
        {
            var copy = LinuxFiles.LStat(full);
            if (!copy.IsRegularFile)
            {
                why = "is not a regular file";
            }
            else if (repository is FileSecretRepository store && File.Exists(store.FilePath) && LinuxFiles.Stat(store.FilePath).IsSameFileAs(copy))
            {
                why = "is the store file itself (the same file under another name)";
            }
        }
        else if (repository is FileSecretRepository store && string.Equals(Path.GetFullPath(store.FilePath), full, StringComparison.Ordinal))
        {
            why = "is the store file itself";
        }

        if (why is not null)
        {
            throw new SecretStoreException([new Diagnostic(DiagnosticCodes.DiffersFromTrustedCopy, DiagnosticSeverity.Error, $"The trusted copy {why}: it must be a separate regular file (for example the store file from version control, copied out); nothing was converted or written.", full)]);
        }
    }
}

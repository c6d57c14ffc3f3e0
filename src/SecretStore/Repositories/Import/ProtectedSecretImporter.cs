using SecretStore.Diagnostics;

namespace SecretStore.Repositories.Import;

/// <summary>Options of <see cref="ProtectedSecretImporter.ImportAsync"/>.</summary>
public sealed record ProtectedSecretImportOptions
{
    /// <summary>Replace secrets that exist with other content; false refuses them (<c>SSB2002</c>) and imports nothing.</summary>
    public bool Overwrite { get; init; }

    /// <summary>
    /// Import v1 records as well. Off by default: a v1 record in the file is refused (<c>SSB2009</c>) and nothing
    /// is imported, since v1 is refused on read too; turn it on to migrate, then rewrap.
    /// </summary>
    public bool AllowV1 { get; init; }

    /// <summary>The file the records came from, named in diagnostics.</summary>
    public string? SourcePath { get; init; }
}

/// <summary>What happened to one imported record.</summary>
public enum ProtectedSecretImportStatus
{
    /// <summary>Saved (new, or replacing other content with <see cref="ProtectedSecretImportOptions.Overwrite"/>).</summary>
    Imported,

    /// <summary>The store already held exactly these protected bytes under the same key; nothing was written.</summary>
    Unchanged,
}

/// <summary>The outcome for one record: id, status and the revision it now has; never protected bytes.</summary>
/// <param name="Record">The imported record (its id, format and key id may be shown).</param>
/// <param name="Status">Imported or unchanged.</param>
/// <param name="Revision">The stored revision after the import.</param>
public sealed record ProtectedSecretImportOutcome(ProtectedSecretRecord Record, ProtectedSecretImportStatus Status, long Revision);

/// <summary>
/// Copies protected records into a repository as they are: nothing is decrypted and no key is needed, so the
/// stored bytes equal the given ones. All conflicts are found before anything is written, so a refused import
/// changes nothing; each save is conditional on the revision just read.
/// </summary>
public static class ProtectedSecretImporter
{
    /// <summary>
    /// Imports <paramref name="records"/> (for example from <see cref="ProtectedSecretRecordImport.Parse"/>) in
    /// order. Throws <see cref="SecretStoreException"/> with one <c>SSB2002</c> diagnostic per conflicting secret
    /// when <see cref="ProtectedSecretImportOptions.Overwrite"/> is off.
    /// </summary>
    public static async Task<IReadOnlyList<ProtectedSecretImportOutcome>> ImportAsync(
        IProtectedSecretRepository repository,
        IReadOnlyList<ProtectedSecretRecord> records,
        ProtectedSecretImportOptions? options = null,
        IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(records);
        options ??= new ProtectedSecretImportOptions();
        var plan = new List<(ProtectedSecretRecord Record, ProtectedSecretRecord? Existing)>();
        var conflicts = new List<Diagnostic>();
        foreach (var record in records.Where(r => r.Format == ProtectedSecretFormat.V1 && !options.AllowV1))
        {
            conflicts.Add(Stores.V1Policy.ImportRefused(record.Id, options.SourcePath));
        }

        // A v1 row copied into another id still decrypts there; importing it would plant it for the rewrap after.
        conflicts.AddRange(Stores.V1MigrationChecks.SharedMaterial(records, options.SourcePath));
        if (conflicts.Count > 0)
        {
            throw new SecretStoreException(conflicts);
        }

        conflicts.AddRange(await CheckStoreBindingAsync(repository, records, options, cancellationToken).ConfigureAwait(false));
        if (conflicts.Count > 0)
        {
            throw new SecretStoreException(conflicts);
        }

        foreach (var record in records)
        {
            var existing = await ReadExistingAsync(repository, record, cancellationToken).ConfigureAwait(false);
            if (existing is { InvalidRevision: not null })
            {
                conflicts.AddRange(RecordRevision.OutOfRange(record.Id).Diagnostics);
                continue;
            }

            if (existing is not null && !SameProtectedContent(existing, record) && !options.Overwrite)
            {
                conflicts.Add(new Diagnostic(DiagnosticCodes.ConcurrencyConflict, DiagnosticSeverity.Error, $"Secret '{record.Id}' already exists with other content; import with overwrite to replace it. Nothing was imported.", options.SourcePath));
            }

            plan.Add((record, existing));
        }

        if (conflicts.Count > 0)
        {
            throw new SecretStoreException(conflicts);
        }

        var outcomes = new List<ProtectedSecretImportOutcome>();
        foreach (var (record, existing) in plan)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (existing is not null && SameProtectedContent(existing, record))
            {
                outcomes.Add(new ProtectedSecretImportOutcome(record, ProtectedSecretImportStatus.Unchanged, existing.Revision));
            }
            else
            {
                // The source's revision is kept where it has one and it is ahead of the stored one; revisions never
                // go backwards, so an `--if-revision` guard of another writer still fails instead of matching again.
                var expected = existing?.Revision ?? 0;
                var revision = record.InvalidRevision is null && record.Revision > expected
                    ? await repository.SaveAtRevisionAsync(record, expected, record.Revision, cancellationToken).ConfigureAwait(false)
                    : await repository.SaveAsync(record, expected, cancellationToken).ConfigureAwait(false);
                outcomes.Add(new ProtectedSecretImportOutcome(record, ProtectedSecretImportStatus.Imported, revision));
            }

            progress?.Report(outcomes.Count);
        }

        return outcomes;
    }

    /// <summary>
    /// Records bound to a store (envelope version 3) open only in that store. Importing them into a new store moves the
    /// store: the target takes their store id. Into a store with another id (or one with records and no id) they would be
    /// refused on every read (SSB3014), so they are refused here, before anything is written.
    /// </summary>
    private static async Task<IReadOnlyList<Diagnostic>> CheckStoreBindingAsync(
        IProtectedSecretRepository repository, IReadOnlyList<ProtectedSecretRecord> records, ProtectedSecretImportOptions options, CancellationToken cancellationToken)
    {
        var bound = records
            .Select(r => (Record: r, StoreId: BoundStoreOf(r)))
            .Where(b => b.StoreId is not null)
            .ToList();
        if (bound.Count == 0)
        {
            return [];
        }

        var sources = bound.Select(b => b.StoreId!).Distinct(StringComparer.Ordinal).ToList();
        string? target;
        try
        {
            target = await repository.GetStoreIdAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (StoreFileNotFoundException)
        {
            target = null;
        }

        if (target is null && sources.Count == 1 && await repository.AdoptStoreIdAsync(sources[0], cancellationToken).ConfigureAwait(false))
        {
            target = sources[0];
        }

        return [.. bound
            .Where(b => !string.Equals(b.StoreId, target, StringComparison.Ordinal))
            .Select(b => new Diagnostic(
                DiagnosticCodes.RecordFromAnotherStore,
                DiagnosticSeverity.Error,
                $"Secret '{b.Record.Id}' is bound to store '{b.StoreId}', but the target store {(target is null ? "has another history and no store id" : $"is '{target}'")}: it would be refused on every read. Import a store's records into a new, empty store (which takes its id), or write the value again there with 'secretstore set'. Nothing was imported.",
                options.SourcePath))];
    }

    // A corrupt envelope is imported as it is: reading it reports the damage, as for any other corrupt record.
    private static string? BoundStoreOf(ProtectedSecretRecord record) =>
        Formats.V3Envelope.TryParse(record)?.Context.ValueOf(Keys.EncryptionContext.StoreKey);

    private static async Task<ProtectedSecretRecord?> ReadExistingAsync(IProtectedSecretRepository repository, ProtectedSecretRecord record, CancellationToken cancellationToken)
    {
        try
        {
            return await repository.GetAsync(record.Id, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreFileNotFoundException)
        {
            // Importing into a store file that does not exist yet creates it.
            return null;
        }
    }

    private static bool SameProtectedContent(ProtectedSecretRecord a, ProtectedSecretRecord b) =>
        a.Format == b.Format
        && string.Equals(a.MasterKeyId, b.MasterKeyId, StringComparison.Ordinal)
        && Same(a.ProtectedDocumentKey, b.ProtectedDocumentKey)
        && Same(a.InitialisationVector, b.InitialisationVector)
        && Same(a.ProtectedSecretValue, b.ProtectedSecretValue)
        && Same(a.Envelope, b.Envelope);

    private static bool Same(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);
}

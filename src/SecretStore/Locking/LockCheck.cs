using System.Globalization;
using SecretStore.Diagnostics;
using SecretStore.Resolution;
using SecretStore.Secrets;

namespace SecretStore.Locking;

/// <summary>
/// Holds the secrets a run read against the lock file, for the run's environment: a revision below the locked one is a
/// rollback (<c>SSB2020</c>), another record at the locked revision a replaced record (<c>SSB2021</c>), a locked secret
/// that no longer exists <c>SSB2020</c> too (a deletion the lock did not agree to), all errors at the first use; a
/// newer revision is drift (<c>SSB2023</c>, a warning); a secret the lock does not name a warning (<c>SSB2024</c>).
/// Messages name secrets, revisions and the lock file, never a value.
/// </summary>
internal static class LockCheck
{
    /// <summary>The check of one secret as the run found it (<paramref name="found"/> null: missing), or null when it holds.</summary>
    public static Diagnostic? CheckOne(SecretLock lockFile, string? lockPath, string? environment, SecretReference reference, SecretMetadata? found, string subject, string? file = null, int line = 0, int column = 0)
    {
        var where = lockPath is null ? "the lock file" : $"the lock file '{lockPath}'";
        var locked = lockFile.Find(reference, environment);
        if (found is null)
        {
            return locked is null
                ? null
                : Error(DiagnosticCodes.LockedRevisionRolledBack, string.Create(CultureInfo.InvariantCulture, $"{subject}: secret '{reference}' is locked at revision {locked.Revision} in {where}, but the store no longer has it: it was deleted (or purged) without moving the lock, or the store is not the one locked. Nothing was written. Fix: restore it ('secretstore history {reference.Id}', 'secretstore rollback'), or, if the deletion is wanted, run 'secretstore lock' to take it out of the lock."));
        }

        if (locked is null)
        {
            return new Diagnostic(DiagnosticCodes.NotInLock, DiagnosticSeverity.Warning, $"{subject}: secret '{reference}' is not in {where}{(environment is null ? string.Empty : $" for environment '{environment}'")}, so a rollback of it would not be seen. Fix: 'secretstore lock' adds it (or --update-lock); commit the lock file.", file, line, column);
        }

        // Before the revisions: a record of another store is what it is whatever number it carries, and the store's own id
        // (in the store file, which its writer controls) cannot vouch for it.
        if (locked.StoreId is { } lockedStore && !string.Equals(found.StoreId, lockedStore, StringComparison.Ordinal))
        {
            return Error(DiagnosticCodes.LockedRecordChanged, $"{subject}: the record of secret '{reference}' is bound to {(found.StoreId is null ? "no store" : $"store '{found.StoreId}'")}, but {where} locked it in store '{lockedStore}': a record of another store was put in, or the store was replaced. Nothing was written. Fix: restore the store from version control or a trusted copy; move the lock only on purpose with 'secretstore lock'.");
        }

        if (found.Revision < locked.Revision)
        {
            return Error(DiagnosticCodes.LockedRevisionRolledBack, string.Create(CultureInfo.InvariantCulture, $"{subject}: secret '{reference.Id}' is at revision {found.Revision} in the store, below revision {locked.Revision} in {where}: an older record was put back (a rollback), or the lock is ahead of this store. Nothing was written. Fix: 'secretstore history {reference.Id}' shows who wrote what; restore the locked value ('secretstore rollback {reference.Id} --to N' writes it anew), or move the lock back on purpose with 'secretstore lock'."));
        }

        if (found.Revision == locked.Revision && found.RecordDigest is { } digest && !string.Equals(digest, locked.Record, StringComparison.Ordinal))
        {
            return Error(DiagnosticCodes.LockedRecordChanged, string.Create(CultureInfo.InvariantCulture, $"{subject}: the record of secret '{reference}' at revision {found.Revision} is not the one {where} names at that revision: the record was replaced in the store. Nothing was written. Fix: restore the record from version control or a trusted copy of the store; move the lock only on purpose with 'secretstore lock'."));
        }

        return found.Revision > locked.Revision
            ? new Diagnostic(DiagnosticCodes.LockDrift, DiagnosticSeverity.Warning, string.Create(CultureInfo.InvariantCulture, $"{subject}: secret '{reference.Id}' is at revision {found.Revision} in the store, newer than revision {locked.Revision} in {where}. Fix: review it ('secretstore history {reference.Id}'), then move the lock forward with 'secretstore lock'."), file, line, column)
            : null;

        Diagnostic Error(DiagnosticCode code, string message) => new(code, DiagnosticSeverity.Error, message, file, line, column);
    }

    public static void Check(
        SecretLock lockFile,
        string? lockPath,
        string? environment,
        IEnumerable<FileWork> files,
        IReadOnlyDictionary<SecretReference, Secret> secrets,
        IReadOnlySet<string> failedApplications,
        List<Diagnostic> diagnostics)
    {
        foreach (var (reference, file, first) in FirstUses(files))
        {
            if (failedApplications.Contains(reference.Id.ApplicationName) || (reference.IsPinned && !secrets.ContainsKey(reference)))
            {
                // Reported already: the application could not be read, or the pinned revision is not kept (SSB2019).
                continue;
            }

            var found = secrets.TryGetValue(reference, out var secret) ? secret.Metadata : null;
            if (CheckOne(lockFile, lockPath, environment, reference, found, FileRenderer.Describe(first), file.Path, first.Line, first.Column) is { } diagnostic)
            {
                diagnostics.Add(diagnostic);
            }
        }
    }

    /// <summary>What a lock written from this run holds for <paramref name="environment"/>: every secret read, at the revision read.</summary>
    public static IReadOnlyList<LockEntry> EntriesOf(IEnumerable<FileWork> files, IReadOnlyDictionary<SecretReference, Secret> secrets, string? environment) =>
        [.. FirstUses(files)
            .Select(use => use.Reference)
            .Where(secrets.ContainsKey)
            .Select(reference => (Reference: reference, secrets[reference].Metadata))
            .Where(r => r.Metadata.RecordDigest is not null)
            .Select(r => new LockEntry(r.Reference.Id.ApplicationName, r.Reference.Id.Name, r.Metadata.Revision, r.Metadata.RecordDigest!, r.Reference.IsPinned, environment) { StoreId = r.Metadata.StoreId })];

    /// <summary>The secrets this run needs that the store no longer has: a lock written from the run drops them.</summary>
    public static IReadOnlyList<SecretReference> MissingOf(IEnumerable<FileWork> files, IReadOnlyDictionary<SecretReference, Secret> secrets, IReadOnlySet<string> failedApplications) =>
        [.. FirstUses(files).Select(use => use.Reference).Where(r => !secrets.ContainsKey(r) && !failedApplications.Contains(r.Id.ApplicationName))];

    /// <summary>
    /// Warnings for a lock moved on purpose: each entry that went to a lower revision, or to another record at the same
    /// revision, is named, so that a rollback the update accepts is never silent (red team, issue 17).
    /// </summary>
    public static IEnumerable<Diagnostic> Moves(SecretLock before, SecretLock after, string lockPath)
    {
        foreach (var entry in after.Entries)
        {
            var old = before.Find(new SecretReference(new SecretId(entry.Application, entry.Name), entry.Pinned ? entry.Revision : null), entry.Environment);
            if (old is null)
            {
                continue;
            }

            if (entry.Revision < old.Revision)
            {
                yield return new Diagnostic(DiagnosticCodes.LockedRevisionRolledBack, DiagnosticSeverity.Warning, string.Create(CultureInfo.InvariantCulture, $"The lock file '{lockPath}' moved '{entry}' back from revision {old.Revision} to {entry.Revision}, as asked (--update-lock or 'lock'). Fix: if nobody meant to roll it back, restore revision {old.Revision} ('secretstore rollback') and lock again."));
            }
            else if (entry.Revision == old.Revision && !string.Equals(entry.Record, old.Record, StringComparison.Ordinal))
            {
                yield return new Diagnostic(DiagnosticCodes.LockedRecordChanged, DiagnosticSeverity.Warning, string.Create(CultureInfo.InvariantCulture, $"The lock file '{lockPath}' now names another record for '{entry}' at revision {entry.Revision}, as asked (--update-lock or 'lock'): the record was replaced in the store. Fix: if nobody meant to replace it, restore it from version control and lock again."));
            }
        }
    }

    private static IEnumerable<(SecretReference Reference, FileWork File, Substitution First)> FirstUses(IEnumerable<FileWork> files)
    {
        var seen = new HashSet<SecretReference>();
        foreach (var file in files.Where(f => !f.Failed))
        {
            foreach (var substitution in file.Substitutions.OrderBy(s => s.Line).ThenBy(s => s.Column))
            {
                if (seen.Add(substitution.Reference))
                {
                    yield return (substitution.Reference, file, substitution);
                }
            }
        }
    }
}

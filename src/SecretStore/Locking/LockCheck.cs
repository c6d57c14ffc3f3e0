using System.Globalization;
using SecretStore.Diagnostics;
using SecretStore.Resolution;
using SecretStore.Secrets;

namespace SecretStore.Locking;

/// <summary>
/// Holds the secrets a run read against the lock file: a revision below the locked one is a rollback (<c>SSB2020</c>),
/// another record at the locked revision a replaced record (<c>SSB2021</c>), both errors at the first placeholder that
/// needs the secret; a newer revision is drift, reported by verify (<c>SSB2023</c>); a secret the lock does not name is
/// a warning (<c>SSB2024</c>). Messages name secrets, revisions and the lock file, never a value or a digest's input.
/// </summary>
internal static class LockCheck
{
    public static void Check(
        SecretLock lockFile,
        string? lockPath,
        IEnumerable<FileWork> files,
        IReadOnlyDictionary<SecretReference, Secret> secrets,
        ResolveMode mode,
        List<Diagnostic> diagnostics)
    {
        var where = lockPath is null ? "the lock file" : $"the lock file '{lockPath}'";
        foreach (var (reference, file, first) in FirstUses(files))
        {
            if (!secrets.TryGetValue(reference, out var secret))
            {
                // Not read: missing or failed, and reported as such already.
                continue;
            }

            var found = secret.Metadata;
            var locked = lockFile.Find(reference);
            if (locked is null)
            {
                diagnostics.Add(new Diagnostic(DiagnosticCodes.NotInLock, DiagnosticSeverity.Warning, $"{Describe(first)}: secret '{reference}' is not in {where}, so a rollback of it would not be seen. Fix: 'secretstore lock' adds it (or --update-lock); commit the lock file.", file.Path, first.Line, first.Column));
                continue;
            }

            if (found.Revision < locked.Revision)
            {
                diagnostics.Add(FileAnalyzer.Error(DiagnosticCodes.LockedRevisionRolledBack, string.Create(CultureInfo.InvariantCulture, $"{Describe(first)}: secret '{reference.Id}' is at revision {found.Revision} in the store, below revision {locked.Revision} in {where}: an older record was put back (a rollback), or the lock is ahead of this store. Nothing was written. Fix: 'secretstore history {reference.Id}' shows who wrote what; restore the locked value ('secretstore rollback {reference.Id} --to N' writes it anew), or move the lock back on purpose with 'secretstore lock'."), file.Path, first.Line, first.Column));
            }
            else if (found.Revision == locked.Revision && found.RecordDigest is { } digest && !string.Equals(digest, locked.Record, StringComparison.Ordinal))
            {
                diagnostics.Add(FileAnalyzer.Error(DiagnosticCodes.LockedRecordChanged, string.Create(CultureInfo.InvariantCulture, $"{Describe(first)}: the record of secret '{reference}' at revision {found.Revision} is not the one {where} names at that revision: the record was replaced in the store. Nothing was written. Fix: restore the record from version control or a trusted copy of the store; move the lock only on purpose with 'secretstore lock'."), file.Path, first.Line, first.Column));
            }
            else if (found.Revision > locked.Revision && mode == ResolveMode.Verify)
            {
                diagnostics.Add(new Diagnostic(DiagnosticCodes.LockDrift, DiagnosticSeverity.Warning, string.Create(CultureInfo.InvariantCulture, $"{Describe(first)}: secret '{reference.Id}' is at revision {found.Revision} in the store, newer than revision {locked.Revision} in {where}. Fix: review it ('secretstore history {reference.Id}'), then move the lock forward with 'secretstore lock'."), file.Path, first.Line, first.Column));
            }
        }
    }

    /// <summary>The entries a lock written from this run holds: every secret it read, at the revision it read.</summary>
    public static IReadOnlyList<LockEntry> EntriesOf(IEnumerable<FileWork> files, IReadOnlyDictionary<SecretReference, Secret> secrets) =>
        [.. FirstUses(files)
            .Select(use => use.Reference)
            .Where(secrets.ContainsKey)
            .Select(reference => (Reference: reference, secrets[reference].Metadata))
            .Where(r => r.Metadata.RecordDigest is not null)
            .Select(r => new LockEntry(r.Reference.Id.ApplicationName, r.Reference.Id.Name, r.Metadata.Revision, r.Metadata.RecordDigest!, r.Reference.IsPinned))];

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

    private static string Describe(Substitution substitution) => FileRenderer.Describe(substitution);
}

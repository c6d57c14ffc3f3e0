using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Secrets;

namespace SecretStore.Stores;

/// <summary>
/// The checks a v1 → v2 migration makes before it signs anything. A v1 row is bound neither to its application and
/// name nor, in its IV, to anything at all: a store writer can copy one row's fields into another, or flip IV bytes
/// to rewrite the value's first 16 bytes, and the row still decrypts. Converting such a row would launder the planted
/// value into a context-bound, signed v2 record that passes every later check, so these checks run first and refuse
/// the whole migration (nothing written) on any finding.
/// </summary>
public static class V1MigrationChecks
{
    /// <summary>
    /// <c>SSB2012</c>, one diagnostic per group of v1 rows in <paramref name="rows"/> that share a wrapped document key
    /// or a ciphertext, naming every row of the group. Two genuine rows never share either: each v1 write makes a fresh
    /// data key and a fresh IV. Rows of other formats are ignored.
    /// </summary>
    /// <param name="rows">The whole set being converted (an application's rows, or an import file).</param>
    /// <param name="source">The file named in the diagnostics, if any.</param>
    /// <param name="converting">Only groups with at least one of these rows; null for every group.</param>
    public static IReadOnlyList<Diagnostic> SharedMaterial(IEnumerable<ProtectedSecretRecord> rows, string? source = null, IReadOnlySet<SecretId>? converting = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var v1 = rows.Where(r => r.Format == ProtectedSecretFormat.V1).ToList();
        var shared = new SortedDictionary<string, (List<SecretId> Ids, List<string> What)>(StringComparer.Ordinal);
        void Collect(Func<ProtectedSecretRecord, byte[]?> field, string what)
        {
            foreach (var group in v1.Where(r => field(r) is { Length: > 0 }).GroupBy(r => Convert.ToBase64String(field(r)!), StringComparer.Ordinal))
            {
                var ids = group.Select(r => r.Id).OrderBy(i => i.ToString(), StringComparer.Ordinal).ToList();
                if (ids.Count < 2 || (converting is not null && !ids.Any(converting.Contains)))
                {
                    continue;
                }

                var names = string.Join(", ", ids.Select(i => $"'{i}'"));
                if (!shared.TryGetValue(names, out var entry))
                {
                    shared[names] = entry = (ids, []);
                }

                entry.What.Add(what);
            }
        }

        Collect(r => r.ProtectedDocumentKey, "wrapped document key");
        Collect(r => r.ProtectedSecretValue, "ciphertext");
        return [.. shared.Select(pair => new Diagnostic(
            DiagnosticCodes.SharedV1Material,
            DiagnosticSeverity.Error,
            $"The v1 rows {pair.Key} share one {string.Join(" and one ", pair.Value.What)}: one was copied from another, and a migration would sign the copy as genuine. Nothing was written.",
            source))];
    }

    /// <summary>
    /// <c>SSB2013</c> for each v1 row of <paramref name="rows"/> that is absent from <paramref name="trusted"/> (a trusted
    /// earlier copy of the store) or differs from it in a protected field; names the row and the field, never bytes.
    /// </summary>
    /// <param name="rows">The v1 rows about to be converted.</param>
    /// <param name="trusted">The rows of the trusted copy.</param>
    /// <param name="trustedPath">The trusted copy's path, named in the diagnostics.</param>
    public static IReadOnlyList<Diagnostic> AgainstTrustedCopy(IEnumerable<ProtectedSecretRecord> rows, IEnumerable<ProtectedSecretRecord> trusted, string trustedPath)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(trusted);
        var byId = trusted.ToDictionary(r => r.Id);
        var diagnostics = new List<Diagnostic>();
        foreach (var row in rows.Where(r => r.Format == ProtectedSecretFormat.V1))
        {
            var why = !byId.TryGetValue(row.Id, out var copy) ? "is absent from the trusted copy"
                : copy.Format != ProtectedSecretFormat.V1 ? "is not a v1 row in the trusted copy"
                : Differing(row, copy) is { Count: > 0 } fields ? $"differs from the trusted copy in {string.Join(", ", fields)}"
                : null;
            if (why is not null)
            {
                diagnostics.Add(new Diagnostic(DiagnosticCodes.DiffersFromTrustedCopy, DiagnosticSeverity.Error, $"The v1 row '{row.Id}' {why}; it is not converted, and nothing was written.", trustedPath));
            }
        }

        return diagnostics;
    }

    private static List<string> Differing(ProtectedSecretRecord row, ProtectedSecretRecord copy)
    {
        var fields = new List<string>();
        if (!string.Equals(row.MasterKeyId, copy.MasterKeyId, StringComparison.Ordinal))
        {
            fields.Add("MasterKeyId");
        }

        if (!Same(row.ProtectedDocumentKey, copy.ProtectedDocumentKey))
        {
            fields.Add("ProtectedDocumentKey");
        }

        if (!Same(row.InitialisationVector, copy.InitialisationVector))
        {
            fields.Add("InitialisationVector");
        }

        if (!Same(row.ProtectedSecretValue, copy.ProtectedSecretValue))
        {
            fields.Add("ProtectedSecretValue");
        }

        return fields;
    }

    private static bool Same(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);
}

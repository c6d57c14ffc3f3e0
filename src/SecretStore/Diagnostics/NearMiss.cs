namespace SecretStore.Diagnostics;

/// <summary>
/// "Did you mean ...?": the candidate a misspelt name most likely meant, for messages that name the fix. One rule for
/// every place that suggests (settings members, applications of placeholders, CLI commands).
/// </summary>
public static class NearMiss
{
    /// <summary>
    /// The candidate <paramref name="name"/> most likely meant: the same but for case, else one typo away (names of
    /// up to 4 characters) or two; null when none is that close. An exact match is not a near miss.
    /// </summary>
    public static string? Suggest(string name, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(candidates);
        var list = candidates.Where(c => !string.Equals(c, name, StringComparison.Ordinal)).ToList();
        if (list.FirstOrDefault(c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase)) is { } sameButCase)
        {
            return sameButCase;
        }

        // Short names are a typo away from everything; two edits only for the longer ones.
        var allowed = name.Length <= 4 ? 1 : 2;
        return list
            .Select(c => (Candidate: c, Distance: Distance(name.ToUpperInvariant(), c.ToUpperInvariant())))
            .Where(c => c.Distance <= allowed)
            .OrderBy(c => c.Distance)
            .Select(c => c.Candidate)
            .FirstOrDefault();
    }

    /// <summary>Levenshtein distance (insert, delete, replace).</summary>
    internal static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var replace = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(replace, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}

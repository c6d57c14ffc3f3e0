using Microsoft.Extensions.FileSystemGlobbing;

namespace SecretStore.Resolution;

/// <summary>
/// Expands file arguments: a plain path is kept as given (made absolute) even when it does not exist, so the
/// resolver reports it (<c>SSB1009</c>); a glob (<c>*</c>, <c>?</c>, <c>**</c>) is matched on disk; an entry
/// starting with <c>!</c> excludes the files its glob matches.
/// </summary>
public static class FileGlobs
{
    private static readonly char[] GlobChars = ['*', '?', '['];

    /// <summary>Expands <paramref name="patternsOrPaths"/> relative to <paramref name="baseDirectory"/>; duplicates are dropped, order kept.</summary>
    public static IReadOnlyList<string> Expand(string baseDirectory, IEnumerable<string> patternsOrPaths)
    {
        ArgumentNullException.ThrowIfNull(baseDirectory);
        ArgumentNullException.ThrowIfNull(patternsOrPaths);
        var entries = patternsOrPaths.Where(p => !string.IsNullOrWhiteSpace(p)).ToList();
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var excluded = new HashSet<string>(StringComparer.FromComparison(comparison));
        foreach (var exclude in entries.Where(e => e.StartsWith('!')))
        {
            foreach (var file in Match(baseDirectory, exclude[1..], comparison))
            {
                excluded.Add(file);
            }
        }

        var seen = new HashSet<string>(StringComparer.FromComparison(comparison));
        var result = new List<string>();
        foreach (var entry in entries.Where(e => !e.StartsWith('!')))
        {
            var files = entry.IndexOfAny(GlobChars) >= 0
                ? Match(baseDirectory, entry, comparison)
                : [Path.GetFullPath(entry, Path.GetFullPath(baseDirectory))];
            foreach (var file in files)
            {
                if (!excluded.Contains(file) && seen.Add(file))
                {
                    result.Add(file);
                }
            }
        }

        return result;
    }

    private static IEnumerable<string> Match(string baseDirectory, string pattern, StringComparison comparison)
    {
        // The part before the first segment with a wildcard is the root to search; the rest is the glob.
        var normalized = pattern.Replace('\\', '/');
        var segments = normalized.Split('/');
        var firstGlob = Array.FindIndex(segments, s => s.IndexOfAny(GlobChars) >= 0);
        if (firstGlob < 0)
        {
            var exact = Path.GetFullPath(pattern, Path.GetFullPath(baseDirectory));
            return File.Exists(exact) ? [exact] : [];
        }

        var rootPart = string.Join('/', segments[..firstGlob]);
        var glob = string.Join('/', segments[firstGlob..]);
        var root = Path.GetFullPath(rootPart.Length == 0 && normalized.StartsWith('/') ? "/" : rootPart, Path.GetFullPath(baseDirectory));
        if (!Directory.Exists(root))
        {
            return [];
        }

        var matcher = new Matcher(comparison);
        matcher.AddInclude(glob);
        return matcher.GetResultsInFullPath(root).Select(Path.GetFullPath).Order(StringComparer.Ordinal);
    }
}

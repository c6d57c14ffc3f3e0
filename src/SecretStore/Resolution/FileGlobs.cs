using Microsoft.Extensions.FileSystemGlobbing;
using Microsoft.Extensions.FileSystemGlobbing.Abstractions;

namespace SecretStore.Resolution;

/// <summary>
/// Expands file arguments: a plain path is kept as given (made absolute) even when it does not exist, so the
/// resolver reports it (<c>SSB1009</c>); a glob (<c>*</c>, <c>?</c>, <c>**</c>) is matched on disk; an entry
/// starting with <c>!</c> excludes the files its glob matches. A glob never descends into a symbolic link to a
/// folder (or a junction): <c>publish/sub -> /elsewhere</c> is not part of <c>publish/**</c>, so a match cannot
/// lie outside the folder it was matched in. The resolver refuses a listed path that goes through such a link
/// (<c>SSB1018</c>).
/// </summary>
public static class FileGlobs
{
    private static readonly char[] GlobChars = ['*', '?', '['];

    /// <summary>Expands <paramref name="patternsOrPaths"/> relative to <paramref name="baseDirectory"/>; duplicates are dropped, order kept.</summary>
    public static IReadOnlyList<string> Expand(string baseDirectory, IEnumerable<string> patternsOrPaths) =>
        Expand(baseDirectory, patternsOrPaths, unmatched: null);

    /// <summary>
    /// Expands like <see cref="Expand(string, IEnumerable{string})"/> and adds to <paramref name="unmatched"/> each
    /// glob that matches no file on disk (an exclusion never does; a glob whose files were all excluded did match).
    /// </summary>
    public static IReadOnlyList<string> Expand(string baseDirectory, IEnumerable<string> patternsOrPaths, ICollection<string>? unmatched)
    {
        ArgumentNullException.ThrowIfNull(baseDirectory);
        ArgumentNullException.ThrowIfNull(patternsOrPaths);
        var entries = patternsOrPaths.Where(p => !string.IsNullOrWhiteSpace(p)).ToList();
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var excluded = new HashSet<string>(StringComparer.FromComparison(comparison));
        foreach (var exclude in entries.Where(IsExclusion))
        {
            foreach (var file in Match(baseDirectory, exclude[1..], comparison))
            {
                excluded.Add(file);
            }
        }

        var seen = new HashSet<string>(StringComparer.FromComparison(comparison));
        var result = new List<string>();
        foreach (var entry in entries.Where(e => !IsExclusion(e)))
        {
            var isGlob = IsGlob(entry);
            var files = isGlob
                ? Match(baseDirectory, entry, comparison).ToList()
                : [Path.GetFullPath(entry, Path.GetFullPath(baseDirectory))];
            if (isGlob && files.Count == 0)
            {
                unmatched?.Add(entry);
            }

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

    /// <summary>True when <paramref name="entry"/> has a wildcard (<c>*</c>, <c>?</c>, <c>[</c>) and is matched on disk.</summary>
    public static bool IsGlob(string entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.IndexOfAny(GlobChars) >= 0;
    }

    /// <summary>True when <paramref name="entry"/> excludes the files its glob matches (<c>!glob</c>).</summary>
    public static bool IsExclusion(string entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.StartsWith('!');
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
        var rootInfo = new NoLinkDirectory(new DirectoryInfo(root), isRoot: true);
        return matcher.Execute(rootInfo).Files
            .Select(f => Path.GetFullPath(Path.Combine(root, f.Path)))
            .Order(StringComparer.Ordinal);
    }

    private static bool IsLink(FileSystemInfo info) =>
        info.LinkTarget is not null || (info.Attributes & FileAttributes.ReparsePoint) != 0;

    /// <summary>A folder whose enumeration leaves out links to folders, so the matcher never walks through one.</summary>
    /// <param name="directory">The folder.</param>
    /// <param name="isRoot">The glob's own root is walked even when it is a link: it is the folder the user named.</param>
    private sealed class NoLinkDirectory(DirectoryInfo directory, bool isRoot = false) : DirectoryInfoBase
    {
        public override string Name => directory.Name;

        public override string FullName => directory.FullName;

        public override DirectoryInfoBase? ParentDirectory => directory.Parent is { } parent ? new NoLinkDirectory(parent) : null;

        public override IEnumerable<FileSystemInfoBase> EnumerateFileSystemInfos()
        {
            if (!directory.Exists || (!isRoot && IsLink(directory)))
            {
                yield break;
            }

            foreach (var entry in directory.EnumerateFileSystemInfos("*", SearchOption.TopDirectoryOnly))
            {
                switch (entry)
                {
                    case DirectoryInfo sub when !IsLink(sub):
                        yield return new NoLinkDirectory(sub);
                        break;
                    case FileInfo file:
                        // A file link is still matched: the resolver refuses it by name (SSB1017) instead of skipping it.
                        yield return new FileInfoWrapper(file);
                        break;
                    default:
                        break;
                }
            }
        }

        public override DirectoryInfoBase GetDirectory(string path) =>
            new NoLinkDirectory(new DirectoryInfo(Path.Combine(directory.FullName, path)));

        public override FileInfoBase GetFile(string path) => new FileInfoWrapper(new FileInfo(Path.Combine(directory.FullName, path)));
    }
}

namespace SecretStore.Resolution.Files;

/// <summary>
/// Keeps every target inside the folder it was listed in: a target's real path must be that folder's real path
/// plus the target's own relative path, so no folder between the two may be a symbolic link or junction
/// (<c>publish/sub -> /elsewhere</c> would otherwise let <c>publish/sub/appsettings.json</c> write a secret
/// outside the publish folder). Links above that folder (a workspace under a linked <c>/tmp</c>) are the
/// user's own layout and are allowed.
/// </summary>
internal static class PathContainment
{
    private static readonly StringComparison PathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>
    /// The folder <paramref name="fullPath"/> counts as listed in: <paramref name="baseDirectory"/> when the path
    /// lies (lexically) under it; else the deepest folder that holds both (an absolute path beside the working folder,
    /// such as <c>$(Pipeline.Workspace)/site</c> listed from the sources folder, must not pass through a link an
    /// earlier step planted there either); else, when they share only the file system root, the path's own folder
    /// (links such as a linked <c>/tmp</c> are the machine's layout).
    /// </summary>
    public static string RootOf(string fullPath, string baseDirectory)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(baseDirectory));
        var prefix = root + Path.DirectorySeparatorChar;
        if (fullPath.StartsWith(prefix, PathComparison) || (root.Length > 0 && IsSeparator(root[^1]) && fullPath.StartsWith(root, PathComparison)))
        {
            return root;
        }

        for (var common = Path.GetDirectoryName(root); common is not null; common = Path.GetDirectoryName(common))
        {
            if (Path.GetDirectoryName(common) is null)
            {
                break; // the file system root: not a folder anyone listed
            }

            if (IsBelow(fullPath, common))
            {
                return common;
            }
        }

        return Path.GetDirectoryName(fullPath) ?? root;
    }

    /// <summary>
    /// The first folder strictly below <paramref name="root"/> and above <paramref name="fullPath"/> that is a
    /// symbolic link or junction, or null when there is none.
    /// </summary>
    public static string? FindLinkedFolder(string root, string fullPath)
    {
        var folders = new List<string>();
        for (var folder = Path.GetDirectoryName(fullPath); folder is not null && IsBelow(folder, root); folder = Path.GetDirectoryName(folder))
        {
            folders.Add(folder);
        }

        // Outermost first: the link the user can see in the listed path.
        for (var i = folders.Count - 1; i >= 0; i--)
        {
            var info = new DirectoryInfo(folders[i]);
            if (info.LinkTarget is not null || (info.Exists && (info.Attributes & FileAttributes.ReparsePoint) != 0))
            {
                return folders[i];
            }
        }

        return null;
    }

    private static bool IsBelow(string folder, string root)
    {
        var trimmed = Path.TrimEndingDirectorySeparator(root);
        return folder.Length > trimmed.Length
            && folder.StartsWith(trimmed, PathComparison)
            && (IsSeparator(folder[trimmed.Length]) || (trimmed.Length > 0 && IsSeparator(trimmed[^1])));
    }

    private static bool IsSeparator(char c) => c == Path.DirectorySeparatorChar || c == Path.AltDirectorySeparatorChar;
}

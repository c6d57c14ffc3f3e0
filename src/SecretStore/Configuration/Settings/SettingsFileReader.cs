namespace SecretStore.Configuration.Settings;

/// <summary>
/// Finds and reads <c>secretstore.json</c>. Every problem is <c>SSB1021</c> naming the file, the line and the member:
/// a file that does not parse, an unknown member, a value of the wrong type or form.
/// </summary>
public static class SettingsFileReader
{
    /// <summary>
    /// The nearest <c>secretstore.json</c> in <paramref name="startDirectory"/> or a folder above it (like
    /// <c>global.json</c>); null when there is none up to the root.
    /// </summary>
    public static string? Find(string startDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(startDirectory);
        for (var directory = new DirectoryInfo(Path.GetFullPath(startDirectory)); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, SettingsFile.FileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Reads the file at <paramref name="path"/>; throws <c>SSB1021</c> (file, line, member) when it is not valid.</summary>
    public static SettingsFile Read(string path) => throw new NotImplementedException("settingsfile helper");

    /// <summary>Finds (from <paramref name="startDirectory"/>) and reads the settings file, or null when there is none.</summary>
    public static SettingsFile? FindAndRead(string startDirectory) => Find(startDirectory) is { } path ? Read(path) : null;
}

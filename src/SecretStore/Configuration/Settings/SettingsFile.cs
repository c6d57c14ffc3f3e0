namespace SecretStore.Configuration.Settings;

/// <summary>
/// A parsed <c>secretstore.json</c>: shared settings at the top level, named environments that override them, and
/// the environment used when none is chosen. Read by <see cref="SettingsFileReader"/>; every face finds it the same
/// way (<see cref="SettingsFileReader.Find"/>, walking up like <c>global.json</c>).
/// </summary>
public sealed record SettingsFile
{
    /// <summary>The file name every face looks for.</summary>
    public const string FileName = "secretstore.json";

    /// <summary>Full path of the file.</summary>
    public required string Path { get; init; }

    /// <summary>The top level: applies to every environment (paths relative to the file's folder).</summary>
    public required SettingsLayer Shared { get; init; }

    /// <summary>The named environments (names compared ordinally, ignoring case, like ASP.NET Core environment names).</summary>
    public IReadOnlyDictionary<string, SettingsLayer> Environments { get; init; } = new Dictionary<string, SettingsLayer>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The environment used when no face chooses one; null: the shared settings alone.</summary>
    public string? DefaultEnvironment { get; init; }

    /// <summary>Line of the <c>defaultEnvironment</c> member (1-based), for the error when it names no environment.</summary>
    public int DefaultEnvironmentLine { get; init; }
}

using SecretStore.Configuration.Settings;

namespace SecretStore.Running;

/// <summary>
/// Which store a face means: the settings file (found from <see cref="WorkingDirectory"/> or given), the chosen
/// environment, and what the face was given explicitly. The same record for every face and every command.
/// </summary>
public sealed record StoreSelection
{
    /// <summary>The folder the settings file is looked for from (project folder, script folder, working directory).</summary>
    public required string WorkingDirectory { get; init; }

    /// <summary>An explicit settings file; null finds <c>secretstore.json</c> walking up from <see cref="WorkingDirectory"/>.</summary>
    public string? SettingsFile { get; init; }

    /// <summary>The environment asked for, if any.</summary>
    public EnvironmentChoice? Environment { get; init; }

    /// <summary>What the face was given explicitly (its base folder is where relative paths of the face are taken from).</summary>
    public SettingsLayer? Explicit { get; init; }

    /// <summary>The application when no layer names one (MSBuild: the assembly name).</summary>
    public string? DefaultApplication { get; init; }

    /// <summary>Reads environment variables; null reads the process environment.</summary>
    public Func<string, string?>? EnvironmentVariables { get; init; }

    /// <summary>Reads the settings file and merges the layers (see <see cref="SettingsResolver"/>); coded errors only.</summary>
    public ResolvedSettings Resolve()
    {
        var path = string.IsNullOrWhiteSpace(SettingsFile)
            ? SettingsFileReader.Find(WorkingDirectory)
            : Path.GetFullPath(SettingsFile, WorkingDirectory);
        var file = path is null ? null : SettingsFileReader.Read(path);
        var resolved = SettingsResolver.Resolve(file, Environment, Explicit ?? new SettingsLayer { BaseDirectory = WorkingDirectory }, EnvironmentVariables);
        return resolved.Application is null && !string.IsNullOrWhiteSpace(DefaultApplication) ? resolved with { Application = DefaultApplication.Trim() } : resolved;
    }
}

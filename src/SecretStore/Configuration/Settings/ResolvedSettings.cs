namespace SecretStore.Configuration.Settings;

/// <summary>The outcome of <see cref="SettingsResolver.Resolve"/>: what a face opens and how it came about.</summary>
public sealed record ResolvedSettings
{
    /// <summary>The store settings, ready for <see cref="Stores.ISecretStoreFactory.Open"/>.</summary>
    public required StoreSettings Store { get; init; }

    /// <summary>The default application, when any layer names one.</summary>
    public string? Application { get; init; }

    /// <summary>The environment used, if any.</summary>
    public string? EnvironmentName { get; init; }

    /// <summary>The settings file read, if any.</summary>
    public string? SettingsFilePath { get; init; }

    /// <summary>True when some layer chose a storage; false leaves the store unconfigured (an error only once a secret is needed).</summary>
    public bool HasStorage { get; init; }

    /// <summary>The variables of the settings file's <c>variables</c> members (shared, then the environment's), sorted by name.</summary>
    public IReadOnlyList<Variables.VariableMapping> Variables { get; init; } = [];
}

namespace SecretStore.Extensions.Configuration;

/// <summary>What a SecretStore configuration source adds to the configuration.</summary>
public enum SecretStoreConfigurationMode
{
    /// <summary>
    /// The default: resolves the <c>#{secret:...}</c> placeholders of the configuration added before the source
    /// (appsettings*.json, environment variables, the command line), with the grammar and modifiers of the publish-time
    /// resolver. The app's files are never written.
    /// </summary>
    Placeholders = 0,

    /// <summary>Loads every secret of one application (or the names with a prefix) as configuration keys.</summary>
    Section = 1,
}

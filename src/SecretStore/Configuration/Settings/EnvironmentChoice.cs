namespace SecretStore.Configuration.Settings;

/// <summary>
/// The environment a face asks for, and whether the user chose it (<c>--env</c>, <c>SECRETSTORE_ENV</c>,
/// <c>SecretStoreEnvironment</c>, Cake <c>Environment</c>) or the face derived it (MSBuild's <c>EnvironmentName</c>).
/// Either must exist in the settings file; a derived one is ignored when there is no settings file at all.
/// </summary>
/// <param name="Name">The environment name.</param>
/// <param name="Source">What set it, for messages (<c>--env</c>, <c>SecretStoreEnvironment</c>, <c>EnvironmentName</c>).</param>
/// <param name="IsDerived">True when the face derived it rather than the user choosing it.</param>
public sealed record EnvironmentChoice(string Name, string Source, bool IsDerived = false);

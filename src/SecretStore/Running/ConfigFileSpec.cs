namespace SecretStore.Running;

/// <summary>
/// One entry of the files to resolve: a path or a glob (<c>*</c>, <c>**</c>, <c>?</c>) relative to the run's base
/// folder, or <c>!glob</c> to exclude. An optional plain path that does not exist is skipped; a required one is
/// reported (<c>SSB1009</c>).
/// </summary>
/// <param name="Pattern">The path, glob or exclusion.</param>
/// <param name="Optional">True: skip the path when it does not exist (MSBuild <c>Optional="true"</c> metadata).</param>
public sealed record ConfigFileSpec(string Pattern, bool Optional = false);

using SecretStore.Diagnostics;

namespace SecretStore.Running;

/// <summary>
/// One entry of the files to resolve: a path or a glob (<c>*</c>, <c>**</c>, <c>?</c>) relative to the run's base
/// folder, or <c>!glob</c> to exclude. An optional plain path that does not exist is skipped; a required one is
/// reported (<c>SSB1009</c>). A glob that matches nothing adds nothing, so being optional means nothing for it.
/// </summary>
/// <param name="Pattern">The path, glob or exclusion.</param>
/// <param name="Optional">True: skip the path when it does not exist (MSBuild <c>Optional="true"</c> metadata).</param>
public sealed record ConfigFileSpec(string Pattern, bool Optional = false)
{
    private static readonly char[] GlobChars = ['*', '?', '['];

    /// <summary>True when <paramref name="text"/> is a glob or an exclusion (<c>!glob</c>) rather than one plain path.</summary>
    public static bool IsPattern(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.StartsWith('!') || text.IndexOfAny(GlobChars) >= 0;
    }

    /// <summary>
    /// An optional plain path given apart from the files (CLI <c>--optional-file</c>, the action's and template's
    /// optional files through it). A glob or exclusion there is <c>SSB0001</c>: the runner already skips a glob that
    /// matches nothing, so optional is for plain paths only.
    /// </summary>
    /// <param name="path">The path, relative to the run's base folder or absolute.</param>
    /// <param name="setting">The option or setting it came from, named in the error.</param>
    public static ConfigFileSpec OptionalPath(string path, string setting)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(setting);
        return IsPattern(path)
            ? throw new SecretStoreException(
                DiagnosticCodes.InvalidArgument,
                $"{setting} '{path}' is a glob or an exclusion, but an optional file is one plain path (skipped when it does not exist). Give the glob with the other files instead: a glob that matches nothing is skipped already.")
            : new ConfigFileSpec(path, Optional: true);
    }
}

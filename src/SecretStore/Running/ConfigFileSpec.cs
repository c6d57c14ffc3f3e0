using SecretStore.Diagnostics;
using SecretStore.Resolution;

namespace SecretStore.Running;

/// <summary>
/// One entry of the files to resolve: a path or a glob (<c>*</c>, <c>**</c>, <c>?</c>) relative to the run's base
/// folder, or <c>!glob</c> to exclude. A required entry that finds nothing is an error in every face: a plain path
/// that does not exist is reported by the resolver (<c>SSB1009</c> at the path), a glob that matches no file by the
/// runner (<c>SSB1009</c> naming the glob). An optional entry that finds nothing is skipped. The rule is the same in
/// MSBuild (<c>Optional="true"</c>), Cake (<c>OptionalFiles</c>), the CLI (<c>--optional-file</c>) and the CI steps,
/// because a release step that resolves nothing it was told to is a broken release, not a quiet success.
/// </summary>
/// <param name="Pattern">The path, glob or exclusion.</param>
/// <param name="Optional">True: skip the entry when it finds no file (MSBuild <c>Optional="true"</c> metadata).</param>
/// <param name="Format">
/// The format of the files the entry finds, instead of the one their extension gives (MSBuild <c>Format</c> metadata,
/// CLI <c>--format</c>, Cake <c>SecretStoreSettings.Format</c>); null: by extension. A later entry's wins.
/// </param>
public sealed record ConfigFileSpec(string Pattern, bool Optional = false, Resolution.Formats.FileFormat? Format = null)
{
    /// <summary>True when <paramref name="text"/> is a glob or an exclusion (<c>!glob</c>) rather than one plain path.</summary>
    public static bool IsPattern(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return IsExclusion(text) || FileGlobs.IsGlob(text);
    }

    /// <summary>True when <paramref name="text"/> excludes the files its glob matches (<c>!glob</c>).</summary>
    public static bool IsExclusion(string text) => FileGlobs.IsExclusion(text);

    /// <summary>
    /// An optional path or glob given apart from the files (CLI <c>--optional-file</c>, the action's and template's
    /// optional files through it, Cake <c>OptionalFiles</c>). An exclusion there is <c>SSB0001</c>: it finds no file
    /// to be optional about, and it belongs with the files.
    /// </summary>
    /// <param name="pathOrGlob">The path or glob, relative to the run's base folder or absolute.</param>
    /// <param name="setting">The option or setting it came from, named in the error.</param>
    /// <param name="format">The format of the files it finds, or null: by extension.</param>
    public static ConfigFileSpec OptionalEntry(string pathOrGlob, string setting, Resolution.Formats.FileFormat? format = null)
    {
        ArgumentNullException.ThrowIfNull(pathOrGlob);
        ArgumentNullException.ThrowIfNull(setting);
        return IsExclusion(pathOrGlob)
            ? throw new SecretStoreException(
                DiagnosticCodes.InvalidArgument,
                $"{setting} '{pathOrGlob}' is an exclusion, but an optional entry is a path or glob that may find no file. Fix: give the exclusion with the other files instead.")
            : new ConfigFileSpec(pathOrGlob, Optional: true, format);
    }
}

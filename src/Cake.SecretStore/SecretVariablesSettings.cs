using Cake.Core.IO;

namespace Cake.SecretStore;

/// <summary>
/// Which secrets become which environment variables, for <c>RunWithSecrets</c> and <c>ExportSecrets</c>: explicit
/// <see cref="Variables"/>, every secret of the <see cref="Applications"/>, or, with neither, the <c>variables</c> of
/// <c>secretstore.json</c>. The same selection as the CLI's <c>run</c> and <c>export</c> (<c>--map</c>, <c>--app</c>,
/// <c>--prefix</c>, <c>--strict</c>), read by the same engine code.
/// </summary>
public sealed class SecretVariablesSettings
{
    /// <summary>Where the secrets live (the settings file, environment and store of the other aliases). Default: <c>secretstore.json</c> alone.</summary>
    public SecretStoreSettings Store { get; set; } = new();

    /// <summary>
    /// Explicit variables: variable name to secret, spelt as in placeholders (<c>App/Name</c>, or <c>Name</c> of the
    /// default application), as <c>--map NAME=App/Secret</c>. Names compare ordinally (case-sensitive); a name that is
    /// not ASCII letters, digits and <c>_</c> (not starting with a digit) is <c>SSB4001</c>.
    /// </summary>
    /// <example>
    /// <code>
    /// var settings = new SecretVariablesSettings();
    /// settings.Variables["ConnectionStrings__Default"] = "Shop/Db";
    /// </code>
    /// </example>
    public IDictionary<string, string> Variables { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Applications whose every secret becomes a variable, named by the rule: <c>.</c> and <c>:</c> become <c>__</c>
    /// (<c>ConnectionStrings.Default</c> gives <c>ConnectionStrings__Default</c>), as <c>--app</c>.
    /// </summary>
    public IList<string> Applications { get; } = new List<string>();

    /// <summary>Put in front of the names made for <see cref="Applications"/> (not of <see cref="Variables"/>), as <c>--prefix</c>.</summary>
    public string? Prefix { get; set; }

    /// <summary>True (the default): a missing secret fails before anything is started or written (<c>SSB2001</c>); false: warning <c>SSB4007</c> and the variable is left unset.</summary>
    public bool Strict { get; set; } = true;

    /// <summary>
    /// <c>RunWithSecrets</c>: the command's arguments, each passed as one argument as it is: never split at spaces,
    /// never seen by a shell. Never put a value here; the process list shows arguments to every user.
    /// </summary>
    public IList<string> Arguments { get; } = new List<string>();

    /// <summary>
    /// <c>RunWithSecrets</c>: start the command with only the secrets and a minimal set of the current variables
    /// (PATH, HOME, USER, LANG, TERM, TMPDIR...; docs/cli.md lists them), as <c>--pristine</c>.
    /// </summary>
    public bool Pristine { get; set; }

    /// <summary>
    /// <c>RunWithSecrets</c>: a variable that is already set wins over a secret of the same name (default: the
    /// secret wins; either way warning <c>SSB4005</c> names the variable), as <c>--no-clobber</c>.
    /// </summary>
    public bool NoClobber { get; set; }

    /// <summary><c>RunWithSecrets</c>: the command's working directory. Null: the script's working directory.</summary>
    public DirectoryPath? WorkingDirectory { get; set; }

    /// <summary>
    /// <c>ExportSecrets</c>: add to the end of the output file instead of replacing it, as <c>--append</c> (for a file a
    /// CI runner hands out: <c>ExportSecrets(EnvironmentVariable("GITHUB_ENV"), "github-env", ...)</c>). A file that
    /// does not exist yet is created owner-only.
    /// </summary>
    public bool Append { get; set; }
}

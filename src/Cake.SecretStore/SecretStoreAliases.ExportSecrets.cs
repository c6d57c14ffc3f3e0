using Cake.Core;
using Cake.Core.Annotations;
using Cake.Core.IO;

namespace Cake.SecretStore;

public static partial class SecretStoreAliases
{
    /// <summary>
    /// Writes secrets as environment variable definitions to <paramref name="output"/>, in one of the formats of
    /// <c>secretstore export</c>: <c>dotenv</c> (<c>NAME='value'</c>, for docker compose, dotenv loaders and
    /// <c>set -a; . file</c>), <c>json</c>, <c>shell</c> (<c>export NAME='value'</c>), <c>github-env</c> (the runner's
    /// <c>GITHUB_ENV</c> file) or <c>azure-variables</c>. The same engine code as the CLI: a missing secret is
    /// <c>SSB2001</c> and a value the format cannot carry exactly <c>SSB4003</c>, and then nothing is written; in a
    /// GitHub Actions or Azure Pipelines run every value form is masked first (on stderr). The file is created
    /// owner-only (600) and replaced atomically, or, with <see cref="SecretVariablesSettings.Append"/>, added to.
    /// <para>
    /// Risks: the file holds the clear values. Write it outside the repository and outside any folder that is
    /// published, packed, cached or uploaded as an artifact, and delete it when it is no longer needed. A
    /// <c>github-env</c> export makes the values variables of every later step of the job; the masks registered here
    /// cover the log of the whole job.
    /// </para>
    /// </summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="output">The file, relative to the script's working directory.</param>
    /// <param name="format"><c>dotenv</c>, <c>json</c>, <c>shell</c>, <c>github-env</c> or <c>azure-variables</c> (ignoring case); anything else is <c>SSB0001</c>.</param>
    /// <param name="settings">The secrets, the store and <see cref="SecretVariablesSettings.Append"/>.</param>
    /// <example>
    /// <code>
    /// var settings = new SecretVariablesSettings();
    /// settings.Applications.Add("Shop");
    /// ExportSecrets("/run/user/1000/shop.env", "dotenv", settings);
    ///
    /// // In a GitHub Actions job: the later steps get the variables, masked.
    /// ExportSecrets(EnvironmentVariable("GITHUB_ENV"), "github-env", new SecretVariablesSettings { Append = true, Applications = { "Shop" } });
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static void ExportSecrets(this ICakeContext context, FilePath output, string format, SecretVariablesSettings settings) =>
        CakeBridge.Export(context, output, format, settings);
}

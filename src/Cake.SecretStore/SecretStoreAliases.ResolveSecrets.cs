using Cake.Core;
using Cake.Core.Annotations;
using Cake.Core.IO;
using SecretStore.Resolution;
using SecretStore.Running;

namespace Cake.SecretStore;

/// <summary>
/// Aliases that put secrets from a SecretStore (a file store with an RSA keyring, or DynamoDB + KMS) into
/// config files, check them, and read or write single secrets. Every problem is logged with its SSB code and
/// fails the task; no alias ever logs a secret value.
/// </summary>
[CakeAliasCategory("SecretStore")]
[CakeNamespaceImport("Cake.SecretStore")]
[CakeNamespaceImport("SecretStore.Configuration")]
[CakeNamespaceImport("SecretStore.Resolution")]
[CakeNamespaceImport("SecretStore.Resolution.Reporting")]
[CakeNamespaceImport("SecretStore.Running")]
[CakeNamespaceImport("SecretStore.Secrets")]
public static partial class SecretStoreAliases
{
    /// <summary>
    /// Replaces the secret placeholders (<c>#{secret:App/Name}</c>) in the files matching <paramref name="pattern"/>
    /// with values from the default file store (<c>.secretstore/</c> beside the script).
    /// </summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="pattern">A file path or glob, relative to the working directory.</param>
    /// <returns>The counts and the redacted report.</returns>
    /// <example>
    /// <code>
    /// ResolveSecrets("./publish/**/appsettings*.json");
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static RunResult ResolveSecrets(this ICakeContext context, GlobPattern pattern) =>
        ResolveSecrets(context, pattern, new SecretStoreSettings());

    /// <summary>
    /// Replaces the secret placeholders in the files matching <paramref name="pattern"/>, escaped for the place
    /// they land in. Fail closed: when anything is wrong (a missing secret, a bad placeholder), no file is changed
    /// and the alias throws a <see cref="CakeException"/> naming the SSB code.
    /// </summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="pattern">A file path or glob, relative to the working directory.</param>
    /// <param name="settings">The store and options.</param>
    /// <returns>The counts and the redacted report.</returns>
    /// <example>
    /// <code>
    /// Task("Resolve").Does(() =>
    /// {
    ///     ResolveSecrets("./publish/**/*.json", new SecretStoreSettings
    ///     {
    ///         StoreFile = "./secrets/store.json",
    ///         KeyringPath = "./secrets/keyring",
    ///         DefaultApplication = "Shop",
    ///         ReportPath = "./artifacts/secrets-report.md",
    ///     });
    /// });
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static RunResult ResolveSecrets(this ICakeContext context, GlobPattern pattern, SecretStoreSettings settings) =>
        CakeBridge.Resolve(context, CakeBridge.ExpandFiles(context, pattern), settings, ResolveMode.Resolve);

    /// <summary>Replaces the secret placeholders in the given files (for example the result of <c>GetFiles</c>).</summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="files">The files, relative to the working directory.</param>
    /// <param name="settings">The store and options.</param>
    /// <returns>The counts and the redacted report.</returns>
    /// <example>
    /// <code>
    /// ResolveSecrets(GetFiles("./publish/*.config"), settings);
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static RunResult ResolveSecrets(this ICakeContext context, IEnumerable<FilePath> files, SecretStoreSettings settings) =>
        CakeBridge.Resolve(context, CakeBridge.ExpandFiles(context, files), settings, ResolveMode.Resolve);
}

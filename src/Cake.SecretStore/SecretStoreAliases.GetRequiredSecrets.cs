using Cake.Core;
using Cake.Core.Annotations;
using Cake.Core.IO;
using SecretStore.Resolution;
using SecretStore.Resolution.Reporting;

namespace Cake.SecretStore;

public static partial class SecretStoreAliases
{
    /// <summary>
    /// Lists the secrets that the placeholders in the files matching <paramref name="pattern"/> name: application,
    /// name, whether optional, how often referenced. Reads no value and needs no store or keys.
    /// </summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="pattern">A file path or glob, relative to the working directory.</param>
    /// <returns>The required secrets, sorted by application and name.</returns>
    /// <example>
    /// <code>
    /// foreach (var secret in GetRequiredSecrets("./config/*.json"))
    /// {
    ///     Information("{0}/{1}", secret.Application, secret.Name);
    /// }
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static IReadOnlyList<RequiredSecret> GetRequiredSecrets(this ICakeContext context, GlobPattern pattern) =>
        GetRequiredSecrets(context, pattern, new SecretStoreSettings());

    /// <summary>
    /// Lists the secrets that the placeholders in the files matching <paramref name="pattern"/> name. Only the
    /// default application and placeholder options of <paramref name="settings"/> are used; no store is opened.
    /// </summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="pattern">A file path or glob, relative to the working directory.</param>
    /// <param name="settings">The default application, report path and placeholder options.</param>
    /// <returns>The required secrets, sorted by application and name.</returns>
    /// <example>
    /// <code>
    /// var required = GetRequiredSecrets("./config/*.json", new SecretStoreSettings { DefaultApplication = "Shop" });
    /// Information("{0} secret(s) needed", required.Count);
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static IReadOnlyList<RequiredSecret> GetRequiredSecrets(this ICakeContext context, GlobPattern pattern, SecretStoreSettings settings) =>
        CakeBridge.Resolve(context, CakeBridge.ExpandFiles(context, pattern), settings, ResolveMode.List).RequiredSecrets;

    /// <summary>Lists the secrets that the placeholders in the given files name.</summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="files">The files, relative to the working directory.</param>
    /// <param name="settings">The default application, report path and placeholder options.</param>
    /// <returns>The required secrets, sorted by application and name.</returns>
    /// <example>
    /// <code>
    /// var required = GetRequiredSecrets(GetFiles("./config/*.xml"), settings);
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static IReadOnlyList<RequiredSecret> GetRequiredSecrets(this ICakeContext context, IEnumerable<FilePath> files, SecretStoreSettings settings) =>
        CakeBridge.Resolve(context, CakeBridge.ExpandFiles(context, files), settings, ResolveMode.List).RequiredSecrets;
}

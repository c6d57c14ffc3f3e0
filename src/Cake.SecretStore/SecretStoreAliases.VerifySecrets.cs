using Cake.Core;
using Cake.Core.Annotations;
using Cake.Core.IO;
using SecretStore.Resolution;
using SecretStore.Running;

namespace Cake.SecretStore;

public static partial class SecretStoreAliases
{
    /// <summary>
    /// Checks that every placeholder in the files matching <paramref name="pattern"/> resolves (the secret exists,
    /// decrypts, and can be written safely where it stands) against the default file store; writes no file.
    /// </summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="pattern">A file path or glob, relative to the working directory.</param>
    /// <returns>The counts and the redacted report.</returns>
    /// <example>
    /// <code>
    /// VerifySecrets("./src/**/appsettings.Production.json");
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static RunResult VerifySecrets(this ICakeContext context, GlobPattern pattern) =>
        VerifySecrets(context, pattern, new SecretStoreSettings());

    /// <summary>
    /// Checks that every placeholder in the files matching <paramref name="pattern"/> resolves; writes no file.
    /// Throws a <see cref="CakeException"/> naming the SSB code when one does not.
    /// </summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="pattern">A file path or glob, relative to the working directory.</param>
    /// <param name="settings">The store and options.</param>
    /// <returns>The counts and the redacted report.</returns>
    /// <example>
    /// <code>
    /// Task("Verify").Does(() => VerifySecrets("./config/*.json", new SecretStoreSettings { DefaultApplication = "Shop" }));
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static RunResult VerifySecrets(this ICakeContext context, GlobPattern pattern, SecretStoreSettings settings) =>
        CakeBridge.Resolve(context, CakeBridge.ExpandFiles(context, pattern), settings, ResolveMode.Verify);

    /// <summary>Checks that every placeholder in the given files resolves; writes no file.</summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="files">The files, relative to the working directory.</param>
    /// <param name="settings">The store and options.</param>
    /// <returns>The counts and the redacted report.</returns>
    /// <example>
    /// <code>
    /// VerifySecrets(GetFiles("./config/*.xml"), settings);
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static RunResult VerifySecrets(this ICakeContext context, IEnumerable<FilePath> files, SecretStoreSettings settings) =>
        CakeBridge.Resolve(context, CakeBridge.ExpandFiles(context, files), settings, ResolveMode.Verify);
}

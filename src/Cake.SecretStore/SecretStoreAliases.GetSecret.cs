using Cake.Core;
using Cake.Core.Annotations;
using Cake.Core.Diagnostics;
using SecretStore.Secrets;

namespace Cake.SecretStore;

public static partial class SecretStoreAliases
{
    /// <summary>
    /// Reads one secret from the store of <c>secretstore.json</c> and returns its clear value to the script.
    /// <para>
    /// Risk: from here on the value is in script code, outside SecretStore's care. Passing it to
    /// <c>Information</c>, a tool's arguments (which Cake logs), an environment variable or a file can leak it
    /// into build logs. Prefer <c>ResolveSecrets</c>, which writes values only into the listed files.
    /// </para>
    /// </summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="application">The application the secret belongs to.</param>
    /// <param name="name">The secret's name.</param>
    /// <returns>The clear value.</returns>
    /// <example>
    /// <code>
    /// var token = GetSecret("Shop", "NuGetApiKey");
    /// DotNetNuGetPush(package, new DotNetNuGetPushSettings { ApiKey = token });
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static string GetSecret(this ICakeContext context, string application, string name) =>
        GetSecret(context, application, name, new SecretStoreSettings());

    /// <summary>
    /// Reads one secret and returns its clear value to the script. Throws a <see cref="CakeException"/> with
    /// <c>SSB2001</c> when it does not exist.
    /// <para>
    /// Risk: from here on the value is in script code, outside SecretStore's care. Never log it; Cake logs tool
    /// arguments at diagnostic verbosity, so pass it through settings that Cake redacts or through stdin.
    /// </para>
    /// </summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="application">The application; null uses <see cref="SecretStoreSettings.DefaultApplication"/>.</param>
    /// <param name="name">The secret's name.</param>
    /// <param name="settings">The store.</param>
    /// <returns>The clear value.</returns>
    /// <example>
    /// <code>
    /// var settings = new SecretStoreSettings { StoreFile = "./secrets/store.json", KeyringPath = "./secrets/keyring" };
    /// var token = GetSecret("Shop", "NuGetApiKey", settings);
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static string GetSecret(this ICakeContext context, string? application, string name, SecretStoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(settings);
        var secret = CakeBridge.GetMasked(context, application, name, settings);
        CakeBridge.Verbose(context, $"SecretStore: read {secret.Metadata.Id} (revision {secret.Metadata.Revision}).");
        return secret.Value;
    }
}

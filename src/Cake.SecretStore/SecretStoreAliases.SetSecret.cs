using Cake.Core;
using Cake.Core.Annotations;
using Cake.Core.Diagnostics;
using SecretStore.Secrets;
using SecretStore.Stores;

namespace Cake.SecretStore;

public static partial class SecretStoreAliases
{
    /// <summary>Protects <paramref name="value"/> and saves it in the default file store as a new revision.</summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="application">The application the secret belongs to.</param>
    /// <param name="name">The secret's name.</param>
    /// <param name="value">The clear value; never logged. Empty, null (an unset variable) or whitespace-only is refused (<c>SSB2017</c>).</param>
    /// <returns>The new record's metadata (no value).</returns>
    /// <example>
    /// <code>
    /// SetSecret("Shop", "DbPassword", EnvironmentVariable("NEW_DB_PASSWORD"));
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static SecretMetadata SetSecret(this ICakeContext context, string application, string name, string? value) =>
        SetSecret(context, application, name, value, new SecretStoreSettings());

    /// <summary>
    /// Protects <paramref name="value"/> under the settings' key (or the store's default key) and saves it as a
    /// new revision. The value is never logged; keep it out of the script's own logging as well. An empty, null or
    /// whitespace-only value is refused (<c>SSB2017</c>, nothing written) unless <see cref="SecretStoreSettings.AllowEmpty"/>;
    /// the log line says which revision was replaced (<c>revision 3 -> 4</c>, or <c>revision 1 (new)</c>).
    /// </summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="application">The application; null uses <see cref="SecretStoreSettings.DefaultApplication"/>.</param>
    /// <param name="name">The secret's name.</param>
    /// <param name="value">The clear value; never logged.</param>
    /// <param name="settings">The store and the key id for writes.</param>
    /// <returns>The new record's metadata (no value).</returns>
    /// <example>
    /// <code>
    /// SetSecret("Shop", "DbPassword", EnvironmentVariable("NEW_DB_PASSWORD"), new SecretStoreSettings
    /// {
    ///     Storage = "dynamodb:secrets",
    ///     Protection = "kms",
    ///     Region = "eu-west-1",
    ///     KeyId = "alias/shop",
    /// });
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static SecretMetadata SetSecret(this ICakeContext context, string? application, string name, string? value, SecretStoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(settings);

        // EnvironmentVariable("X") is null when the CI variable is unset: refused like an empty value (SSB2017).
        value ??= string.Empty;
        var options = new SetSecretOptions { KeyId = settings.KeyId, AllowEmpty = settings.AllowEmpty };
        var metadata = CakeBridge.WithStore(context, settings, (store, defaultApplication) => store.SetAsync(CakeBridge.Id(application, name, defaultApplication), value, options));
        CakeBridge.Information(context, $"SecretStore: saved {metadata.Id} ({metadata.RevisionChange}).");
        foreach (var warning in WriteWarnings.Of(metadata))
        {
            CakeBridge.Report(context, warning);
        }

        return metadata;
    }
}

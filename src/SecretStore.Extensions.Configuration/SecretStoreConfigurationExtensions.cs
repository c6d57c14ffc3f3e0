using Microsoft.Extensions.Configuration;

namespace SecretStore.Extensions.Configuration;

/// <summary><c>builder.Configuration.AddSecretStore(...)</c>: secrets from SecretStore in the app's configuration.</summary>
public static class SecretStoreConfigurationExtensions
{
    /// <summary>
    /// Resolves the <c>#{secret:...}</c> placeholders of the configuration added so far, with the store of
    /// <c>secretstore.json</c> and the host's environment; loads once, and fails the start on a broken secret.
    /// </summary>
    /// <example><code>
    /// var builder = WebApplication.CreateBuilder(args);
    /// builder.Configuration.AddSecretStore();
    /// </code></example>
    public static IConfigurationBuilder AddSecretStore(this IConfigurationBuilder builder) =>
        builder.AddSecretStore(_ => { });

    /// <summary>As <see cref="AddSecretStore(IConfigurationBuilder)"/>, optional or not, reloading every <paramref name="reloadInterval"/>.</summary>
    public static IConfigurationBuilder AddSecretStore(this IConfigurationBuilder builder, bool optional, TimeSpan? reloadInterval = null) =>
        builder.AddSecretStore(options =>
        {
            options.Optional = optional;
            options.ReloadInterval = reloadInterval;
        });

    /// <summary>Adds a SecretStore source configured by <paramref name="configure"/>.</summary>
    /// <example><code>
    /// builder.Configuration.AddSecretStore(options =>
    /// {
    ///     options.ReloadInterval = TimeSpan.FromMinutes(5);
    ///     options.FailurePolicy = id => id.Name.StartsWith("Optional.") ? SecretFailureAction.Skip : SecretFailureAction.Fail;
    /// });
    /// </code></example>
    public static IConfigurationBuilder AddSecretStore(this IConfigurationBuilder builder, Action<SecretStoreConfigurationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new SecretStoreConfigurationOptions();
        configure(options);
        if (options.ReloadInterval is { } interval && interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(configure), "ReloadInterval must be positive, or null to load once.");
        }

        if (options.MaxConcurrency < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(configure), "MaxConcurrency must be at least 1.");
        }

        if (options.ReloadJitter is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(configure), "ReloadJitter is a fraction from 0 up to (not including) 1.");
        }

        return builder.Add(new SecretStoreConfigurationSource(options));
    }

    /// <summary>
    /// Reloads every SecretStore source of <paramref name="configuration"/> now (a manual reload); returns true when a
    /// value changed (the reload token then fired). A failure keeps the last good values and logs <c>SSB0008</c>.
    /// </summary>
    public static async Task<bool> ReloadSecretStoreAsync(this IConfigurationRoot configuration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var changed = false;
        foreach (var provider in configuration.Providers.OfType<SecretStoreConfigurationProvider>())
        {
            changed |= await provider.ReloadAsync(cancellationToken).ConfigureAwait(false);
        }

        return changed;
    }
}

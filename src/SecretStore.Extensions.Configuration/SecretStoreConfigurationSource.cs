using Microsoft.Extensions.Configuration;

namespace SecretStore.Extensions.Configuration;

/// <summary>The configuration source <c>AddSecretStore</c> adds; <see cref="Build"/> makes its provider.</summary>
/// <param name="options">The source's options (the caller's own object; read, never changed).</param>
public sealed class SecretStoreConfigurationSource(SecretStoreConfigurationOptions options) : IConfigurationSource
{
    /// <summary>The options given to <c>AddSecretStore</c>.</summary>
    public SecretStoreConfigurationOptions Options { get; } = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>
    /// Makes the provider. Placeholder mode reads the configuration of the sources before this one: with a
    /// <see cref="ConfigurationManager"/> (<c>WebApplication.CreateBuilder</c>), its providers as they are loaded;
    /// with a <see cref="ConfigurationBuilder"/>, providers built from those sources for this provider alone.
    /// </summary>
    public IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var index = builder.Sources.IndexOf(this);
        var before = index < 0 ? builder.Sources.ToList() : builder.Sources.Take(index).ToList();
        if (builder is IConfigurationRoot root && root.Providers.Count() == before.Count)
        {
            return new SecretStoreConfigurationProvider(Options, root.Providers.ToList(), ownsEarlier: false);
        }

        var earlier = before.Select(source => source.Build(builder)).ToList();
        foreach (var provider in earlier)
        {
            provider.Load();
        }

        return new SecretStoreConfigurationProvider(Options, earlier, ownsEarlier: true);
    }
}

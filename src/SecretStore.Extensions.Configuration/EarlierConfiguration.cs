using Microsoft.Extensions.Configuration;

namespace SecretStore.Extensions.Configuration;

/// <summary>
/// The configuration the sources before a SecretStore source make, read the way <see cref="ConfigurationRoot"/> reads
/// it (every key of every provider, the last provider that has a key wins), without owning or reloading them.
/// </summary>
internal static class EarlierConfiguration
{
    public static List<KeyValuePair<string, string?>> Read(IReadOnlyList<IConfigurationProvider> providers)
    {
        var entries = new List<KeyValuePair<string, string?>>();
        Walk(providers, parentPath: null, entries);
        return entries;
    }

    private static void Walk(IReadOnlyList<IConfigurationProvider> providers, string? parentPath, List<KeyValuePair<string, string?>> entries)
    {
        IEnumerable<string> children = [];
        foreach (var provider in providers)
        {
            children = provider.GetChildKeys(children, parentPath);
        }

        foreach (var child in children.Distinct(StringComparer.OrdinalIgnoreCase).ToList())
        {
            var path = parentPath is null ? child : ConfigurationPath.Combine(parentPath, child);
            for (var i = providers.Count - 1; i >= 0; i--)
            {
                if (providers[i].TryGet(path, out var value))
                {
                    entries.Add(new(path, value));
                    break;
                }
            }

            Walk(providers, path, entries);
        }
    }
}

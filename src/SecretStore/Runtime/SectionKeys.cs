using SecretStore.Secrets;

namespace SecretStore.Runtime;

/// <summary>The documented mapping of secret names to configuration keys in section mode.</summary>
public static class SectionKeys
{
    /// <summary>
    /// Each <c>.</c> of the name becomes the configuration separator <c>:</c> (<c>ConnectionStrings.Default</c> →
    /// <c>ConnectionStrings:Default</c>); a name that already uses <c>:</c> keeps it. The application is not part of the
    /// key. Configuration keys are case-insensitive, so two names that differ only in case are an error.
    /// </summary>
    public static string Default(SecretId id) => id.Name.Replace('.', ':');

    /// <summary>A mapping that first takes <paramref name="prefix"/> off the name, then applies <see cref="Default"/>.</summary>
    public static Func<SecretId, string?> TrimPrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return id => Default(id.Name.StartsWith(prefix, StringComparison.Ordinal) && id.Name.Length > prefix.Length
            ? new SecretId(id.ApplicationName, id.Name[prefix.Length..])
            : id);
    }
}

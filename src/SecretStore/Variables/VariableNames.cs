using SecretStore.Diagnostics;

namespace SecretStore.Variables;

/// <summary>
/// The one rule from secret names to environment variable names, shared by <c>run</c>, <c>export</c>, the Cake
/// aliases and the settings file: each <c>.</c> and <c>:</c> becomes <c>__</c> (the .NET configuration convention,
/// so <c>ConnectionStrings.Default</c> and <c>ConnectionStrings:Default</c> become <c>ConnectionStrings__Default</c>,
/// which <c>AddEnvironmentVariables()</c> reads back as <c>ConnectionStrings:Default</c>), and the result must be a
/// portable name: ASCII letters, digits and <c>_</c>, not starting with a digit. Nothing else is rewritten: a name
/// such as <c>api-key</c> is an error that suggests <c>--map</c>, rather than a guess that two names could share.
/// </summary>
public static class VariableNames
{
    /// <summary>True when <paramref name="name"/> is a portable variable name (<c>[A-Za-z_][A-Za-z0-9_]*</c>).</summary>
    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The variable name of a secret name under the rule, with <paramref name="prefix"/> in front; null when the result
    /// is not a valid name (<see cref="IsValid"/>).
    /// </summary>
    public static string? FromSecretName(string secretName, string? prefix = null)
    {
        ArgumentNullException.ThrowIfNull(secretName);
        var name = (prefix ?? string.Empty) + secretName.Replace(".", "__", StringComparison.Ordinal).Replace(":", "__", StringComparison.Ordinal);
        return IsValid(name) ? name : null;
    }

    /// <summary>
    /// How variable names compare on this platform: ordinal on Unix, ignoring case on Windows, where the environment
    /// has one variable for <c>Db</c> and <c>DB</c>.
    /// </summary>
    public static StringComparer Comparer { get; } = OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    /// <summary>The explanation used in every message about an invalid name (the rule, never a value).</summary>
    internal const string RuleText = "a variable name is ASCII letters, digits and '_', not starting with a digit; '.' and ':' in a secret name become '__'";

    /// <summary><c>SSB4001</c> for a variable name given explicitly (<c>--map</c>, a settings file entry, a Cake setting).</summary>
    internal static SecretStoreException Invalid(string name, string origin) =>
        new(DiagnosticCodes.InvalidVariableName, $"'{LogText.Escape(name)}' ({origin}) is not a valid environment variable name: {RuleText}. Fix: choose a name that is.");
}

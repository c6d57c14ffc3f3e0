using SecretStore.Diagnostics;
using SecretStore.Resolution.Syntax;

namespace SecretStore.Resolution.Values;

/// <summary>
/// The placeholder grammar of the file resolver, for one value that has no file around it (a configuration value, an
/// environment variable): <c>#{secret:Name}</c>, <c>#{secret:App/Name|mod|mod}</c>, <c>##{</c> for a literal
/// <c>#{</c>. The runtime configuration provider and any caller of the engine scan values with it.
/// </summary>
public static class ValuePlaceholders
{
    /// <summary>The marker every placeholder starts with.</summary>
    public const string Prefix = PlaceholderScanner.Prefix;

    /// <summary>True when <paramref name="value"/> may hold a placeholder, an escape or a broken one (a cheap test first).</summary>
    public static bool MayContain(string? value) =>
        value is not null && value.Contains(PlaceholderScanner.Marker, StringComparison.Ordinal);

    /// <summary>
    /// Scans <paramref name="value"/>. A placeholder that names no application takes <paramref name="defaultApplication"/>;
    /// without one it is an error (<c>SSB1003</c>). Errors are diagnostics of the result, located by
    /// <paramref name="location"/> (for example <c>configuration key 'ConnectionStrings:Default'</c>).
    /// </summary>
    public static ValueScan Scan(string value, string? defaultApplication, string? location = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        var placeholders = new List<ValuePlaceholder>();
        var escapes = new List<int>();
        var errors = new List<Diagnostic>();
        if (!MayContain(value))
        {
            return new ValueScan(value, placeholders, escapes, errors);
        }

        var prefix = string.IsNullOrEmpty(location) ? string.Empty : $"{location}: ";
        foreach (var item in PlaceholderScanner.Scan(value, defaultApplication))
        {
            switch (item)
            {
                case PlaceholderItem { Placeholder: var p }:
                    placeholders.Add(new ValuePlaceholder(p.Start, p.Length, p.Text, p.Id, p.Modifiers, p.Revision));
                    break;
                case EscapeItem escape:
                    escapes.Add(escape.Start);
                    break;
                case SyntaxErrorItem error:
                    errors.Add(new Diagnostic(error.Code, DiagnosticSeverity.Error, prefix + error.Message));
                    break;
            }
        }

        return new ValueScan(value, placeholders, escapes, errors);
    }
}

using SecretStore.Resolution.Formats;

namespace SecretStore.Resolution.Mapping;

/// <summary>Finds the span a configuration path points at, in JSON, in web.config/app.config, in INI and in YAML files.</summary>
internal static class MappingTargets
{
    private const string ConnectionStringsPrefix = "ConnectionStrings:";
    private const string AppSettingsPrefix = "AppSettings:";

    /// <summary>The content spans (between the quotes) of the JSON string values at <paramref name="path"/>.</summary>
    public static List<(int Start, int End)> FindInJson(JsonLayout layout, string path)
    {
        var found = new List<(int, int)>();
        foreach (var token in layout.Strings)
        {
            // .NET configuration keys are case-insensitive.
            if (!token.IsPropertyName && string.Equals(token.Path, path, StringComparison.OrdinalIgnoreCase))
            {
                found.Add((token.Start + 1, token.End - 1));
            }
        }

        return found;
    }

    /// <summary>
    /// The values of the INI keys named <paramref name="path"/> (<c>Section:Key</c>, case-insensitive, as the INI provider
    /// names them): the whole value, or inside its outer quotes.
    /// </summary>
    public static List<(int Start, int End, EscapeContext Context)> FindInIni(IniLayout layout, string path) =>
        [.. layout.Entries
            .Where(e => string.Equals(e.Key, path, StringComparison.OrdinalIgnoreCase))
            .Select(e => (e.ValueStart, e.ValueEnd, e.Quoted ? EscapeContext.IniQuotedValue : EscapeContext.IniWholeValue))];

    /// <summary>
    /// The YAML scalars at <paramref name="path"/> (keys and sequence indexes joined by <c>:</c>, case-insensitive, in
    /// every document): plain and quoted string scalars only. An empty (null) value, a block scalar (whose chomping decides
    /// its last line break), a tagged scalar (other than <c>!!str</c>) and an anchored scalar an alias repeats are not targets.
    /// </summary>
    public static List<YamlScalar> FindInYaml(YamlLayout layout, string path) =>
        [.. layout.Scalars.Where(s => !s.IsKey
            && string.Equals(s.Path, path, StringComparison.OrdinalIgnoreCase)
            && s.Style is YamlStyle.Plain or YamlStyle.SingleQuoted or YamlStyle.DoubleQuoted
            && !(s.Style == YamlStyle.Plain && (s.Value.Length == 0 || !Escaping.YamlEscaper.ReadsAsString(s.Value)))
            && !s.Tagged
            && !layout.IsAliased(s))];

    /// <summary>The attribute value spans <paramref name="path"/> maps to in a .NET XML config file.</summary>
    public static List<(int Start, int End)> FindInXml(XmlLayout layout, string text, string path)
    {
        string elementPath, keyAttribute, valueAttribute, key;
        if (path.StartsWith(ConnectionStringsPrefix, StringComparison.OrdinalIgnoreCase))
        {
            (elementPath, keyAttribute, valueAttribute) = ("configuration/connectionStrings/add", "name", "connectionString");
            key = path[ConnectionStringsPrefix.Length..];
        }
        else
        {
            (elementPath, keyAttribute, valueAttribute) = ("configuration/appSettings/add", "key", "value");
            key = path.StartsWith(AppSettingsPrefix, StringComparison.OrdinalIgnoreCase) ? path[AppSettingsPrefix.Length..] : path;
        }

        var found = new List<(int, int)>();
        foreach (var element in layout.Elements)
        {
            if (!string.Equals(element.Path, elementPath, StringComparison.Ordinal))
            {
                continue;
            }

            var keyMatches = element.Attributes.Any(a => a.Name == keyAttribute && string.Equals(XmlLayout.DecodeAttribute(text, a), key, StringComparison.OrdinalIgnoreCase));
            if (!keyMatches)
            {
                continue;
            }

            foreach (var attribute in element.Attributes.Where(a => a.Name == valueAttribute))
            {
                found.Add((attribute.ValueStart, attribute.ValueEnd));
            }
        }

        return found;
    }
}

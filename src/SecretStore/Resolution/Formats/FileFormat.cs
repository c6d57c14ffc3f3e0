namespace SecretStore.Resolution.Formats;

/// <summary>How a file is understood: decides escaping and the shape check.</summary>
public enum FileFormat
{
    /// <summary>JSON or JSON with comments (<c>*.json</c>, <c>*.jsonc</c>).</summary>
    Json,

    /// <summary>XML (<c>*.xml</c>, <c>*.config</c>, or content starting with <c>&lt;</c>).</summary>
    Xml,

    /// <summary>Anything else: plain text.</summary>
    PlainText,
}

/// <summary>Picks the format of a file from its extension and, failing that, its first character.</summary>
internal static class FileFormatDetector
{
    /// <summary>Detects the format; <paramref name="text"/> is the decoded content without BOM.</summary>
    public static FileFormat Detect(string path, string text)
    {
        var extension = Path.GetExtension(path);
        if (extension.Equals(".json", StringComparison.OrdinalIgnoreCase) || extension.Equals(".jsonc", StringComparison.OrdinalIgnoreCase))
        {
            return FileFormat.Json;
        }

        if (extension.Equals(".xml", StringComparison.OrdinalIgnoreCase) || extension.Equals(".config", StringComparison.OrdinalIgnoreCase))
        {
            return FileFormat.Xml;
        }

        return text.StartsWith('<') ? FileFormat.Xml : FileFormat.PlainText;
    }
}

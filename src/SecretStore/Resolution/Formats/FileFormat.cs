using SecretStore.Diagnostics;

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

    /// <summary>An INI file as the .NET INI configuration provider reads it (<c>*.ini</c>).</summary>
    Ini,

    /// <summary>A Java .properties file as <c>java.util.Properties.load</c> reads it (<c>*.properties</c>).</summary>
    Properties,

    /// <summary>A .env file as docker compose, DotNetEnv and Node's dotenv read it (<c>.env</c>, <c>.env.*</c>, <c>*.env</c>).</summary>
    DotEnv,

    /// <summary>YAML 1.2 (<c>*.yaml</c>, <c>*.yml</c>): Kubernetes manifests, Helm values, compose files; one or more documents.</summary>
    Yaml,
}

/// <summary>
/// The names a file's format is given by where it is chosen by hand (MSBuild item metadata <c>Format</c>, CLI
/// <c>--format</c>, Cake <c>SecretStoreSettings.Format</c>): <c>json</c>, <c>xml</c>, <c>text</c>, <c>ini</c>, <c>properties</c>, <c>env</c>, <c>yaml</c>.
/// </summary>
public static class FileFormatNames
{
    /// <summary>The accepted names, for messages and help.</summary>
    public const string Accepted = "json, xml, text, ini, properties, env, yaml";

    /// <summary>The name of <paramref name="format"/>.</summary>
    public static string NameOf(FileFormat format) => format switch
    {
        FileFormat.Json => "json",
        FileFormat.Xml => "xml",
        FileFormat.Ini => "ini",
        FileFormat.Properties => "properties",
        FileFormat.DotEnv => "env",
        FileFormat.Yaml => "yaml",
        _ => "text",
    };

    /// <summary>Reads a name (any case; <c>plaintext</c> for <c>text</c>, <c>dotenv</c> for <c>env</c>, <c>yml</c> for <c>yaml</c>); false for anything else.</summary>
    public static bool TryParse(string? text, out FileFormat format)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "json":
                format = FileFormat.Json;
                return true;
            case "xml":
                format = FileFormat.Xml;
                return true;
            case "text" or "plaintext":
                format = FileFormat.PlainText;
                return true;
            case "ini":
                format = FileFormat.Ini;
                return true;
            case "properties":
                format = FileFormat.Properties;
                return true;
            case "env" or "dotenv":
                format = FileFormat.DotEnv;
                return true;
            case "yaml" or "yml":
                format = FileFormat.Yaml;
                return true;
            default:
                format = default;
                return false;
        }
    }

    /// <summary>Reads a name given by <paramref name="setting"/>; anything else is <c>SSB0001</c> naming the setting and the accepted names.</summary>
    public static FileFormat Parse(string setting, string text) => TryParse(text, out var format)
        ? format
        : throw new SecretStoreException(DiagnosticCodes.InvalidArgument, $"{setting} '{text}' is not a file format; use one of {Accepted} (or leave it out to choose by the file's extension).");
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

        if (extension.Equals(".ini", StringComparison.OrdinalIgnoreCase))
        {
            return FileFormat.Ini;
        }

        if (extension.Equals(".properties", StringComparison.OrdinalIgnoreCase))
        {
            return FileFormat.Properties;
        }

        if (extension.Equals(".yaml", StringComparison.OrdinalIgnoreCase) || extension.Equals(".yml", StringComparison.OrdinalIgnoreCase))
        {
            return FileFormat.Yaml;
        }

        var name = Path.GetFileName(path);
        if (extension.Equals(".env", StringComparison.OrdinalIgnoreCase) || name.StartsWith(".env.", StringComparison.OrdinalIgnoreCase))
        {
            return FileFormat.DotEnv; // .env, prod.env, .env.production, .env.local
        }

        return text.StartsWith('<') ? FileFormat.Xml : FileFormat.PlainText;
    }
}

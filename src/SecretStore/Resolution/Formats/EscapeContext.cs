namespace SecretStore.Resolution.Formats;

/// <summary>Where in a file a value lands, which decides how it is escaped.</summary>
public enum EscapeContext
{
    /// <summary>Inside a JSON string: JSON string escaping.</summary>
    JsonString,

    /// <summary>A whole JSON string token replaced by a JSON value (<c>json</c> modifier).</summary>
    JsonValue,

    /// <summary>An XML attribute value: <c>&amp;&lt;&gt;"'</c> and line breaks as character references.</summary>
    XmlAttribute,

    /// <summary>XML character data between tags: <c>&amp;&lt;&gt;</c>.</summary>
    XmlText,

    /// <summary>Inside an XML CDATA section: no escaping, <c>]]&gt;</c> refused.</summary>
    XmlCData,

    /// <summary>Any other file: plain replacement, a single line unless <c>raw</c>.</summary>
    PlainText,

    /// <summary>Part of an INI value: written as is, one line; it must read back exactly where it stands.</summary>
    IniValue,

    /// <summary>A whole unquoted INI value: quoted when the reader would otherwise trim it or take off its own outer quotes.</summary>
    IniWholeValue,

    /// <summary>Inside a double-quoted INI value: written as is, one line.</summary>
    IniQuotedValue,

    /// <summary>Part of a Java .properties value: Java escapes (backslash, line breaks, and <c>\uXXXX</c> for anything not printable ASCII).</summary>
    PropertiesValue,

    /// <summary>The start of a .properties value: as <see cref="PropertiesValue"/>, and a leading space escaped (Java skips it otherwise).</summary>
    PropertiesValueStart,

    /// <summary>Part of an unquoted .env value: written as is; what any .env reader would read otherwise is refused.</summary>
    DotEnvUnquoted,

    /// <summary>A whole unquoted .env value: unquoted, single- or double-quoted, the first that every reader reads alike.</summary>
    DotEnvWholeValue,

    /// <summary>Inside a single-quoted .env value: literal; a quote, backslash or line break is refused.</summary>
    DotEnvSingleQuoted,

    /// <summary>Inside a double-quoted .env value: a line break as <c>\n</c>; a quote, backslash or <c>$</c> is refused.</summary>
    DotEnvDoubleQuoted,

    /// <summary>Part of a plain YAML scalar: written as is when it stays one plain string, else the scalar switches to double quotes or the value is refused.</summary>
    YamlPlain,

    /// <summary>Inside a single-quoted YAML scalar: <c>''</c> for a quote; a value it cannot hold switches the scalar to double quotes or is refused.</summary>
    YamlSingleQuoted,

    /// <summary>Inside a double-quoted YAML scalar: backslash escapes.</summary>
    YamlDoubleQuoted,

    /// <summary>Inside a literal block scalar (<c>|</c>): each line break of the value followed by the block's indentation.</summary>
    YamlLiteral,

    /// <summary>Inside a folded block scalar (<c>&gt;</c>): each line break of the value as an empty line, then the block's indentation.</summary>
    YamlFolded,

    /// <summary>A whole quoted YAML scalar replaced by a JSON value (<c>json</c> modifier), written on one line as a flow value.</summary>
    YamlJsonValue,
}

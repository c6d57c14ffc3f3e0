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
}

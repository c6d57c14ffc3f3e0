namespace SecretStore.Resolution.Text;

/// <summary>The encodings a file is read and written back in. The BOM, if any, is kept as it was.</summary>
public enum TextEncodingKind
{
    /// <summary>UTF-8 without a byte order mark.</summary>
    Utf8,

    /// <summary>UTF-8 with a byte order mark (EF BB BF).</summary>
    Utf8Bom,

    /// <summary>UTF-16 little endian with a byte order mark (FF FE).</summary>
    Utf16LittleEndian,

    /// <summary>UTF-16 big endian with a byte order mark (FE FF).</summary>
    Utf16BigEndian,
}

namespace SecretStore.Resolution.Syntax;

/// <summary>The modifiers a placeholder may carry after <c>|</c>.</summary>
[Flags]
public enum PlaceholderModifiers
{
    /// <summary>No modifier: the value is escaped for the context it lands in.</summary>
    None = 0,

    /// <summary><c>json</c>: the whole JSON string token is replaced by the value parsed as a JSON value.</summary>
    Json = 1,

    /// <summary><c>base64</c>: the UTF-8 bytes of the value are Base64-encoded.</summary>
    Base64 = 2,

    /// <summary><c>raw</c>: no escaping; the shape check still runs.</summary>
    Raw = 4,

    /// <summary><c>optional</c>: a missing secret keeps the placeholder and gives a warning.</summary>
    Optional = 8,

    /// <summary>
    /// <c>literal</c>: the value may contain placeholder text (<c>#{secret:...}</c>); every <c>#</c> of it is written
    /// as the format's character escape (JSON <c>\u0023</c>, XML <c>&amp;#35;</c>), so no later resolve of the file
    /// can read it as a placeholder. Plain text and CDATA have no such escape and refuse it (<c>SSB1019</c>).
    /// </summary>
    Literal = 16,
}

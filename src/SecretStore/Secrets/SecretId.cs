namespace SecretStore.Secrets;

/// <summary>
/// Identifies a secret: an application name and a secret name. Both are case-sensitive and may hold any
/// Unicode text, but not a lone surrogate (it has no UTF-8 form).
/// </summary>
public readonly record struct SecretId
{
    /// <summary>Creates an id; throws <see cref="ArgumentException"/> for null or empty parts.</summary>
    public SecretId(string applicationName, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(applicationName);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ApplicationName = applicationName;
        Name = name;
    }

    /// <summary>The application (DynamoDB partition key <c>ApplicationName</c>).</summary>
    public string ApplicationName { get; }

    /// <summary>The secret name (DynamoDB sort key <c>SecretName</c>).</summary>
    public string Name { get; }

    /// <summary>True when both parts can be encoded as UTF-8 (no lone surrogates).</summary>
    public bool IsWellFormed => IsWellFormedText(ApplicationName) && IsWellFormedText(Name);

    /// <summary>
    /// Parses a secret reference the way placeholders spell it, for every face (CLI arguments, mappings, Cake calls):
    /// <c>Application/Name</c>, or <c>Name</c> with <paramref name="defaultApplication"/>. The application ends at the
    /// first <c>/</c>; a <c>/</c> or <c>\</c> inside a name is written <c>\/</c> or <c>\\</c>, so <c>a/b/c</c> is an
    /// error here exactly as it is in <c>#{secret:a/b/c}</c>. Parts are not trimmed: whitespace at an edge is an error.
    /// Throws <c>SSB0001</c>; the message does not repeat <paramref name="text"/> (it may be a value typed in the wrong place).
    /// </summary>
    public static SecretId Parse(string? text, string? defaultApplication = null) =>
        TryParse(text, defaultApplication, out var id, out var problem)
            ? id
            : throw new Diagnostics.SecretStoreException(Diagnostics.DiagnosticCodes.InvalidArgument, $"The secret reference {problem}.");

    /// <summary>The non-throwing <see cref="Parse"/>: <paramref name="problem"/> completes "The secret reference ..." when false.</summary>
    public static bool TryParse(string? text, string? defaultApplication, out SecretId id, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        id = default;
        if (string.IsNullOrEmpty(text))
        {
            problem = "is empty; write Application/Name or Name";
            return false;
        }

        var parts = new List<System.Text.StringBuilder> { new() };
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length && text[i + 1] is '/' or '\\')
            {
                parts[^1].Append(text[i + 1]);
                i++;
            }
            else if (c == '/')
            {
                parts.Add(new());
            }
            else
            {
                parts[^1].Append(c);
            }
        }

        if (parts.Count > 2)
        {
            problem = "has more than one '/'; write Application/Name, and escape a '/' that belongs to a name as '\\/'";
            return false;
        }

        var application = (parts.Count == 2 ? parts[0].ToString() : defaultApplication) ?? string.Empty;
        var name = parts[^1].ToString();
        if (parts.Count == 1 && application.Length == 0)
        {
            problem = "names no application and no default application is set; write Application/Name";
            return false;
        }

        if (!IsValidPart(application) || !IsValidPart(name))
        {
            problem = "has an empty application or name, whitespace at the edge of one, or a lone UTF-16 surrogate";
            return false;
        }

        id = new SecretId(application, name);
        problem = null;
        return true;
    }

    /// <summary><c>application/name</c>, for messages. Names are not values, so they may be shown.</summary>
    public override string ToString() => $"{ApplicationName}/{Name}";

    internal static bool IsWellFormedText(string text) => !HasLoneSurrogate(text);

    private static bool IsValidPart(string part) =>
        part.Length > 0 && !char.IsWhiteSpace(part[0]) && !char.IsWhiteSpace(part[^1]) && IsWellFormedText(part);

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return true;
                }

                i++;
            }
            else if (char.IsLowSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }
}

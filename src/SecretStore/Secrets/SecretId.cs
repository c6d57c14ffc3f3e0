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

    /// <summary><c>application/name</c>, for messages. Names are not values, so they may be shown.</summary>
    public override string ToString() => $"{ApplicationName}/{Name}";

    internal static bool IsWellFormedText(string text) => !HasLoneSurrogate(text);

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

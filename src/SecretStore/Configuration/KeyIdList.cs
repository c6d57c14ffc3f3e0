namespace SecretStore.Configuration;

/// <summary>
/// Parses a list of master key ids written as one text (<c>SECRETSTORE_ALLOWED_KEY_IDS</c> with commas, the MSBuild
/// property with semicolons) into <see cref="StoreSettings.AllowedKeyIds"/>: once here, so every face reads it alike.
/// Key ARNs, key ids and alias names never contain a comma or a semicolon.
/// </summary>
public static class KeyIdList
{
    /// <summary>The entries of <paramref name="text"/> split at commas and semicolons, trimmed, empty ones and repeats dropped.</summary>
    public static IReadOnlyList<string> Parse(string? text) =>
        string.IsNullOrWhiteSpace(text)
            ? []
            : [.. text.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal)];

    /// <summary>The entries of several texts (a repeatable option, an item list), each parsed by <see cref="Parse(string?)"/>.</summary>
    public static IReadOnlyList<string> Parse(IEnumerable<string?>? texts) =>
        texts is null ? [] : [.. texts.SelectMany(t => Parse(t)).Distinct(StringComparer.Ordinal)];
}

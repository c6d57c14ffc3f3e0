using System.Security.Cryptography;

namespace SecretStore.Repositories;

/// <summary>
/// Store ids (docs/format.md, "Store id"): 128 random bits as 32 lowercase hex digits, made once when a store is
/// created and never changed, so that a record bound to one store does not open in another that shares its key.
/// </summary>
public static class StoreIds
{
    /// <summary>The most characters a store id may have.</summary>
    public const int MaxLength = 64;

    /// <summary>A new random store id.</summary>
    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// Whether <paramref name="value"/> can be a store id: 8 to <see cref="MaxLength"/> ASCII letters, digits, <c>-</c>,
    /// <c>_</c> or <c>.</c> (ours are hex; the rest leaves room for ids a team picks, which must still be unique).
    /// </summary>
    public static bool IsWellFormed(string? value) =>
        value is { Length: >= 8 and <= MaxLength } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}

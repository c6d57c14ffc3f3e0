using System.Runtime.CompilerServices;
using System.Text;

namespace SecretStore.Resolution.Formats;

/// <summary>
/// Reads an INI file with the .NET INI configuration provider's own reader
/// (<c>IniStreamConfigurationProvider.Read</c>), the parser every .NET host applies to it: the keys (<c>Section:Key</c>,
/// case-insensitive, in file order) and their values. Its error messages quote the offending line, which may hold a
/// value: they are never shown.
/// </summary>
internal static class IniShape
{
    /// <summary>The keys and values, or null when the reader refuses the text.</summary>
    public static IReadOnlyList<KeyValuePair<string, string?>>? TryRead(string text)
    {
        try
        {
            return Read(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Whether the two files have the same keys in the same order (the shape of an INI file).</summary>
    public static bool SameKeys(IReadOnlyList<KeyValuePair<string, string?>> input, IReadOnlyList<KeyValuePair<string, string?>> output) =>
        input.Select(p => p.Key).SequenceEqual(output.Select(p => p.Key), StringComparer.OrdinalIgnoreCase);

    // Kept apart so that the provider's assemblies load only when an INI file is resolved.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<KeyValuePair<string, string?>> Read(string text)
    {
        using var stream = new MemoryStream(new UTF8Encoding(false).GetBytes(text));
        return [.. Microsoft.Extensions.Configuration.Ini.IniStreamConfigurationProvider.Read(stream)];
    }
}

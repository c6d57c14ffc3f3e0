using System.Text;
using System.Globalization;

namespace SecretStore.Secrets;

/// <summary>What counts as "no value" when a secret is written.</summary>
internal static class SecretValueText
{
    /// <summary>
    /// True when <paramref name="value"/> has no visible character: it is empty, or holds only whitespace, control
    /// characters (NUL included), format characters (a byte order mark, zero-width space and joiners, word joiner,
    /// soft hyphen, bidi marks) and the other default-ignorable fillers (Hangul fillers, variation selectors, the
    /// combining grapheme joiner). That is what an unset or misspelt CI variable gives once a shell or PowerShell's
    /// <c>Out-File</c> has been through it (a BOM and a line break), and it would otherwise overwrite a good secret.
    /// </summary>
    public static bool HasNothingVisible(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return true;
        }

        foreach (var rune in value.EnumerateRunes())
        {
            if (!IsInvisible(rune))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsInvisible(Rune rune)
    {
        if (Rune.IsWhiteSpace(rune) || Rune.IsControl(rune))
        {
            return true;
        }

        var category = Rune.GetUnicodeCategory(rune);
        if (category == UnicodeCategory.Format)
        {
            return true;
        }

        // Default-ignorable code points that are not in category Cf (Unicode DerivedCoreProperties).
        return rune.Value is 0x034F or 0x115F or 0x1160 or 0x17B4 or 0x17B5 or 0x3164 or 0xFFA0
            or (>= 0x180B and <= 0x180F) or (>= 0xFE00 and <= 0xFE0F) or (>= 0xE0100 and <= 0xE01EF);
    }
}

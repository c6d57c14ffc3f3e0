using SecretStore.Diagnostics;

namespace SecretStore.Configuration;

/// <summary>
/// Parses the text of a setting the same way in every face (environment variables, CLI option values, MSBuild
/// properties and item metadata, CI inputs), so that a value means the same thing wherever it is written.
/// </summary>
public static class SettingValue
{
    /// <summary>The environment variable of the v1 opt-in, read by every face.</summary>
    public const string AllowV1Variable = "SECRETSTORE_ALLOW_V1";

    /// <summary>The environment variable of the history retention (<see cref="StoreSettings.KeepRevisions"/>), read by the CLI.</summary>
    public const string KeepRevisionsVariable = "SECRETSTORE_KEEP_REVISIONS";

    /// <summary>The accepted spellings, for messages and docs.</summary>
    public const string BooleanSpellings = "true/false, 1/0 or yes/no";

    /// <summary>
    /// Parses a boolean setting: <c>true</c>/<c>false</c>, <c>1</c>/<c>0</c>, <c>yes</c>/<c>no</c>, case-insensitive,
    /// surrounding blanks ignored; null, empty or blank gives <paramref name="defaultValue"/>. Anything else is
    /// refused with <c>SSB0001</c> naming <paramref name="settingName"/>: a typo such as <c>ture</c> or <c>maybe</c>
    /// must never quietly mean false (or true).
    /// </summary>
    public static bool ParseBoolean(string settingName, string? text, bool defaultValue)
    {
        ArgumentException.ThrowIfNullOrEmpty(settingName);
        return TryParseBoolean(text, defaultValue, out var value)
            ? value
            : throw new SecretStoreException(DiagnosticCodes.InvalidArgument, InvalidBooleanMessage(settingName, text!));
    }

    /// <summary>
    /// Parses a boolean setting that falls back to an environment variable: <paramref name="text"/> when it is not
    /// blank (errors name <paramref name="settingName"/>), else the variable <paramref name="environmentVariable"/>
    /// (errors name the variable), else <paramref name="defaultValue"/>. The MSBuild task and the Cake addin use it
    /// so that <c>SECRETSTORE_ALLOW_V1</c> means the same as it does for the CLI.
    /// </summary>
    public static bool ParseBoolean(string settingName, string? text, string environmentVariable, bool defaultValue, Func<string, string?>? environment = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(environmentVariable);
        return string.IsNullOrWhiteSpace(text)
            ? ParseBoolean(environmentVariable, (environment ?? Environment.GetEnvironmentVariable)(environmentVariable), defaultValue)
            : ParseBoolean(settingName, text, defaultValue);
    }

    /// <summary>
    /// The non-throwing form of <see cref="ParseBoolean(string, string?, bool)"/>: false when <paramref name="text"/> is not one of the
    /// accepted spellings.
    /// </summary>
    public static bool TryParseBoolean(string? text, bool defaultValue, out bool value)
    {
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            value = defaultValue;
            return true;
        }

        switch (trimmed.ToUpperInvariant())
        {
            case "TRUE" or "1" or "YES":
                value = true;
                return true;
            case "FALSE" or "0" or "NO":
                value = false;
                return true;
            default:
                value = defaultValue;
                return false;
        }
    }

    /// <summary>
    /// Parses a count setting such as the history retention: digits only (blanks around them ignored), from 1 to
    /// <see cref="int.MaxValue"/>; null, empty or blank gives null (the setting is unset). False for anything else
    /// (<c>0</c>, <c>-1</c>, <c>+3</c>, <c>2.5</c>, <c>ten</c>, a number too large): a typo must never quietly mean "keep all".
    /// </summary>
    public static bool TryParsePositiveInteger(string? text, out int? value)
    {
        value = null;
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return true;
        }

        if (int.TryParse(trimmed, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) && number >= 1)
        {
            value = number;
            return true;
        }

        return false;
    }

    /// <summary>The one message for a count setting that is not a whole number from 1.</summary>
    public static string InvalidPositiveIntegerMessage(string settingName, string text) =>
        $"{settingName} is '{Shorten(text)}', which is not a whole number from 1 to {int.MaxValue}; write digits only, such as 10 (or leave it empty for the default).";

    /// <summary>The one message for a boolean setting that is not a boolean.</summary>
    public static string InvalidBooleanMessage(string settingName, string text) =>
        $"{settingName} is '{Shorten(text)}', which is not a boolean; use {BooleanSpellings} (or leave it empty for the default).";

    // A boolean setting is never a secret, but a pasted value could be long or hold line breaks: show a short,
    // single-line prefix only.
    private static string Shorten(string text)
    {
        var oneLine = new string([.. text.Trim().Take(24).Select(c => char.IsControl(c) ? '?' : c)]);
        return text.Trim().Length > 24 ? oneLine + "..." : oneLine;
    }
}

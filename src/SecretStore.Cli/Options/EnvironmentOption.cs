using System.CommandLine;
using SecretStore.Configuration;

namespace SecretStore.Cli.Options;

/// <summary>
/// Options whose default comes from a <c>SECRETSTORE_*</c> environment variable: <c>--service-url</c> reads
/// <c>SECRETSTORE_SERVICE_URL</c>. The command line wins over the environment.
/// </summary>
internal static class EnvironmentOption
{
    public const string Prefix = "SECRETSTORE_";

    public static string VariableFor(string optionName) =>
        Prefix + optionName.TrimStart('-').Replace('-', '_').ToUpperInvariant();

    public static Option<string?> String(string name, string description, bool recursive = false)
    {
        var variable = VariableFor(name);
        return new Option<string?>(name)
        {
            Description = $"{description} Environment: {variable}.",
            Recursive = recursive,
            DefaultValueFactory = _ => NullIfEmpty(Environment.GetEnvironmentVariable(variable)),
        };
    }

    public static Option<bool> Flag(string name, string description, bool defaultValue = false, bool recursive = false)
    {
        var variable = VariableFor(name);
        return new Option<bool>(name)
        {
            Description = $"{description} Environment: {variable}=true|false (also 1/0, yes/no).",
            Recursive = recursive,

            // The engine's one boolean parser: SECRETSTORE_ALLOW_V1=1 is true, and a typo such as 'ture' is a
            // usage error naming the variable instead of quietly meaning false.
            DefaultValueFactory = result =>
            {
                var text = Environment.GetEnvironmentVariable(variable);
                if (SettingValue.TryParseBoolean(text, defaultValue, out var value))
                {
                    return value;
                }

                result.AddError(SettingValue.InvalidBooleanMessage(variable, text!));
                return defaultValue;
            },
        };
    }

    /// <summary>
    /// A count option (digits only, from 1) whose default is its variable; a bad text on the command line or in the
    /// variable is a usage error (exit 2) naming the option or the variable, never a quiet "unset".
    /// </summary>
    public static Option<int?> PositiveInteger(string name, string description, bool recursive = false)
    {
        var variable = VariableFor(name);
        return new Option<int?>(name)
        {
            Description = $"{description} Environment: {variable}.",
            Recursive = recursive,
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
                if (text.Trim().Length > 0 && SettingValue.TryParsePositiveInteger(text, out var value))
                {
                    return value;
                }

                result.AddError(SettingValue.InvalidPositiveIntegerMessage(name, text));
                return null;
            },
            DefaultValueFactory = result =>
            {
                var text = Environment.GetEnvironmentVariable(variable);
                if (SettingValue.TryParsePositiveInteger(text, out var value))
                {
                    return value;
                }

                result.AddError(SettingValue.InvalidPositiveIntegerMessage(variable, text!));
                return null;
            },
        };
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

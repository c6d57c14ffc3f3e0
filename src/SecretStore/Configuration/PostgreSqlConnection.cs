using System.Data.Common;
using System.Text.RegularExpressions;
using SecretStore.Diagnostics;

namespace SecretStore.Configuration;

/// <summary>
/// The text after <c>postgres:</c>: the name of an environment variable that holds the connection string (the usual form:
/// a CI secret, never seen by MSBuild, the settings file or a log), or an inline connection string with no password
/// (one that authenticates through a <c>.pgpass</c> entry for its host, a client certificate or Kerberos; never
/// <c>PGPASSWORD</c>, which would go to whatever host the text names). A
/// password typed inline is refused: storage texts end up in committed settings files, MSBuild binlogs, CI logs and
/// process listings. Parsed here without Npgsql so that every face checks it alike.
/// </summary>
public static partial class PostgreSqlConnection
{
    /// <summary>The connection string keywords that carry a password (Npgsql's names and synonyms).</summary>
    private static readonly string[] PasswordKeywords = ["Password", "Pwd", "Psw", "SslPassword"];

    /// <summary>The keywords a description keeps: where the store is, never how to log in.</summary>
    private static readonly string[] DescribedKeywords = ["Host", "Server", "Port", "Database", "Db", "Username", "User Id", "User Name", "UserId", "User"];

    /// <summary>Whether <paramref name="text"/> is the name of an environment variable (ASCII letters, digits and '_', not starting with a digit).</summary>
    public static bool IsVariableName(string? text) => text is { Length: > 0 and <= 255 } && VariableName().IsMatch(text);

    /// <summary>
    /// Checks the text after <c>postgres:</c>; throws <c>SSB0003</c> naming <paramref name="settingName"/> (never the
    /// text) when it is neither a variable name nor a connection string, or when an inline connection string holds a password.
    /// </summary>
    public static void Check(string settingName, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (IsVariableName(text))
        {
            return;
        }

        if (text.Contains("://", StringComparison.Ordinal))
        {
            throw Invalid(settingName, "is a URL; give the name of an environment variable that holds a key=value connection string (postgres:SECRETSTORE_POSTGRES), or such a string without a password");
        }

        var builder = Parse(text) ?? throw Invalid(settingName, "is neither the name of an environment variable (letters, digits and '_') nor a key=value connection string");
        // Keys as a lenient parser may read them: quotes and spaces around and inside dropped, any case.
        // The parsed keys, and every "key=" of the raw text as well: "Password=x;Password=" parses to no password at all,
        // while the text still holds one (red team round 10).
        var rawKeys = text.Split(';').Select(part => part.Split('=')[0]);
        if (builder.Keys.Cast<string>().Concat(rawKeys).Select(k => k.Trim().Trim('"', '\'').Replace(" ", string.Empty, StringComparison.Ordinal))
            .Any(k => PasswordKeywords.Contains(k, StringComparer.OrdinalIgnoreCase)))
        {
            throw Invalid(settingName, "holds a password inline, where settings files, MSBuild binlogs, CI logs and process listings would keep it; put the connection string in an environment variable and give its name (postgres:SECRETSTORE_POSTGRES), or leave the password to a .pgpass entry for its host (PGPASSWORD is never used for an inline connection string)");
        }
    }

    /// <summary>
    /// The storage as messages show it: <c>postgres:$NAME</c> for a variable, else the host, port, database and user of
    /// the inline string only (nothing else of it is repeated).
    /// </summary>
    public static string Describe(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return StoreSpec.PostgreSqlPrefix;
        }

        if (IsVariableName(text))
        {
            return StoreSpec.PostgreSqlPrefix + "$" + text;
        }

        var builder = Parse(text);
        if (builder is null)
        {
            return StoreSpec.PostgreSqlPrefix + "<connection string>";
        }

        var kept = DescribedKeywords
            .Where(builder.ContainsKey)
            .Select(k => $"{k}={builder[k]}");
        return StoreSpec.PostgreSqlPrefix + string.Join(";", kept);
    }

    /// <summary>
    /// The connection string the text stands for: the variable's value (read through <paramref name="environment"/>), or
    /// the inline text. Throws <c>SSB0003</c> for an unset variable (naming the variable, not a value).
    /// </summary>
    public static string Resolve(string text, Func<string, string?>? environment = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        if (!IsVariableName(text))
        {
            return text;
        }

        var value = (environment ?? Environment.GetEnvironmentVariable)(text);
        return string.IsNullOrWhiteSpace(value)
            ? throw new SecretStoreException(
                DiagnosticCodes.InvalidStoreConfiguration,
                $"PostgreSQL storage postgres:{text} names the environment variable {text}, which is not set (or empty). Fix: set {text} to the connection string (a CI secret), for example Host=db.example.com;Database=secrets;Username=reader;Password=...")
            : value;
    }

    private static DbConnectionStringBuilder? Parse(string text)
    {
        if (!text.Contains('=', StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            return new DbConnectionStringBuilder { ConnectionString = text };
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static SecretStoreException Invalid(string settingName, string problem) =>
        new(DiagnosticCodes.InvalidStoreConfiguration, $"{settingName} ({StoreSpec.PostgreSqlPrefix}) {problem}.");

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex VariableName();
}

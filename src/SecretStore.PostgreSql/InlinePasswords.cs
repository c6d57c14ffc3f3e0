using Npgsql;
using SecretStore.Diagnostics;

namespace SecretStore.PostgreSql;

/// <summary>
/// Where the password of an <em>inline</em> connection string (<c>postgres:Host=…</c>) comes from: only a password-file
/// entry that names the connection's host outright, never <c>PGPASSWORD</c> and never a <c>*</c> host. An inline string
/// is text from a settings file, a command line or <c>SECRETSTORE_STORE</c>, which a pull request or an earlier CI step
/// can change: were Npgsql left to its defaults, it would hand <c>PGPASSWORD</c> (or a wildcard entry) to whatever host
/// that text names, in clear text if that host asks for it so. A password file's entries are keyed by host by design.
/// </summary>
/// <remarks>The format is libpq's: <c>host:port:database:user:password</c>, <c>\</c> escaping <c>:</c> and <c>\</c>, <c>#</c> lines comments.</remarks>
internal static class InlinePasswords
{
    /// <summary>
    /// The password for the connection <paramref name="settings"/> describe, from <paramref name="passfile"/> (the
    /// string's <c>Passfile</c>), else <c>PGPASSFILE</c>, else the user's default file; or a coded refusal.
    /// </summary>
    public static string Find(NpgsqlConnectionStringBuilder settings, string? passfile, string store)
    {
        var host = settings.Host ?? string.Empty;
        if (host.Length == 0 || host.Contains(',', StringComparison.Ordinal))
        {
            throw Refused(store, "it names no single host (a password file entry is chosen by host; with several, one host's password could go to another)");
        }

        var path = passfile ?? Environment.GetEnvironmentVariable("PGPASSFILE") ?? DefaultPath();
        if (path is null || !File.Exists(path))
        {
            throw Refused(store, "no password file was found");
        }

        var port = settings.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var user = settings.Username ?? Environment.GetEnvironmentVariable("PGUSER") ?? Environment.UserName;
        var database = settings.Database ?? user;
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0 || line[0] == '#' || Split(line) is not [var h, var p, var d, var u, var password])
            {
                continue;
            }

            // The host outright: a '*' entry would match a host the text was changed to name.
            var hostMatches = string.Equals(h, host, StringComparison.OrdinalIgnoreCase) || (host.StartsWith('/') && h == "localhost");
            if (hostMatches && (p == "*" || p == port) && (d == "*" || d == database) && (u == "*" || u == user))
            {
                return password;
            }
        }

        throw Refused(store, "the password file has no entry that names its host outright ('*' hosts are not used for an inline connection string)");
    }

    private static string? DefaultPath() => OperatingSystem.IsWindows()
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "postgresql", "pgpass.conf")
        : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) is { Length: > 0 } home ? Path.Combine(home, ".pgpass") : null;

    /// <summary>The five fields of a line, unescaped; any other count is not an entry.</summary>
    private static List<string> Split(string line)
    {
        var fields = new List<string>(5);
        var field = new System.Text.StringBuilder();
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '\\' && i + 1 < line.Length)
            {
                field.Append(line[++i]);
            }
            else if (line[i] == ':' && fields.Count < 4)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(line[i]);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }

    private static SecretStoreException Refused(string store, string why) => new(
        DiagnosticCodes.AccessDenied,
        $"PostgreSQL: {store} asked for a password, and an inline connection string takes one only from a password file entry for its host: {why}. PGPASSWORD is never sent to a host that inline text names. Fix: add a .pgpass line for that host, or put the whole connection string, with its password, in an environment variable (postgres:SECRETSTORE_POSTGRES).");
}

using Npgsql;
using SecretStore.Diagnostics;

namespace SecretStore.PostgreSql;

/// <summary>
/// Where the password of a storage connection string that carries none comes from (<c>postgres:Host=…</c> inline, or a
/// variable whose string has no <c>Password</c>): only a password-file entry that names the connection's host outright,
/// never <c>PGPASSWORD</c> and never a <c>*</c> host. The storage text comes from a settings file, a command line or
/// <c>SECRETSTORE_STORE</c>, which a pull request or an earlier CI step can change, and it chooses the host, or the
/// variable that gives it (even <c>GITHUB_HEAD_REF</c>, a branch name the pull request picks): were Npgsql left to its
/// defaults, it would hand <c>PGPASSWORD</c> (or a wildcard entry) to whatever host that names, in clear text if the host
/// asks so (red team rounds 8 and 9). A password file's entries are keyed by host by design; a file others can read
/// is refused, as libpq ignores one.
/// </summary>
/// <remarks>The format is libpq's: <c>host:port:database:user:password</c>, <c>\</c> escaping <c>:</c> and <c>\</c>, <c>#</c> lines comments.</remarks>
internal static class HostPasswordFile
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

        CheckFile(path, store);

        var port = settings.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var user = settings.Username ?? Environment.GetEnvironmentVariable("PGUSER") ?? Environment.UserName;
        var database = settings.Database ?? user;
        foreach (var line in File.ReadAllText(path).Split('\n').Select(l => l.TrimEnd('\r')))
        {
            if (line.Length == 0 || line[0] == '#' || Split(line) is not [var h, var p, var d, var u, var password])
            {
                continue;
            }

            // The host outright: a '*' entry would match a host the text was changed to name, and libpq's "localhost" for a
            // socket would match any socket folder the text names (a local user's, in /tmp).
            var hostMatches = string.Equals(h, host, StringComparison.OrdinalIgnoreCase);
            // The port outright too: a '*' port would send the password to any port of the host, where a local user may listen.
            if (hostMatches && p == port && (d == "*" || d == database) && (u == "*" || u == user))
            {
                return password;
            }
        }

        throw Refused(store, "the password file has no entry that names its host and port outright ('*' hosts and ports are not used for storage)");
    }

    /// <summary>The largest password file read: a password file is a few lines.</summary>
    private const long MaxBytes = 64 * 1024;

    /// <summary>
    /// A password file is a regular file of this user that only this user can read or write, on a disk: not a pipe or
    /// device (which would block or stream), and not a file of /proc, /sys or /dev, whose text others shape
    /// (<c>/proc/self/environ</c> holds every environment variable, one of which can carry a line naming any host: red
    /// team round 10). Refused otherwise, before anything is read.
    /// </summary>
    private static void CheckFile(string path, string store)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if ((File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
        {
            throw Refused(store, $"the password file '{path}' can be read or written by its group or others (libpq ignores such a file; chmod 600 it)");
        }

        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var file = SecretStore.IO.LinuxFiles.Stat(path);
        var special = false;
        foreach (var root in (string[])["/proc", "/sys", "/dev"])
        {
            special |= Directory.Exists(root) && SecretStore.IO.LinuxFiles.Stat(root).Device == file.Device;
        }

        if (!file.IsRegularFile || special || file.Owner != SecretStore.IO.LinuxFiles.EffectiveUserId || new FileInfo(path).Length > MaxBytes)
        {
            throw Refused(store, $"'{path}' is not a password file: one is a regular file of this user, at most {MaxBytes / 1024} KiB, not a pipe, a device or a file of /proc, /sys or /dev");
        }
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
        $"PostgreSQL: {store} asked for a password, and a storage connection string without one takes it only from a password file entry for its host: {why}. PGPASSWORD is never sent to a host that storage text names. Fix: put the password in the connection string in the variable (postgres:SECRETSTORE_POSTGRES), or add a .pgpass line (mode 600) that names this host.");
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace SecretStore.Testing.PostgreSql;

/// <summary>
/// A private throwaway PostgreSQL cluster, made and started the way <c>start_postgres</c> in
/// <c>build/lib/test-services.sh</c> does it: the Debian binaries (initdb on PATH, else the newest
/// <c>/usr/lib/postgresql/*/bin</c>), run as the <c>postgres</c> user when the tests run as root (initdb refuses root),
/// a superuser <c>secretstore</c> with a random password and scram-sha-256 for every connection, a free loopback port,
/// and a fresh temp folder holding the data, the unix socket and the logs. For a developer machine without
/// <c>SECRETSTORE_TEST_POSTGRES</c>, and for fault tests that must restart or stop a server no other test uses.
/// Disposing stops it and deletes the folder.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    /// <summary>The superuser initdb creates, the same name as the shell's.</summary>
    public const string Superuser = "secretstore";

    // pg_ctl's own wait for the server, in seconds; a start on a loaded 2-core machine takes about one.
    private const int WaitSeconds = 60;

    private readonly string _bin;
    private readonly bool _asPostgresUser;
    private readonly string _password;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _running;
    private bool _disposed;

    private PostgresCluster(string bin, bool asPostgresUser, string folder, string password)
    {
        _bin = bin;
        _asPostgresUser = asPostgresUser;
        Folder = folder;
        _password = password;
    }

    /// <summary>The temp folder of the cluster: <c>data/</c>, the unix socket, <c>server.log</c> and <c>commands.log</c>.</summary>
    public string Folder { get; }

    /// <summary>The loopback TCP port the server listens on; the same after <see cref="RestartAsync"/> and <see cref="StartAgainAsync"/>.</summary>
    public int Port { get; private set; }

    /// <summary>An Npgsql connection string for the superuser to the <c>postgres</c> database (pooling on, the Npgsql default).</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = Superuser,
        Password = _password,
        Database = "postgres",
    }.ConnectionString;

    private string DataFolder => Path.Combine(Folder, "data");

    private string ServerLog => Path.Combine(Folder, "server.log");

    private string CommandLog => Path.Combine(Folder, "commands.log");

    /// <summary>
    /// Makes a cluster in a fresh temp folder and starts it. Throws <see cref="InvalidOperationException"/> when
    /// PostgreSQL is not installed, or with the end of the logs when initdb or the start fails.
    /// </summary>
    public static async Task<PostgresCluster> StartAsync(CancellationToken cancellationToken = default)
    {
        if (OperatingSystem.IsWindows())
        {
            // The Debian layout, runuser and unix sockets: this is the Linux recipe (docs/postgres.md).
            throw new PlatformNotSupportedException($"A private PostgreSQL cluster is made on Linux only; export {PostgresServer.ConnectionStringVariable} for a running server.");
        }

        var bin = FindBinFolder(Environment.GetEnvironmentVariable("PATH"))
            ?? throw new InvalidOperationException(
                "PostgreSQL is not installed: no initdb on PATH nor in /usr/lib/postgresql/*/bin. Install the Debian package 'postgresql' "
                + $"(./build/test.sh installs it when it may), or export {PostgresServer.ConnectionStringVariable} for a running server.");
        var asPostgresUser = string.Equals(Environment.UserName, "root", StringComparison.Ordinal);
        var folder = Directory.CreateTempSubdirectory("secretstore-pg-").FullName;
        var cluster = new PostgresCluster(bin, asPostgresUser, folder, RandomNumberGenerator.GetHexString(48, lowercase: true));
        try
        {
            await cluster.InitializeAsync(cancellationToken).ConfigureAwait(false);
            await cluster.StartFirstAsync(cancellationToken).ConfigureAwait(false);
            cluster.StartWatchdog();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// <c>pg_ctl restart -m fast -w</c>: every session is ended (the server sends them 57P01) and the server is up again
    /// on the same port when this returns. Connections opened before it are dead, pooled ones included.
    /// </summary>
    public Task RestartAsync(CancellationToken cancellationToken = default) =>
        LockedAsync(async () =>
        {
            await PgCtlAsync(["-D", DataFolder, "-l", ServerLog, "-m", "fast", "-w", "-t", Invariant(WaitSeconds), "restart"], "restart", cancellationToken).ConfigureAwait(false);
            _running = true;
        });

    /// <summary><c>pg_ctl stop -m fast -w</c>: the server is down (connections are refused) until <see cref="StartAgainAsync"/>.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) =>
        LockedAsync(async () =>
        {
            if (_running)
            {
                await PgCtlAsync(["-D", DataFolder, "-m", "fast", "-w", "-t", Invariant(WaitSeconds), "stop"], "stop", cancellationToken).ConfigureAwait(false);
                _running = false;
            }
        });

    /// <summary>Starts the server again after <see cref="StopAsync"/>, on the same port and with the same data.</summary>
    public Task StartAgainAsync(CancellationToken cancellationToken = default) =>
        LockedAsync(async () =>
        {
            if (!_running)
            {
                await PgCtlStartAsync(cancellationToken).ConfigureAwait(false);
                _running = true;
            }
        });

    /// <summary>Stops the server (when running) and deletes the folder; safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_running || File.Exists(Path.Combine(DataFolder, "postmaster.pid")))
            {
                try
                {
                    await PgCtlAsync(["-D", DataFolder, "-m", "fast", "-w", "-t", Invariant(WaitSeconds), "stop"], "stop", CancellationToken.None).ConfigureAwait(false);
                }
                catch (InvalidOperationException)
                {
                    // Disposal must not hide the test's own failure; a server that would not stop dies with its folder below.
                }

                _running = false;
            }

            try
            {
                Directory.Delete(Folder, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The folder of initdb and pg_ctl: that of the initdb on PATH (a symlink resolved, so pg_ctl is its sibling), else
    /// the newest <c>/usr/lib/postgresql/&lt;major&gt;/bin</c>; null when there is none.
    /// </summary>
    internal static string? FindBinFolder(string? pathVariable)
    {
        foreach (var entry in (pathVariable ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var initdb = Path.Combine(entry, "initdb");
            if (File.Exists(initdb))
            {
                var resolved = new FileInfo(initdb).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? initdb;
                return Path.GetDirectoryName(resolved);
            }
        }

        const string Debian = "/usr/lib/postgresql";
        if (!Directory.Exists(Debian))
        {
            return null;
        }

        return Directory.GetDirectories(Debian)
            .Select(d => (Folder: Path.Combine(d, "bin"), Major: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var major) ? major : -1))
            .Where(c => c.Major >= 0 && File.Exists(Path.Combine(c.Folder, "initdb")))
            .OrderByDescending(c => c.Major)
            .Select(c => c.Folder)
            .FirstOrDefault();
    }

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        // The password reaches initdb in a file, never on a command line (ps would show it); deleted once read.
        var passwordFile = Path.Combine(Folder, "pwfile");
        await File.WriteAllTextAsync(passwordFile, _password + "\n", cancellationToken).ConfigureAwait(false);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        if (_asPostgresUser)
        {
            await RunAsync("chown", ["-R", "postgres:", Folder], "chown", asOwner: false, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            // UTF8 with the C locale: the same encoding whatever LANG the machine has (a bare container would get SQL_ASCII).
            await RunAsync(
                Path.Combine(_bin, "initdb"),
                ["-D", DataFolder, "-A", "scram-sha-256", "--pwfile=" + passwordFile, "-U", Superuser, "-E", "UTF8", "--locale=C", "--no-sync"],
                "initdb",
                asOwner: true,
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(passwordFile);
        }

        // Speed over durability: the cluster is thrown away. The port is appended per start attempt (the last line wins).
        var settings = new StringBuilder()
            .AppendLine("# SecretStore.Testing.PostgreSql: a throwaway test cluster")
            .AppendLine("listen_addresses = '127.0.0.1'")
            .AppendLine(CultureInfo.InvariantCulture, $"unix_socket_directories = '{Folder}'")
            .AppendLine("max_connections = 300")
            .AppendLine("fsync = off")
            .AppendLine("synchronous_commit = off")
            .AppendLine("full_page_writes = off")
            .ToString();
        await File.AppendAllTextAsync(Path.Combine(DataFolder, "postgresql.conf"), settings, cancellationToken).ConfigureAwait(false);
    }

    private async Task StartFirstAsync(CancellationToken cancellationToken)
    {
        // A free port can be taken between the probe and the server's bind (another test process doing the same): try a few.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort();
            await File.AppendAllTextAsync(Path.Combine(DataFolder, "postgresql.conf"), $"port = {Invariant(Port)}\n", cancellationToken).ConfigureAwait(false);
            try
            {
                await PgCtlStartAsync(cancellationToken).ConfigureAwait(false);
                _running = true;
                return;
            }
            catch (InvalidOperationException) when (attempt < 3 && !cancellationToken.IsCancellationRequested)
            {
            }
        }
    }

    /// <summary>
    /// A detached shell that stops the server and deletes the folder once this process is gone and the folder is
    /// still there. The test host is often killed before a ProcessExit handler finishes (seen here: pg_ctl stop ran,
    /// the folder stayed), and a crash or a kill runs no handler at all; a postmaster outlives its starter.
    /// It ends by itself within a second of <see cref="DisposeAsync"/> deleting the folder.
    /// </summary>
    private void StartWatchdog()
    {
        const string Script = """
            exec </dev/null >/dev/null 2>&1
            parent="$1"; folder="$2"; shift 2
            while kill -0 "$parent" 2>/dev/null && [ -d "$folder" ]; do sleep 1; done
            if [ -d "$folder" ]; then "$@"; rm -rf "$folder"; fi
            """;

        // setsid -f: a new session and a fork, so neither a kill of our process group nor a kill of our process
        // tree (the child's parent is setsid, which exits at once) reaches it.
        var start = new ProcessStartInfo("setsid")
        {
            WorkingDirectory = Folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] stop = _asPostgresUser
            ? ["runuser", "-u", "postgres", "--", Path.Combine(_bin, "pg_ctl"), "-D", DataFolder, "-m", "fast", "-w", "stop"]
            : [Path.Combine(_bin, "pg_ctl"), "-D", DataFolder, "-m", "fast", "-w", "stop"];
        foreach (var argument in (string[])["-f", "sh", "-c", Script.ReplaceLineEndings("\n"), "postgres-watchdog", Invariant(Environment.ProcessId), Folder, .. stop])
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No setsid: the ProcessExit handler and DisposeAsync remain; only a killed test host leaves the folder behind.
        }
    }

    private Task PgCtlStartAsync(CancellationToken cancellationToken) =>
        PgCtlAsync(["-D", DataFolder, "-l", ServerLog, "-w", "-t", Invariant(WaitSeconds), "start"], "start", cancellationToken);

    private Task PgCtlAsync(string[] arguments, string what, CancellationToken cancellationToken) =>
        RunAsync(Path.Combine(_bin, "pg_ctl"), arguments, "pg_ctl " + what, asOwner: true, cancellationToken);

    private async Task LockedAsync(Func<Task> action)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await action().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs a command (as the postgres user when <paramref name="asOwner"/> and we are root), its output appended to commands.log.</summary>
    private async Task RunAsync(string file, string[] arguments, string what, bool asOwner, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asOwner && _asPostgresUser)
        {
            start.FileName = "runuser";
            foreach (var argument in (string[])["-u", "postgres", "--", file])
            {
                start.ArgumentList.Add(argument);
            }
        }
        else
        {
            start.FileName = file;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{what} could not be started.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var log = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"$ {what} (exit {process.ExitCode})\n")
            .Append(await output.ConfigureAwait(false))
            .Append(await error.ConfigureAwait(false))
            .ToString();
        await File.AppendAllTextAsync(CommandLog, log, CancellationToken.None).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{what} failed with exit code {process.ExitCode} (cluster folder {Folder}).\n{LogTail()}");
        }
    }

    /// <summary>The last lines of commands.log and server.log, the superuser password masked should any line hold it.</summary>
    private string LogTail()
    {
        var tail = new StringBuilder();
        foreach (var log in new[] { CommandLog, ServerLog })
        {
            try
            {
                var lines = File.ReadAllLines(log);
                tail.Append(CultureInfo.InvariantCulture, $"--- {Path.GetFileName(log)} (last lines)\n");
                foreach (var line in lines.TakeLast(25))
                {
                    tail.Append(line.Replace(_password, "***", StringComparison.Ordinal)).Append('\n');
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return tail.ToString();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}

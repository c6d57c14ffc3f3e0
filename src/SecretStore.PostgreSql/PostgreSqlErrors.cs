using System.Net.Sockets;
using Npgsql;
using SecretStore.Diagnostics;

namespace SecretStore.PostgreSql;

/// <summary>
/// What Npgsql throws, sorted into what may be retried and into coded errors. Messages name the operation, the store
/// (host, port, database, schema) and the SQLSTATE with the server's short message text, which holds identifiers only;
/// never the connection string, a parameter or the server's detail text (which may quote a row).
/// </summary>
internal static class PostgreSqlErrors
{
    /// <summary>
    /// Failures after which running the whole unit again is safe and may succeed: a lost or refused connection, a server
    /// shutting down or starting, too many connections, and the serialization failures and deadlocks a concurrent writer
    /// causes (the unit re-reads and re-checks its condition). Timeouts are not retried: a statement that waited its
    /// timeout out would only wait again.
    /// </summary>
    public static bool IsRetryable(Exception exception) => exception switch
    {
        PostgresException pg => IsRetryableState(pg.SqlState),
        NpgsqlException npgsql => IsConnectionFailure(npgsql),
        _ => false,
    };

    /// <summary>The connection itself failed (no server answer to map): the pool may hold more connections like it.</summary>
    public static bool IsConnectionFailure(Exception exception) => exception switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState is "57P01" or "57P02" or "57P03",
        NpgsqlException npgsql => !IsTimeout(npgsql) && npgsql.InnerException is SocketException or IOException or EndOfStreamException,
        _ => false,
    };

    /// <summary>The server refused or dropped a write that lost a race: a unique key taken by another writer.</summary>
    public static bool IsUniqueViolation(Exception exception) => exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <summary>The coded error for <paramref name="exception"/>, after <paramref name="attempts"/> attempts.</summary>
    public static SecretStoreException Map(Exception exception, string operation, string store, int attempts)
    {
        var tries = attempts > 1 ? $" after {attempts} attempts" : string.Empty;
        if (exception is not SecretStoreException && Coded(exception) is { } wrapped)
        {
            return wrapped; // A refusal of the password provider (HostPasswordFile), as Npgsql wraps it (several hosts: in an AggregateException).
        }

        switch (exception)
        {
            case SecretStoreException coded:
                return coded;
            case PostgresException pg:
                var what = $"({pg.SqlState} {pg.MessageText})";
                return pg.SqlState switch
                {
                    "28P01" or "28000" => new SecretStoreException(
                        DiagnosticCodes.AccessDenied,
                        $"PostgreSQL {operation}: {store} refused the login {what}. Nothing was read or written. Fix: check the user and the password's source (the connection string in the variable, a .pgpass entry for this host; never PGPASSWORD for an inline connection string), and the server's pg_hba.conf.",
                        exception),
                    "25006" => new SecretStoreException(
                        DiagnosticCodes.BackendUnavailable,
                        $"PostgreSQL {operation} on {store} was refused: the transaction is read-only {what}, so the server is a standby, or default_transaction_read_only is set for the role or database. Nothing was written. Fix: connect to the primary, or reset that setting for the writing role.",
                        exception),
                    "23514" => new SecretStoreException(
                        DiagnosticCodes.InvalidSecret,
                        $"PostgreSQL {operation} on {store} was refused by the schema's checks {what}: a name, key id or protected field is longer than a row holds, or a name is empty. Nothing was written.",
                        exception),
                    "42704" or "22023" => new SecretStoreException(
                        DiagnosticCodes.InvalidStoreConfiguration,
                        $"PostgreSQL {operation}: {store} refused a setting of the connection string {what}. Fix: correct or remove it (Options, Search Path and the like) in the connection string.",
                        exception),
                    "55P03" when operation == "create schema" => new SecretStoreException(
                        DiagnosticCodes.BackendUnavailable,
                        $"PostgreSQL create schema on {store} gave up waiting for the store's create lock {what}: another session holds it (an advisory lock, which any role of the database can take). Nothing was created. Fix: run again; if it persists, find the session in pg_locks (locktype 'advisory') and end it.",
                        exception),
                    "42501" => new SecretStoreException(
                        DiagnosticCodes.AccessDenied,
                        $"PostgreSQL {operation} on {store} was refused to the connection's role {what}. Fix: give the role the grants and the access row of docs/postgres.md, or connect as a role that has them; if the connection string's Options set a setting only a superuser may set, remove it.",
                        exception),
                    "3D000" or "3F000" or "42P01" or "42883" or "42703" => SchemaMissing(operation, store, what, exception),
                    "57014" => new SecretStoreException(
                        DiagnosticCodes.BackendUnavailable,
                        $"PostgreSQL {operation} on {store} was cancelled by the server {what}: a statement timeout, or a lock held by another session. Nothing was written. Fix: run again; if it persists, look for a long transaction holding the store's rows, or raise statement_timeout.",
                        exception),
                    "55P03" => new SecretStoreException(
                        DiagnosticCodes.BackendUnavailable,
                        $"PostgreSQL {operation} on {store} gave up waiting for a lock {what}. Nothing was written. Fix: run again; look for a long transaction holding the store's rows.",
                        exception),
                    _ when IsRetryableState(pg.SqlState) => new SecretStoreException(
                        DiagnosticCodes.BackendUnavailable,
                        $"PostgreSQL {operation} on {store} failed{tries} {what}. Fix: run again later, and check the server's health and its max_connections.",
                        exception),
                    _ => new SecretStoreException(
                        DiagnosticCodes.UnexpectedError,
                        $"PostgreSQL {operation} on {store} failed {what}.",
                        exception),
                };
            case NpgsqlException npgsql when IsTimeout(npgsql):
                return new SecretStoreException(
                    DiagnosticCodes.BackendUnavailable,
                    $"PostgreSQL {operation} on {store} timed out (no answer within the connection string's Timeout or Command Timeout). Nothing was written. Fix: check that the server is up and reachable, or raise those timeouts.",
                    exception);
            case NpgsqlException npgsql when npgsql.InnerException is System.Security.Authentication.AuthenticationException:
                return new SecretStoreException(
                    DiagnosticCodes.BackendUnavailable,
                    $"PostgreSQL {operation}: the TLS handshake with {store} failed (the server's certificate was not trusted for its name, or TLS is not offered). Nothing was read or written. Fix: check SSL Mode and the server's certificate (Root Certificate in the connection string).",
                    exception);
            case NpgsqlException npgsql when npgsql.InnerException is null:
                // Npgsql's own refusals while setting the connection up: no password to give, or the server and the
                // connection string disagree on TLS or authentication. Not the network, and not worth a retry.
                return new SecretStoreException(
                    DiagnosticCodes.AccessDenied,
                    $"PostgreSQL {operation}: the connection to {store} could not be set up (the server asked for a password and none was available, it does not offer the SSL Mode asked for, or the peer is not a PostgreSQL server: a wrong port, a proxy). Nothing was read or written. Fix: check the host and port, give the password in the variable's connection string or a .pgpass entry for this host, and check SSL Mode against the server.",
                    exception);
            case NpgsqlException { InnerException: NpgsqlException { InnerException: null } } npgsql:
                // Npgsql's refusal one level down: "Exception while performing GSS encryption" wrapping "Unable to
                // negotiate GSS encryption" (GSS Encryption Mode=Require, no Kerberos credentials or a server without it).
                return new SecretStoreException(
                    DiagnosticCodes.AccessDenied,
                    $"PostgreSQL {operation}: the connection to {store} could not be set up ({(npgsql.Message.Contains("GSS", StringComparison.Ordinal) ? "GSS encryption was required, and this machine has no Kerberos credentials for it or the server does not offer it" : "Npgsql refused a step of the login")}). Nothing was read or written. Fix: check GSS Encryption Mode (and SSL Mode) against the server, or set GSS Encryption Mode to Prefer or Disable.",
                    exception);
            case FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException:
                // Not wrapped by Npgsql: its own read of the password file (the network's errors come as NpgsqlException).
                var file = exception is FileNotFoundException { FileName: { } name } ? $" '{name}'" : string.Empty;
                return new SecretStoreException(
                    DiagnosticCodes.InvalidStoreConfiguration,
                    $"PostgreSQL {operation} on {store}: the password file{file} (the connection string's Passfile, or PGPASSFILE) cannot be read. Fix: correct the path, or leave Passfile out.",
                    exception);
            case FormatException:
                // Npgsql reads .pgpass (Passfile, PGPASSFILE) itself; its message may quote the line.
                return new SecretStoreException(
                    DiagnosticCodes.InvalidStoreConfiguration,
                    $"PostgreSQL {operation} on {store}: a password file (the connection string's Passfile, PGPASSFILE or ~/.pgpass) has a line that does not parse (host:port:database:user:password, with ':' and '\\' escaped by '\\').",
                    exception);
            case NpgsqlException npgsql:
                var cause = npgsql.InnerException is SocketException socket ? socket.SocketErrorCode.ToString() : "the connection failed or was closed";
                return new SecretStoreException(
                    DiagnosticCodes.BackendUnavailable,
                    $"PostgreSQL {operation} could not reach {store} ({cause}){tries}. This is the network or the server, not the data. Fix: check the host and port of the connection string, that the server runs, and the network (firewall, DNS).",
                    exception);
            case ArgumentException or NotSupportedException or InvalidOperationException:
                // Npgsql's refusal of a connection string setting it checks only when it connects (a port out of range,
                // an empty host, a session attribute it cannot serve). Its message may quote the value: not shown.
                return new SecretStoreException(
                    DiagnosticCodes.InvalidStoreConfiguration,
                    $"PostgreSQL {operation} on {store}: a setting of the connection string is out of range or not supported here ({exception.GetType().Name}). Fix: correct the connection string (its settings: the Npgsql connection string reference).",
                    exception);
            case TimeoutException:
                return new SecretStoreException(
                    DiagnosticCodes.BackendUnavailable,
                    $"PostgreSQL {operation} on {store} timed out. Fix: check that the server is up and reachable.",
                    exception);
            default:
                return new SecretStoreException(
                    DiagnosticCodes.UnexpectedError,
                    $"PostgreSQL {operation} on {store} failed unexpectedly ({exception.GetType().Name}).",
                    exception);
        }
    }

    /// <summary>A coded error anywhere below <paramref name="exception"/> (inner exceptions, aggregates), or null.</summary>
    private static SecretStoreException? Coded(Exception exception)
    {
        for (var current = exception.InnerException; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case SecretStoreException coded:
                    return coded;
                case AggregateException aggregate when aggregate.InnerExceptions.Select(Coded).FirstOrDefault(c => c is not null) is { } inner:
                    return inner;
                case AggregateException aggregate when aggregate.InnerExceptions.OfType<SecretStoreException>().FirstOrDefault() is { } direct:
                    return direct;
            }
        }

        return null;
    }

    /// <summary>The schema, one of its tables or the database is missing.</summary>
    public static SecretStoreException SchemaMissing(string operation, string store, string what, Exception? inner = null) => new(
        DiagnosticCodes.PostgreSqlSchemaMissing,
        $"PostgreSQL {operation} failed: {store} has no store schema, or not all of it {what}. Fix: create it once with 'secretstore table create' as the role that will own it (docs/postgres.md), or correct the database in the connection string.",
        inner);

    private static bool IsRetryableState(string state) =>
        state is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected
            or PostgresErrorCodes.TooManyConnections or "57P01" or "57P02" or "57P03"
        || state.StartsWith("08", StringComparison.Ordinal);

    private static bool IsTimeout(NpgsqlException exception) => exception.InnerException is TimeoutException;
}

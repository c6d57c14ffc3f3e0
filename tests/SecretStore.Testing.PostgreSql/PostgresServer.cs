using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Npgsql;

namespace SecretStore.Testing.PostgreSql;

/// <summary>
/// Finds the PostgreSQL test server that <c>build/test.sh</c> started (<c>SECRETSTORE_TEST_POSTGRES</c>, a superuser
/// connection string). In CI its absence is an error. On a developer machine without it, starts one private
/// <see cref="PostgresCluster"/> for the test process (stopped at exit). Tests that need it fail, never skip.
/// Each test class takes its own database (<see cref="CreateDatabaseAsync"/>) and its own roles
/// (<see cref="CreateLoginRoleAsync"/>), so classes run in parallel on one server and nothing needs cleaning: the
/// cluster is thrown away.
/// </summary>
public static partial class PostgresServer
{
    /// <summary>The environment variable build/test.sh exports: an Npgsql connection string for the superuser.</summary>
    public const string ConnectionStringVariable = "SECRETSTORE_TEST_POSTGRES";

    // PostgreSQL truncates identifiers longer than 63 bytes (NAMEDATALEN - 1).
    private const int MaxIdentifierLength = 63;

    private static readonly Lazy<Task<string>> Admin = new(
        () => LocateAsync(Environment.GetEnvironmentVariable, StartPrivateClusterAsync),
        LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The superuser connection string (to the <c>postgres</c> database); throws <see cref="InvalidOperationException"/> when there is no server.</summary>
    public static Task<string> GetAdminConnectionStringAsync() => Admin.Value;

    /// <summary>
    /// Creates an empty database no other caller shares, named <c>&lt;prefix&gt;_&lt;guid&gt;</c> in lowercase (the prefix
    /// shortened when needed so the name fits 63 characters with the whole guid), and returns the superuser's connection
    /// string to it. <paramref name="prefix"/>: letters, digits and underscores, starting with a letter or underscore.
    /// </summary>
    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = UniqueName(prefix);
        var admin = await GetAdminConnectionStringAsync().ConfigureAwait(false);
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync().ConfigureAwait(false);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    /// <summary>
    /// Creates a LOGIN role named <c>&lt;rolePrefix&gt;_&lt;guid&gt;</c> with a random password and no privilege beyond
    /// logging in (NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS), so row-level security applies to it as it would in
    /// production. Roles belong to the cluster: <paramref name="adminConnectionString"/> may name any of its databases.
    /// Deconstructs to (name, password).
    /// </summary>
    public static async Task<PostgresRole> CreateLoginRoleAsync(string adminConnectionString, string rolePrefix)
    {
        var role = new PostgresRole(UniqueName(rolePrefix), RandomNumberGenerator.GetHexString(32, lowercase: true));
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);

        // DDL takes no parameters; the name is checked by UniqueName and the password is hex, so both are safe inline.
        await using var command = new NpgsqlCommand(
            $"CREATE ROLE \"{role.Name}\" LOGIN PASSWORD '{role.Password}' NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS",
            connection);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        return role;
    }

    /// <summary>
    /// The connection string of <paramref name="databaseConnectionString"/> (host, port, database, options) with
    /// <paramref name="role"/>'s credentials instead. Pooling stays on, as the repository will use it.
    /// </summary>
    public static string LoginConnectionString(string databaseConnectionString, PostgresRole role)
    {
        ArgumentNullException.ThrowIfNull(role);
        return new NpgsqlConnectionStringBuilder(databaseConnectionString) { Username = role.Name, Password = role.Password }.ConnectionString;
    }

    /// <summary>
    /// The lookup itself, with the environment and the private-cluster start passed in so the CI rule can be tested.
    /// </summary>
    internal static async Task<string> LocateAsync(Func<string, string?> environment, Func<Task<string>> startPrivateCluster)
    {
        var configured = environment(ConnectionStringVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            try
            {
                return new NpgsqlConnectionStringBuilder(configured).ConnectionString;
            }
            catch (ArgumentException e)
            {
                // Never echo the value: it holds the superuser's password.
                throw new InvalidOperationException($"{ConnectionStringVariable} is not an Npgsql connection string: {e.GetType().Name}.", e);
            }
        }

        if (!string.IsNullOrEmpty(environment("CI")))
        {
            throw new InvalidOperationException(
                $"{ConnectionStringVariable} is not set on CI. The CI entry point (.ci/run -> build/test.sh) must start PostgreSQL (start_postgres) and export it.");
        }

        return await startPrivateCluster().ConfigureAwait(false);
    }

    /// <summary><c>&lt;prefix&gt;_&lt;guid N&gt;</c>, lowercase, at most 63 characters: the prefix is cut, never the guid that makes it unique.</summary>
    internal static string UniqueName(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var lower = prefix.ToLowerInvariant();
        if (!IdentifierPrefix().IsMatch(lower))
        {
            throw new ArgumentException($"'{prefix}' is not a plain identifier prefix (letters, digits, underscores; not starting with a digit).", nameof(prefix));
        }

        var suffix = "_" + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);
        return lower[..Math.Min(lower.Length, MaxIdentifierLength - suffix.Length)] + suffix;
    }

    private static async Task<string> StartPrivateClusterAsync()
    {
        var cluster = await PostgresCluster.StartAsync().ConfigureAwait(false);

        // One cluster per test process; xunit gives no assembly-wide teardown, so stop it when the process exits.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return cluster.ConnectionString;
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPrefix();
}

/// <summary>
/// A login role made by <see cref="PostgresServer.CreateLoginRoleAsync"/>. <see cref="ToString"/> gives the name only,
/// so an assertion message or a test log never shows the password.
/// </summary>
/// <param name="Name">The role name (lowercase, usable unquoted).</param>
/// <param name="Password">Its random password.</param>
public sealed record PostgresRole(string Name, string Password)
{
    /// <summary>The role name, without the password.</summary>
    public override string ToString() => Name;
}

using System.Net.Sockets;
using Npgsql;
using SecretStore.Testing.PostgreSql;
using Xunit.Abstractions;

namespace SecretStore.PostgreSql.Tests.Infrastructure;

/// <summary>
/// A private cluster, and what Npgsql does when its server restarts or stops: the behaviour the repository's retry
/// must handle, written down as assertions so an Npgsql upgrade that changes it is noticed.
/// </summary>
public sealed class PostgresClusterTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_private_cluster_starts_answers_stops_refuses_starts_again_and_its_disposal_deletes_its_folder()
    {
        var cluster = await PostgresCluster.StartAsync();
        var folder = cluster.Folder;
        try
        {
            Assert.True(Directory.Exists(Path.Combine(folder, "data")));
            Assert.Equal(cluster.Port, new NpgsqlConnectionStringBuilder(cluster.ConnectionString).Port);
            Assert.Equal(1, await ScalarAsync(cluster.ConnectionString));

            await cluster.StopAsync();

            // The pool still holds the idle connection of the query above: its first use reads the server's FATAL.
            var shutdown = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(cluster.ConnectionString));
            output.WriteLine($"stopped, pooled: {Describe(shutdown)}");
            Assert.Equal(PostgresErrorCodes.AdminShutdown, shutdown.SqlState);

            // Then a new physical connection: refused, an NpgsqlException (no SqlState) around the SocketException.
            var refused = await Assert.ThrowsAsync<NpgsqlException>(() => ScalarAsync(cluster.ConnectionString));
            output.WriteLine($"stopped, new: {Describe(refused)}");
            Assert.Null(refused.SqlState);
            Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(refused.InnerException).SocketErrorCode);
            Assert.True(refused.IsTransient);

            await cluster.StartAgainAsync();
            Assert.Equal(1, await ScalarAsync(cluster.ConnectionString));
        }
        finally
        {
            await cluster.DisposeAsync();
        }

        Assert.False(Directory.Exists(folder));
        await cluster.DisposeAsync(); // twice is harmless
    }

    [Fact]
    public async Task After_a_restart_a_connection_opened_before_fails_on_first_use_and_a_retry_on_a_new_one_works()
    {
        await using var cluster = await PostgresCluster.StartAsync();
        // Its own pool: a data source, as the repository will hold one.
        await using var source = NpgsqlDataSource.Create(cluster.ConnectionString);

        await using var held = await source.OpenConnectionAsync();
        Assert.Equal(1, await ScalarAsync(held));
        var first = await source.OpenConnectionAsync();
        var second = await source.OpenConnectionAsync();
        Assert.Equal(1, await ScalarAsync(first));
        Assert.Equal(1, await ScalarAsync(second));
        await first.DisposeAsync();
        await second.DisposeAsync(); // both back to the pool, idle, their sockets open

        await cluster.RestartAsync();

        // Open hands out an idle pooled connection without a round trip; its first command reads the FATAL the
        // server sent it while shutting down.
        await using (var pooled = await source.OpenConnectionAsync())
        {
            var error = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(pooled));
            output.WriteLine($"pooled: {Describe(error)}");
            Assert.Equal(PostgresErrorCodes.AdminShutdown, error.SqlState); // 57P01
            Assert.True(error.IsTransient);
        }

        // The retry works, and so does the next open: Npgsql cleared the pool on that failure, so the second idle
        // connection of before the restart is never handed out. One failure per pool, not one per idle connection.
        Assert.Equal(1, await ScalarAsync(source));
        Assert.Equal(1, await ScalarAsync(source));

        // A connection held open across the restart fails the same way and is broken for good.
        var heldError = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(held));
        output.WriteLine($"held: {Describe(heldError)}");
        Assert.Equal(PostgresErrorCodes.AdminShutdown, heldError.SqlState);
        Assert.Equal(System.Data.ConnectionState.Broken, held.FullState);
    }

    private static string Describe(Exception e) =>
        $"{e.GetType().Name} SqlState={(e as NpgsqlException)?.SqlState ?? "-"} transient={(e as NpgsqlException)?.IsTransient} inner={e.InnerException?.GetType().Name}: {e.Message}";

    private static async Task<int> ScalarAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return await ScalarAsync(connection);
    }

    private static async Task<int> ScalarAsync(NpgsqlDataSource source)
    {
        await using var connection = await source.OpenConnectionAsync();
        return await ScalarAsync(connection);
    }

    private static async Task<int> ScalarAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("select 1", connection);
        return (int)(await command.ExecuteScalarAsync())!;
    }
}

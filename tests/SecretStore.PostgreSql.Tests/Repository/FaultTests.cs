using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using SecretStore.Diagnostics;
using SecretStore.Secrets;
using SecretStore.Testing.PostgreSql;
using SecretStore.Testing.Repositories;

namespace SecretStore.PostgreSql.Tests.Repository;

/// <summary>
/// Faults against real servers: a refused connection, a private cluster restarted and stopped under a running
/// repository, a statement timeout behind another session's row lock, and the serialization failures of eight writers
/// at SERIALIZABLE isolation. Back-offs are recorded, not slept through the wall clock.
/// </summary>
public sealed class FaultTests
{
    private static readonly SecretId Db = new("orders", "Db");

    [Fact]
    public async Task A_refused_connection_is_retried_then_SSB2005_naming_the_endpoint_never_the_password()
    {
        var port = ClosedPort();
        var connectionString = $"Host=127.0.0.1;Port={port};Username=someone;Password=pw-canary-6c1d;Database=secrets;Timeout=5";
        var delays = new ConcurrentQueue<TimeSpan>();
        await using var repository = Repository(connectionString, delays, attempts: 3);

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => repository.GetAsync(Db));

        Assert.Equal("SSB2005", error.Code.Id);
        Assert.Equal(
            $"SSB2005: PostgreSQL read could not reach the PostgreSQL store 'secretstore' in database 'secrets' on 127.0.0.1:{port} (ConnectionRefused) after 3 attempts. This is the network or the server, not the data. Fix: check the host and port of the connection string, that the server runs, and the network (firewall, DNS).",
            error.Message);
        Assert.Equal(2, delays.Count);
        Assert.DoesNotContain("pw-canary-6c1d", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("pw-canary-6c1d", repository.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_restarted_mid_run_is_retried_and_reads_and_writes_go_on()
    {
        await using var cluster = await PostgresCluster.StartAsync();
        var delays = new ConcurrentQueue<TimeSpan>();
        await using var repository = Repository(cluster.ConnectionString, delays, attempts: 6);
        Assert.True(await repository.CreateSchemaAsync());
        Assert.Equal(1, await repository.SaveAsync(ProtectedRecords.V2(Db), 0));

        await cluster.RestartAsync();
        var read = await repository.GetAsync(Db);
        await cluster.RestartAsync();
        var written = await repository.SaveAsync(ProtectedRecords.V2(Db), 1);

        Assert.Equal(1, read!.Revision);
        Assert.Equal(2, written);
        Assert.True(delays.Count >= 2, $"each restart broke the pooled connection once; {delays.Count} retries");
        Assert.Equal([1L, 2L], (await repository.GetHistoryAsync(Db)).Select(e => e.Revision));
    }

    [Fact]
    public async Task A_stopped_server_is_SSB2005_and_the_same_repository_works_once_it_is_back()
    {
        await using var cluster = await PostgresCluster.StartAsync();
        var delays = new ConcurrentQueue<TimeSpan>();
        await using var repository = Repository(cluster.ConnectionString, delays, attempts: 3);
        await repository.CreateSchemaAsync();
        await repository.SaveAsync(ProtectedRecords.V2(Db), 0);

        await cluster.StopAsync();
        var error = await Assert.ThrowsAsync<SecretStoreException>(() => repository.SaveAsync(ProtectedRecords.V2(Db), 1));
        await cluster.StartAgainAsync();

        Assert.Equal("SSB2005", error.Code.Id);
        Assert.DoesNotContain(new NpgsqlConnectionStringBuilder(cluster.ConnectionString).Password!, error.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, (await repository.GetAsync(Db))!.Revision);
        Assert.Equal(2, await repository.SaveAsync(ProtectedRecords.V2(Db), 1));
    }

    [Fact]
    public async Task A_statement_timeout_behind_a_held_row_lock_is_SSB2005_without_retry_and_writes_nothing()
    {
        var database = await PostgresServer.CreateDatabaseAsync("timeout");
        await using (var owner = PostgreSqlSecretRepository.Create(database))
        {
            await owner.CreateSchemaAsync();
            await owner.SaveAsync(ProtectedRecords.V2(Db), 0);
        }

        var delays = new ConcurrentQueue<TimeSpan>();
        await using var repository = Repository(database + ";Options=-c statement_timeout=300", delays, attempts: 6);
        await using var locker = new NpgsqlConnection(database);
        await locker.OpenAsync();
        await using var transaction = await locker.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand("SELECT 1 FROM secretstore.secrets WHERE application_name = 'orders' FOR UPDATE", locker, transaction))
        {
            await hold.ExecuteScalarAsync();
        }

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => repository.SaveAsync(ProtectedRecords.V2(Db), 1));
        await transaction.RollbackAsync();

        Assert.Equal("SSB2005", error.Code.Id);
        Assert.Contains("(57014 ", error.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was written.", error.Message, StringComparison.Ordinal);
        Assert.Empty(delays);
        Assert.Equal(1, (await repository.GetAsync(Db))!.Revision);
        Assert.Single(await repository.GetHistoryAsync(Db));
    }

    [Fact]
    public async Task Eight_writers_at_SERIALIZABLE_retry_their_serialization_failures_and_lose_no_update()
    {
        var database = await PostgresServer.CreateDatabaseAsync("serializable");
        var delays = new ConcurrentQueue<TimeSpan>();
        await using var repository = Repository(database, delays, attempts: 20, System.Data.IsolationLevel.Serializable);
        await repository.CreateSchemaAsync();
        await repository.SaveAsync(ProtectedRecords.V2(Db), 0);
        var conflicts = 0;

        async Task WriterAsync()
        {
            for (var done = 0; done < 8;)
            {
                var current = (await repository.GetAsync(Db))!.Revision;
                try
                {
                    await repository.SaveAsync(ProtectedRecords.V2(Db), current);
                    done++;
                }
                catch (ConcurrencyConflictException)
                {
                    Interlocked.Increment(ref conflicts);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(WriterAsync)));

        Assert.Equal(65, (await repository.GetAsync(Db))!.Revision);
        Assert.Equal(Enumerable.Range(1, 65).Select(r => (long)r), (await repository.GetHistoryAsync(Db)).Select(e => e.Revision));
        // Under SERIALIZABLE a writer that waited for another's row lock fails with 40001 and its whole unit runs again
        // (then usually as a plain conflict, since the revision moved): 64 contended writes cannot all avoid it.
        Assert.True(delays.Count > 0, $"no serialization failure was retried ({conflicts} conflicts)");
    }

    private static PostgreSqlSecretRepository Repository(string connectionString, ConcurrentQueue<TimeSpan> delays, int attempts, System.Data.IsolationLevel isolation = System.Data.IsolationLevel.ReadCommitted)
    {
        var created = PostgreSqlSecretRepository.Create(connectionString, new PostgreSqlSecretRepositoryOptions { MaxAttempts = attempts, IsolationLevel = isolation });
        created.Delay = (delay, _) =>
        {
            delays.Enqueue(delay);
            return Task.Delay(TimeSpan.FromMilliseconds(20));
        };
        return created;
    }

    private static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}

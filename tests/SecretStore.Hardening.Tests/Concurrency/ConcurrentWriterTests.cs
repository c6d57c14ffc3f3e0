using System.Globalization;
using SecretStore.Diagnostics;
using SecretStore.Hardening.Tests.Faults;
using SecretStore.Hardening.Tests.Support;
using SecretStore.Secrets;

namespace SecretStore.Hardening.Tests.Concurrency;

/// <summary>
/// Eight writers on one secret, each with its own store instance (as eight build agents would have), in the file
/// store and in DynamoDB: a race on one revision has exactly one winner and seven ConcurrencyConflictExceptions,
/// and read-modify-write loops that retry on conflict lose no update, in the record and in its history.
/// </summary>
public sealed class ConcurrentWriterTests : IClassFixture<KeyringFixture>, IClassFixture<FaultedAwsFixture>, IDisposable
{
    private const int Writers = 8;
    private const int Increments = 4;
    private readonly KeyringFixture _keyring;
    private readonly FaultedAwsFixture _aws;
    private readonly TempDirectory _tree = new();

    public ConcurrentWriterTests(KeyringFixture keyring, FaultedAwsFixture aws)
    {
        _keyring = keyring;
        _aws = aws;
        aws.Reset();
    }

    public void Dispose() => _tree.Dispose();

    [Theory]
    [InlineData("file")]
    [InlineData("dynamodb")]
    public async Task Eight_writers_racing_on_one_revision_have_one_winner_and_seven_conflicts(string backend)
    {
        var stores = OpenStores(backend);
        var id = new SecretId("race-" + Guid.NewGuid().ToString("N")[..8], "Db");
        await stores[0].SetAsync(id, "initial");

        for (var round = 1; round <= 3; round++)
        {
            var expected = round;
            using var start = new Barrier(Writers);
            var attempts = stores.Select((store, writer) => Task.Run(async () =>
            {
                start.SignalAndWait();
                try
                {
                    await store.SetAsync(id, $"round {expected} writer {writer}", new SetSecretOptions { ExpectedRevision = expected });
                    return (Writer: writer, Error: (Exception?)null);
                }
                catch (Exception e)
                {
                    return (Writer: writer, Error: e);
                }
            })).ToList();
            var outcomes = await Task.WhenAll(attempts);

            var winner = Assert.Single(outcomes, o => o.Error is null);
            Assert.All(outcomes.Where(o => o.Error is not null), o => Assert.IsType<ConcurrencyConflictException>(o.Error));
            var stored = await stores[0].GetAsync(id);
            Assert.Equal((expected + 1L, $"round {expected} writer {winner.Writer}"), (stored.Metadata.Revision, stored.Value));
        }

        Dispose(stores);
    }

    [Theory]
    [InlineData("file")]
    [InlineData("dynamodb")]
    public async Task Eight_writers_incrementing_with_retry_on_conflict_lose_no_update(string backend)
    {
        var stores = OpenStores(backend);
        var id = new SecretId("counter-" + Guid.NewGuid().ToString("N")[..8], "Count");
        await stores[0].SetAsync(id, "0");
        var conflicts = 0;

        await Task.WhenAll(stores.Select(store => Task.Run(async () =>
        {
            for (var done = 0; done < Increments;)
            {
                var current = await store.GetAsync(id);
                var next = (int.Parse(current.Value, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
                try
                {
                    await store.SetAsync(id, next, new SetSecretOptions { ExpectedRevision = current.Metadata.Revision });
                    done++;
                }
                catch (ConcurrencyConflictException)
                {
                    Interlocked.Increment(ref conflicts);
                }
            }
        })));

        var final = await stores[0].GetAsync(id);
        Assert.Equal((Writers * Increments).ToString(CultureInfo.InvariantCulture), final.Value);
        Assert.Equal(1L + (Writers * Increments), final.Metadata.Revision);
        // History on: every won write kept exactly one revision, none lost, none written twice, each with its own value.
        var history = await stores[0].GetHistoryAsync(id);
        Assert.Equal(Enumerable.Range(1, 1 + (Writers * Increments)).Select(r => (long)r), history.Select(h => h.Revision));
        Assert.Equal([final.Metadata.Revision], history.Where(h => h.IsCurrent).Select(h => h.Revision));
        for (var revision = 1; revision <= 1 + (Writers * Increments); revision++)
        {
            Assert.Equal((revision - 1).ToString(CultureInfo.InvariantCulture), (await stores[0].GetRevisionAsync(id, revision)).Value);
        }

        Dispose(stores);
    }

    private List<ISecretStore> OpenStores(string backend) => backend switch
    {
        "file" => [.. Enumerable.Range(0, Writers).Select(_ => (ISecretStore)_keyring.OpenFileStore(Path.Combine(_tree.Path, "secrets.json")))],
        _ => [.. Enumerable.Range(0, Writers).Select(_ => (ISecretStore)_aws.NewStore(timeout: FaultedAwsFixture.SetupTimeout))],
    };

    private static void Dispose(List<ISecretStore> stores)
    {
        foreach (var store in stores.OfType<IDisposable>())
        {
            store.Dispose();
        }
    }
}

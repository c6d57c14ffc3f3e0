using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using SecretStore.Aws.DynamoDb;
using SecretStore.Aws.Tests.Infrastructure;
using SecretStore.Diagnostics;
using SecretStore.Secrets;
using SecretStore.Testing.Aws.DynamoDb;

namespace SecretStore.Aws.Tests.DynamoDb;

/// <summary>
/// DynamoDB Local never leaves keys unprocessed, so this client (the real one, talking to DynamoDB Local)
/// sends only part of each batch and hands the rest back as UnprocessedKeys, the way a throttled table does.
/// </summary>
public sealed class UnprocessedKeysTests(SecretTableFixture table) : IClassFixture<SecretTableFixture>
{
    [Fact]
    public async Task Unprocessed_keys_are_retried_until_every_record_is_read()
    {
        var url = await DynamoDbLocal.GetServiceUrlAsync();
        using var client = new PartialBatchClient(url, partialCalls: 4);
        var repository = new DynamoDbSecretRepository(client, table.TableName) { UnprocessedKeysBaseDelay = TimeSpan.FromMilliseconds(1) };
        var app = Records.NewApplication();
        var ids = Enumerable.Range(0, 40).Select(i => new SecretId(app, $"s{i:D2}")).ToList();
        foreach (var id in ids)
        {
            await repository.SaveAsync(Records.V2(id), 0);
        }

        var records = await repository.GetManyAsync(ids);

        Assert.Equal(40, records.Select(r => r.Id).Distinct().Count());
        Assert.True(client.Calls >= 5, $"expected retries, got {client.Calls} calls");
        Assert.All(client.ConsistentReads, Assert.True);
    }

    [Fact]
    public async Task Keys_left_unprocessed_past_the_retry_bound_give_SSB2005()
    {
        var url = await DynamoDbLocal.GetServiceUrlAsync();
        using var client = new PartialBatchClient(url, partialCalls: int.MaxValue, processNothing: true);
        var repository = new DynamoDbSecretRepository(client, table.TableName) { UnprocessedKeysBaseDelay = TimeSpan.FromMilliseconds(1) };

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => repository.GetManyAsync([new SecretId("app", "a"), new SecretId("app", "b")]));

        Assert.Equal("SSB2005", error.Code.Id);
        Assert.Contains("BatchGetItem", error.Message, StringComparison.Ordinal);
        Assert.Contains(table.TableName, error.Message, StringComparison.Ordinal);
        Assert.Equal(9, client.Calls);
    }

    [Fact]
    public async Task Retries_of_unprocessed_keys_back_off_exponentially_from_the_base_delay()
    {
        var url = await DynamoDbLocal.GetServiceUrlAsync();
        using var client = new PartialBatchClient(url, partialCalls: 3, processNothing: true);
        var delays = new List<TimeSpan>();
        var repository = new DynamoDbSecretRepository(client, table.TableName)
        {
            UnprocessedKeysBaseDelay = TimeSpan.FromMilliseconds(100),
            Delay = (delay, token) =>
            {
                delays.Add(delay);
                return Task.Delay(delay, token);
            },
        };

        Assert.Empty(await repository.GetManyAsync([new SecretId(Records.NewApplication(), "a")]));

        // The delays asked for are base * 2^retry * [0.5, 1]: 50-100 ms, 100-200 ms, 200-400 ms. Recorded, not timed: a
        // busy CI machine once stretched the first gap between calls to a second.
        Assert.Equal(4, client.Calls);
        Assert.Equal(3, delays.Count);
        for (var retry = 0; retry < delays.Count; retry++)
        {
            var full = 100 * Math.Pow(2, retry);
            Assert.InRange(delays[retry].TotalMilliseconds, full / 2, full);
        }

        // Wall clock as a lower bound only (a wait is never shorter than asked): the retries did wait.
        var gaps = client.CallTimes.Zip(client.CallTimes.Skip(1), (a, b) => b - a).ToList();
        Assert.True(gaps[2] >= TimeSpan.FromMilliseconds(190), $"third retry after {gaps[2].TotalMilliseconds} ms");
    }

    private sealed class PartialBatchClient(Uri url, int partialCalls, bool processNothing = false)
        : AmazonDynamoDBClient(DynamoDbLocal.Credentials, DynamoDbLocal.Config(url))
    {
        private int _partialLeft = partialCalls;

        public int Calls { get; private set; }

        public List<bool> ConsistentReads { get; } = [];

        public List<TimeSpan> CallTimes { get; } = [];

        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

        public override async Task<BatchGetItemResponse> BatchGetItemAsync(BatchGetItemRequest request, CancellationToken cancellationToken = default)
        {
            Calls++;
            CallTimes.Add(_clock.Elapsed);
            var (tableName, keys) = request.RequestItems.Single();
            ConsistentReads.Add(keys.ConsistentRead == true);
            if (_partialLeft-- <= 0)
            {
                return await base.BatchGetItemAsync(request, cancellationToken);
            }

            var take = processNothing ? 0 : Math.Max(1, keys.Keys.Count / 3);
            var processed = keys.Keys.Take(take).ToList();
            var rest = keys.Keys.Skip(take).ToList();
            var response = processed.Count == 0
                ? new BatchGetItemResponse { Responses = new() { [tableName] = [] } }
                : await base.BatchGetItemAsync(
                    new BatchGetItemRequest { RequestItems = new() { [tableName] = new KeysAndAttributes { Keys = processed, ConsistentRead = keys.ConsistentRead } } },
                    cancellationToken);
            response.UnprocessedKeys = rest.Count == 0 ? [] : new() { [tableName] = new KeysAndAttributes { Keys = rest } };
            return response;
        }
    }
}

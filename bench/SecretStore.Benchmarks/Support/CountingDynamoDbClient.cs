using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;

namespace SecretStore.Benchmarks.Support;

/// <summary>
/// The real SDK client, counting the BatchGetItem calls the repository makes and the answers that left keys
/// unprocessed (each of those allows one more call), so a benchmark can assert the batching it claims.
/// </summary>
public sealed class CountingDynamoDbClient(AWSCredentials credentials, AmazonDynamoDBConfig config) : AmazonDynamoDBClient(credentials, config)
{
    private int _batchGets;
    private int _unprocessedAnswers;

    /// <summary>BatchGetItem calls since the last <see cref="Reset"/>.</summary>
    public int BatchGets => Volatile.Read(ref _batchGets);

    /// <summary>BatchGetItem answers with unprocessed keys since the last <see cref="Reset"/>.</summary>
    public int UnprocessedAnswers => Volatile.Read(ref _unprocessedAnswers);

    /// <summary>Zeroes the counters.</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _batchGets, 0);
        Interlocked.Exchange(ref _unprocessedAnswers, 0);
    }

    /// <inheritdoc />
    public override async Task<BatchGetItemResponse> BatchGetItemAsync(BatchGetItemRequest request, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _batchGets);
        var response = await base.BatchGetItemAsync(request, cancellationToken);
        if (response.UnprocessedKeys is { Count: > 0 })
        {
            Interlocked.Increment(ref _unprocessedAnswers);
        }

        return response;
    }
}

using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;

namespace SecretStore.Testing.Aws.DynamoDb;

/// <summary>
/// The real SDK client, counting the calls a repository makes (Query, Scan, BatchGetItem) and the BatchGetItem
/// answers that left keys unprocessed (each of those allows one more call), so a test or a benchmark can assert
/// the paging and batching it claims.
/// </summary>
public sealed class CountingDynamoDbClient(AWSCredentials credentials, AmazonDynamoDBConfig config) : AmazonDynamoDBClient(credentials, config)
{
    private int _queries;
    private int _batchGets;
    private int _scans;
    private int _unprocessedAnswers;

    /// <summary>Query calls since creation or the last <see cref="Reset"/>.</summary>
    public int Queries => Volatile.Read(ref _queries);

    /// <summary>BatchGetItem calls since creation or the last <see cref="Reset"/>.</summary>
    public int BatchGets => Volatile.Read(ref _batchGets);

    /// <summary>Scan calls since creation or the last <see cref="Reset"/>.</summary>
    public int Scans => Volatile.Read(ref _scans);

    /// <summary>BatchGetItem answers with unprocessed keys since creation or the last <see cref="Reset"/>.</summary>
    public int UnprocessedAnswers => Volatile.Read(ref _unprocessedAnswers);

    /// <summary>A client for the DynamoDB Local this run uses, with the SDK's standard retry mode.</summary>
    public static async Task<CountingDynamoDbClient> CreateAsync()
    {
        var url = await DynamoDbLocal.GetServiceUrlAsync().ConfigureAwait(false);
        return new CountingDynamoDbClient(DynamoDbLocal.Credentials, DynamoDbLocal.Config(url, c => c.RetryMode = RequestRetryMode.Standard));
    }

    /// <summary>Zeroes every counter.</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _queries, 0);
        Interlocked.Exchange(ref _batchGets, 0);
        Interlocked.Exchange(ref _scans, 0);
        Interlocked.Exchange(ref _unprocessedAnswers, 0);
    }

    /// <inheritdoc />
    public override Task<QueryResponse> QueryAsync(QueryRequest request, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _queries);
        return base.QueryAsync(request, cancellationToken);
    }

    /// <inheritdoc />
    public override async Task<BatchGetItemResponse> BatchGetItemAsync(BatchGetItemRequest request, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _batchGets);
        var response = await base.BatchGetItemAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.UnprocessedKeys is { Count: > 0 })
        {
            Interlocked.Increment(ref _unprocessedAnswers);
        }

        return response;
    }

    /// <inheritdoc />
    public override Task<ScanResponse> ScanAsync(ScanRequest request, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _scans);
        return base.ScanAsync(request, cancellationToken);
    }
}

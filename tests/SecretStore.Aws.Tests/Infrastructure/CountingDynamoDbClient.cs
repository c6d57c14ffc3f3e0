using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;

namespace SecretStore.Aws.Tests.Infrastructure;

/// <summary>The real SDK client, counting the calls the repository makes (to prove paging and batching).</summary>
public sealed class CountingDynamoDbClient(AWSCredentials credentials, AmazonDynamoDBConfig config) : AmazonDynamoDBClient(credentials, config)
{
    private int _queries;
    private int _batchGets;
    private int _scans;

    public int Queries => _queries;

    public int BatchGets => _batchGets;

    public int Scans => _scans;

    public static async Task<CountingDynamoDbClient> CreateAsync()
    {
        var url = await SecretStore.Testing.DynamoDb.DynamoDbLocal.GetServiceUrlAsync();
        return new CountingDynamoDbClient(
            SecretStore.Testing.DynamoDb.DynamoDbLocal.Credentials,
            SecretStore.Testing.DynamoDb.DynamoDbLocal.Config(url, c => c.RetryMode = RequestRetryMode.Standard));
    }

    public override Task<QueryResponse> QueryAsync(QueryRequest request, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _queries);
        return base.QueryAsync(request, cancellationToken);
    }

    public override Task<BatchGetItemResponse> BatchGetItemAsync(BatchGetItemRequest request, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _batchGets);
        return base.BatchGetItemAsync(request, cancellationToken);
    }

    public override Task<ScanResponse> ScanAsync(ScanRequest request, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _scans);
        return base.ScanAsync(request, cancellationToken);
    }
}

using Amazon.DynamoDBv2;
using Amazon.Runtime;
using SecretStore.Aws.DynamoDb;
using SecretStore.Aws.Tests.Infrastructure;
using SecretStore.Diagnostics;
using SecretStore.Secrets;
using SecretStore.Testing.Aws.DynamoDb;
using SecretStore.Testing.Aws.Faults;
using static SecretStore.Aws.DynamoDb.SecretTableAttributes;

namespace SecretStore.Aws.Tests.DynamoDb;

/// <summary>
/// Real DynamoDB Local behind a <see cref="FaultProxy"/>: each write and table operation maps what the SDK
/// throws to a coded error naming the operation, and a put whose response was lost is not a conflict.
/// </summary>
public sealed class FaultMappingTests(SecretTableFixture table) : IClassFixture<SecretTableFixture>, IAsyncLifetime
{
    private FaultProxy _proxy = null!;

    public async Task InitializeAsync() => _proxy = await FaultProxy.StartAsync(await DynamoDbLocal.GetServiceUrlAsync(), dynamoDb: true);

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Fact]
    public async Task A_throttled_write_is_SSB2005_and_nothing_is_written()
    {
        using var client = Client(maxErrorRetry: 0);
        var id = new SecretId(Records.NewApplication(), "throttled");
        _proxy.Inject(new Fault(FaultKind.Throttle, "TransactWriteItems"));

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => table.NewRepository(client).SaveAsync(Records.V2(id), 0));

        Assert.Equal("SSB2005", error.Code.Id);
        Assert.Equal(
            $"SSB2005: DynamoDB TransactWriteItems on table '{table.TableName}' failed after the SDK's retries (ThrottlingException). Fix: retry later or raise the table's capacity.",
            error.Message);
        Assert.Equal(0, _proxy.Forwarded("TransactWriteItems"));
        Assert.Empty(await table.RawItemAsync(id.ApplicationName, id.Name));
        Assert.Empty(await table.NewRepository().GetHistoryAsync(id));
    }

    [Fact]
    public async Task A_delete_answered_500_is_SSB2005_and_the_row_and_its_history_stay()
    {
        using var client = Client(maxErrorRetry: 0);
        var repository = table.NewRepository(client);
        var id = new SecretId(Records.NewApplication(), "kept");
        await repository.SaveAsync(Records.V2(id), 0);
        _proxy.Inject(new Fault(FaultKind.InternalError, "TransactWriteItems"));

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => repository.DeleteAsync(id));

        Assert.Equal("SSB2005", error.Code.Id);
        Assert.Equal(
            $"SSB2005: DynamoDB TransactWriteItems on table '{table.TableName}' failed after the SDK's retries (InternalServerError). Fix: retry later or raise the table's capacity.",
            error.Message);
        Assert.NotNull(await repository.GetAsync(id));
        Assert.Equal([1L], (await repository.GetHistoryAsync(id)).Select(e => e.Revision));
    }

    [Fact]
    public async Task A_CreateTable_answered_500_is_SSB2005_naming_CreateTable()
    {
        using var client = Client(maxErrorRetry: 0);
        var name = DynamoDbLocal.UniqueTableName("faulted");
        _proxy.Inject(new Fault(FaultKind.InternalError, "CreateTable"));

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => new DynamoDbSecretRepository(client, name).CreateTableAsync(TimeSpan.FromSeconds(5)));

        Assert.Equal("SSB2005", error.Code.Id);
        Assert.Equal(
            $"SSB2005: DynamoDB CreateTable on table '{name}' failed after the SDK's retries (InternalServerError). Fix: retry later or raise the table's capacity.",
            error.Message);
        Assert.Equal(1, _proxy.Received("DescribeTable"));
    }

    [Fact]
    public async Task A_DescribeTable_answered_503_is_SSB2005_naming_DescribeTable()
    {
        using var client = Client(maxErrorRetry: 0);
        _proxy.Inject(new Fault(FaultKind.ServiceUnavailable, "DescribeTable"));

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => table.NewRepository(client).CreateTableAsync(TimeSpan.FromSeconds(5)));

        Assert.Equal("SSB2005", error.Code.Id);
        Assert.Equal(
            $"SSB2005: DynamoDB DescribeTable on table '{table.TableName}' failed after the SDK's retries (ServiceUnavailable). Fix: retry later or raise the table's capacity.",
            error.Message);
        Assert.Equal(0, _proxy.Received("CreateTable"));
    }

    [Fact]
    public async Task A_write_applied_whose_response_was_lost_succeeds_on_the_SDK_retry_with_one_history_entry()
    {
        using var client = Client(maxErrorRetry: 2);
        var repository = table.NewRepository(client);
        var id = new SecretId(Records.NewApplication(), "lost-response");
        var record = Records.V2(id);
        _proxy.Inject(new Fault(FaultKind.ForwardThenDrop, "TransactWriteItems"));

        Assert.Equal(1, await repository.SaveAsync(record, 0));

        Assert.Equal(2, _proxy.Forwarded("TransactWriteItems"));
        Assert.Equal([1L], (await repository.GetHistoryAsync(id)).Select(e => e.Revision));
        var item = await table.RawItemAsync(id.ApplicationName, id.Name);
        Assert.Equal("1", item[Revision].N);
        Assert.Equal(record.Envelope, item[Envelope].B.ToArray());
    }

    [Fact]
    public async Task A_GetItem_that_times_out_is_SSB2005_not_a_cancellation()
    {
        using var client = Client(maxErrorRetry: 0, timeout: TimeSpan.FromMilliseconds(300));
        _proxy.Inject(new Fault(FaultKind.Stall, "GetItem", Count: 10, Delay: TimeSpan.FromSeconds(20)));

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => table.NewRepository(client).GetAsync(new SecretId("app", "slow")));

        Assert.Equal("SSB2005", error.Code.Id);
        Assert.Equal(
            $"SSB2005: DynamoDB GetItem on table '{table.TableName}' timed out reaching 127.0.0.1:{_proxy.ServiceUrl.Port} after the SDK's retries; this is a network failure, not a capacity problem. Fix: check the DynamoDB service URL (ServiceUrl or AWS_ENDPOINT_URL_DYNAMODB), the network (proxy, firewall, DNS) and the region (Region).",
            error.Message);
    }

    [Fact]
    public async Task The_callers_cancellation_stays_an_OperationCanceledException()
    {
        using var client = Client(maxErrorRetry: 0);
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();
        var repository = table.NewRepository(client);
        var id = new SecretId(Records.NewApplication(), "cancelled");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => repository.SaveAsync(Records.V2(id), 0, cancellation.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => repository.DeleteAsync(id, cancellationToken: cancellation.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => repository.GetAsync(id, cancellation.Token));
    }

    private AmazonDynamoDBClient Client(int maxErrorRetry, TimeSpan? timeout = null)
    {
        return new AmazonDynamoDBClient(DynamoDbLocal.Credentials, DynamoDbLocal.Config(_proxy.ServiceUrl, c =>
        {
            c.RetryMode = RequestRetryMode.Standard;
            c.MaxErrorRetry = maxErrorRetry;
            if (timeout is { } t)
            {
                c.Timeout = t;
            }
        }));
    }
}

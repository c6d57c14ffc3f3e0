using System.Net;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using SecretStore.Aws.DynamoDb;
using SecretStore.Aws.Tests.Infrastructure;
using SecretStore.Diagnostics;
using SecretStore.Repositories.History;
using SecretStore.Secrets;
using SecretStore.Testing.Aws.DynamoDb;
using static SecretStore.Aws.DynamoDb.SecretTableAttributes;

namespace SecretStore.Aws.Tests.DynamoDb;

/// <summary>
/// Responses DynamoDB Local never gives but the SDK can hand back: empty collections where the SDK leaves absent
/// ones null (or initialises them, with <c>AWSConfigs.InitializeCollections</c>), a table still CREATING, a table
/// with another key schema, an item-size ValidationException. The client is the real one (talking to DynamoDB
/// Local) with one operation scripted per test.
/// </summary>
public sealed class ScriptedResponseTests(SecretTableFixture table) : IClassFixture<SecretTableFixture>
{
    [Fact]
    public async Task GetItem_with_an_empty_Item_reads_as_missing()
    {
        using var client = await ScriptedClient.CreateAsync();
        client.GetItem = () => new GetItemResponse { Item = [] };

        Assert.Null(await new DynamoDbSecretRepository(client, table.TableName).GetAsync(new SecretId("app", "x")));
    }

    [Fact]
    public async Task A_cancellation_the_caller_did_not_ask_for_is_SSB2005_not_an_OperationCanceledException()
    {
        using var client = await ScriptedClient.CreateAsync();
        client.GetItem = () => throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing.");

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => new DynamoDbSecretRepository(client, table.TableName).GetAsync(new SecretId("app", "x")));

        // HttpClient's own timeout surfaces as a TaskCanceledException: a network failure, not capacity.
        var url = await DynamoDbLocal.GetServiceUrlAsync();
        Assert.Equal(
            $"SSB2005: DynamoDB GetItem on table '{table.TableName}' timed out reaching {url.Host}:{url.Port} after the SDK's retries; this is a network failure, not a capacity problem. Fix: check the DynamoDB service URL (ServiceUrl or AWS_ENDPOINT_URL_DYNAMODB), the network (proxy, firewall, DNS) and the region (Region).",
            error.Message);
    }

    [Fact]
    public async Task A_Query_page_without_Items_and_with_an_empty_LastEvaluatedKey_is_the_last_page()
    {
        using var client = await ScriptedClient.CreateAsync();
        client.Query = () => client.Queries == 1
            ? new QueryResponse { Items = null, LastEvaluatedKey = [] }
            : throw new InvalidOperationException("a second page was asked for");

        var records = await new DynamoDbSecretRepository(client, table.TableName).QueryByApplicationAsync("app");

        Assert.Empty(records);
        Assert.Equal(1, client.Queries);
    }

    [Fact]
    public async Task A_purge_whose_DeleteItem_answers_empty_Attributes_and_finds_no_history_purged_nothing()
    {
        using var client = await ScriptedClient.CreateAsync();
        client.DeleteItem = () => new DeleteItemResponse { Attributes = [] };

        Assert.False(await new DynamoDbSecretRepository(client, table.TableName).PurgeAsync(new SecretId(Records.NewApplication(), "x")));
    }

    [Fact]
    public async Task BatchGetItem_with_an_empty_unprocessed_key_list_is_done()
    {
        using var client = await ScriptedClient.CreateAsync();
        client.BatchGetItem = () => client.BatchGets == 1
            ? new BatchGetItemResponse
            {
                Responses = new() { [table.TableName] = [] },
                UnprocessedKeys = new() { [table.TableName] = new KeysAndAttributes { Keys = [] } },
            }
            : throw new InvalidOperationException("a retry was sent");

        var records = await new DynamoDbSecretRepository(client, table.TableName).GetManyAsync([new SecretId("app", "x")]);

        Assert.Empty(records);
        Assert.Equal(1, client.BatchGets);
    }

    [Fact]
    public async Task An_item_size_ValidationException_from_the_service_is_SSB2003()
    {
        using var client = await ScriptedClient.CreateAsync();
        client.TransactWriteItems = () => throw Service("Item size has exceeded the maximum allowed size", "ValidationException");
        var id = new SecretId(Records.NewApplication(), "big");

        var error = await Assert.ThrowsAsync<PayloadTooLargeException>(() => new DynamoDbSecretRepository(client, table.TableName).SaveAsync(Records.V2(id, envelopeBytes: 10), 0));

        Assert.Equal("SSB2003", error.Code.Id);
        Assert.Equal(id, error.SecretId);
        // The size named is the history item's, the larger of the two the transaction writes.
        var history = SecretItemMapper.ToHistoryItem(id, 1, Records.V2(id, envelopeBytes: 10), DateTimeOffset.UnixEpoch, new HistoryOptions().EffectiveWriter);
        Assert.Equal($"SSB2003: Secret '{id}' is {SecretItemMapper.ItemSize(history)} bytes; the limit is 409600 bytes.", error.Message);
    }

    [Theory]
    [InlineData("ValidationException", "One or more parameter values were invalid")]
    [InlineData("SerializationException", "Start of structure or map found where not expected: size")]
    public async Task Other_put_failures_are_not_read_as_too_large(string code, string message)
    {
        using var client = await ScriptedClient.CreateAsync();
        client.TransactWriteItems = () => throw Service(message, code);

        var error = await Assert.ThrowsAsync<SecretStoreException>(() =>
            new DynamoDbSecretRepository(client, table.TableName).SaveAsync(Records.V2(new SecretId(Records.NewApplication(), "x")), 0));

        Assert.Equal("SSB0099", error.Code.Id);
        Assert.Equal($"SSB0099: DynamoDB TransactWriteItems on table '{table.TableName}' failed with {code}.", error.Message);
    }

    [Fact]
    public async Task A_table_with_the_right_schema_that_is_ACTIVE_is_not_created_again()
    {
        using var client = await ScriptedClient.CreateAsync();
        client.DescribeTable = () => Describe(TableStatus.ACTIVE, Keys(Hash(ApplicationName), Range(SecretName)), Defs((ApplicationName, "S"), (SecretName, "S")));
        client.DescribeHistoryTable = () => Describe(TableStatus.ACTIVE, Keys(Hash(ApplicationName), Range(HistoryTableAttributes.SecretRevision)), Defs((ApplicationName, "S"), (HistoryTableAttributes.SecretRevision, "S")));

        Assert.False(await new DynamoDbSecretRepository(client, "scripted").CreateTableAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(0, client.CreateTables);
        Assert.Equal(2, client.DescribeTables);
    }

    [Fact]
    public async Task A_history_table_with_the_secrets_tables_schema_is_SSB2006_naming_the_history_table()
    {
        using var client = await ScriptedClient.CreateAsync();
        client.DescribeTable = () => Describe(TableStatus.ACTIVE, Keys(Hash(ApplicationName), Range(SecretName)), Defs((ApplicationName, "S"), (SecretName, "S")));
        client.DescribeHistoryTable = client.DescribeTable;

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => new DynamoDbSecretRepository(client, "scripted").CreateTableAsync(TimeSpan.FromSeconds(5)));

        Assert.Equal(
            "SSB2006: DynamoDB table 'scripted.history' exists with key schema [ApplicationName HASH S, SecretName RANGE S]; expected [ApplicationName HASH S, SecretRevision RANGE S]. Fix: use another table name.",
            error.Message);
        Assert.Equal(0, client.CreateTables);
    }

    public static TheoryData<string, string> Schemas => new()
    {
        { "three-keys", "ApplicationName HASH S, SecretName RANGE S, Extra RANGE S" },
        { "no-hash", "ApplicationName RANGE S, SecretName RANGE S" },
        { "no-range", "ApplicationName HASH S, SecretName HASH S" },
        { "app-is-number", "ApplicationName HASH N, SecretName RANGE S" },
        { "secret-is-binary", "ApplicationName HASH S, SecretName RANGE B" },
        { "secret-undefined", "ApplicationName HASH S, SecretName RANGE " },
        { "no-key-schema", "" },
    };

    [Theory]
    [MemberData(nameof(Schemas))]
    public async Task A_table_with_another_schema_is_SSB2006_listing_its_keys(string schema, string actual)
    {
        using var client = await ScriptedClient.CreateAsync();
        client.DescribeTable = () => schema switch
        {
            "three-keys" => Describe(TableStatus.ACTIVE, Keys(Hash(ApplicationName), Range(SecretName), Range("Extra")), Defs((ApplicationName, "S"), (SecretName, "S"), ("Extra", "S"))),
            "no-hash" => Describe(TableStatus.ACTIVE, Keys(Range(ApplicationName), Range(SecretName)), Defs((ApplicationName, "S"), (SecretName, "S"))),
            "no-range" => Describe(TableStatus.ACTIVE, Keys(Hash(ApplicationName), Hash(SecretName)), Defs((ApplicationName, "S"), (SecretName, "S"))),
            "app-is-number" => Describe(TableStatus.ACTIVE, Keys(Hash(ApplicationName), Range(SecretName)), Defs((ApplicationName, "N"), (SecretName, "S"))),
            "secret-is-binary" => Describe(TableStatus.ACTIVE, Keys(Hash(ApplicationName), Range(SecretName)), Defs((ApplicationName, "S"), (SecretName, "B"))),
            "secret-undefined" => Describe(TableStatus.ACTIVE, Keys(Hash(ApplicationName), Range(SecretName)), Defs((ApplicationName, "S"))),
            _ => Describe(TableStatus.ACTIVE, null, null),
        };

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => new DynamoDbSecretRepository(client, "scripted").CreateTableAsync(TimeSpan.FromSeconds(5)));

        Assert.Equal("SSB2006", error.Code.Id);
        Assert.Equal(
            $"SSB2006: DynamoDB table 'scripted' exists with key schema [{actual}]; expected [ApplicationName HASH S, SecretName RANGE S]. Fix: use another table name.",
            error.Message);
        Assert.Equal(0, client.CreateTables);
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(-1, "-1")]
    public async Task A_table_still_CREATING_at_the_deadline_is_SSB2008_naming_timeout_and_status(int seconds, string shown)
    {
        using var client = await ScriptedClient.CreateAsync();
        client.DescribeTable = () => client.DescribeTables == 1
            ? Describe(TableStatus.CREATING, Keys(Hash(ApplicationName), Range(SecretName)), Defs((ApplicationName, "S"), (SecretName, "S")))
            : throw new InvalidOperationException("the deadline had passed: no second DescribeTable");

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => new DynamoDbSecretRepository(client, "scripted").CreateTableAsync(TimeSpan.FromSeconds(seconds)));

        Assert.Equal("SSB2008", error.Code.Id);
        Assert.Equal($"SSB2008: DynamoDB table 'scripted' did not become ACTIVE within {shown} s (status CREATING).", error.Message);
        Assert.Equal(1, client.DescribeTables);
    }

    [Fact]
    public async Task A_created_table_that_never_shows_up_is_SSB2008_with_status_missing()
    {
        using var client = await ScriptedClient.CreateAsync();
        client.DescribeTable = () => client.DescribeTables <= 2
            ? throw new ResourceNotFoundException("Requested resource not found")
            : throw new InvalidOperationException("the deadline had passed: no third DescribeTable");
        client.CreateTable = () => new CreateTableResponse();

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => new DynamoDbSecretRepository(client, "scripted").CreateTableAsync(TimeSpan.Zero));

        Assert.Equal("SSB2008", error.Code.Id);
        Assert.Equal("SSB2008: DynamoDB table 'scripted' did not become ACTIVE within 0 s (status missing).", error.Message);
        Assert.Equal(1, client.CreateTables);
    }

    private static AmazonDynamoDBException Service(string message, string code) =>
        new(message, null, ErrorType.Sender, code, "request-1", HttpStatusCode.BadRequest);

    private static DescribeTableResponse Describe(TableStatus status, List<KeySchemaElement>? keys, List<AttributeDefinition>? definitions) => new()
    {
        Table = new TableDescription { TableName = "scripted", TableStatus = status, KeySchema = keys, AttributeDefinitions = definitions },
    };

    private static List<KeySchemaElement> Keys(params KeySchemaElement[] keys) => [.. keys];

    private static KeySchemaElement Hash(string name) => new(name, KeyType.HASH);

    private static KeySchemaElement Range(string name) => new(name, KeyType.RANGE);

    private static List<AttributeDefinition> Defs(params (string Name, string Type)[] definitions) =>
        [.. definitions.Select(d => new AttributeDefinition(d.Name, new ScalarAttributeType(d.Type)))];

    /// <summary>The real client; an operation with a script answers (or throws) from it instead of the service.</summary>
    private sealed class ScriptedClient(Uri url) : AmazonDynamoDBClient(
        DynamoDbLocal.Credentials, DynamoDbLocal.Config(url, c => c.MaxErrorRetry = 0))
    {
        private int _queries;
        private int _batchGets;
        private int _describeTables;
        private int _createTables;

        public Func<GetItemResponse>? GetItem { get; set; }

        public Func<QueryResponse>? Query { get; set; }

        public Func<DeleteItemResponse>? DeleteItem { get; set; }

        public Func<BatchGetItemResponse>? BatchGetItem { get; set; }

        public Func<TransactWriteItemsResponse>? TransactWriteItems { get; set; }

        /// <summary>What DescribeTable answers for a <c>.history</c> table; null: the real endpoint answers.</summary>
        public Func<DescribeTableResponse>? DescribeHistoryTable { get; set; }

        public Func<DescribeTableResponse>? DescribeTable { get; set; }

        public Func<CreateTableResponse>? CreateTable { get; set; }

        public int Queries => _queries;

        public int BatchGets => _batchGets;

        public int DescribeTables => _describeTables;

        public int CreateTables => _createTables;

        public static async Task<ScriptedClient> CreateAsync() => new(await DynamoDbLocal.GetServiceUrlAsync());

        public override Task<GetItemResponse> GetItemAsync(GetItemRequest request, CancellationToken cancellationToken = default) =>
            GetItem is { } script ? Task.FromResult(script()) : base.GetItemAsync(request, cancellationToken);

        public override Task<QueryResponse> QueryAsync(QueryRequest request, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _queries);
            return Query is { } script ? Task.FromResult(script()) : base.QueryAsync(request, cancellationToken);
        }

        public override Task<DeleteItemResponse> DeleteItemAsync(DeleteItemRequest request, CancellationToken cancellationToken = default) =>
            DeleteItem is { } script ? Task.FromResult(script()) : base.DeleteItemAsync(request, cancellationToken);

        public override Task<BatchGetItemResponse> BatchGetItemAsync(BatchGetItemRequest request, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _batchGets);
            return BatchGetItem is { } script ? Task.FromResult(script()) : base.BatchGetItemAsync(request, cancellationToken);
        }

        public override Task<TransactWriteItemsResponse> TransactWriteItemsAsync(TransactWriteItemsRequest request, CancellationToken cancellationToken = default) =>
            TransactWriteItems is { } script ? Task.FromResult(script()) : base.TransactWriteItemsAsync(request, cancellationToken);

        public override Task<DescribeTableResponse> DescribeTableAsync(DescribeTableRequest request, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _describeTables);
            var script = request.TableName.EndsWith(".history", StringComparison.Ordinal) ? DescribeHistoryTable : DescribeTable;
            return script is { } answer ? Task.FromResult(answer()) : base.DescribeTableAsync(request, cancellationToken);
        }

        public override Task<CreateTableResponse> CreateTableAsync(CreateTableRequest request, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _createTables);
            return CreateTable is { } script ? Task.FromResult(script()) : base.CreateTableAsync(request, cancellationToken);
        }
    }
}

using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using SecretStore.Aws.Clients;
using SecretStore.Configuration;
using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Secrets;
using static SecretStore.Aws.DynamoDb.SecretTableAttributes;

namespace SecretStore.Aws.DynamoDb;

/// <summary>
/// Keeps protected secrets in a DynamoDB table (partition key <c>ApplicationName</c>, sort key
/// <c>SecretName</c>), compatible with the reference design's rows. Reads are strongly consistent; listing is
/// a paged Query on the partition key (never a Scan); writes are conditional on the revision.
/// </summary>
/// <remarks>
/// Reference rows have no <c>Revision</c> attribute and read as revision 1. An update that expects revision 1
/// accepts "Revision = 1 or no Revision", so the first conditional rewrite of a reference row is still safe.
/// </remarks>
public sealed class DynamoDbSecretRepository : IProtectedSecretRepository, IDisposable
{
    /// <summary>DynamoDB's limit on keys per BatchGetItem call.</summary>
    public const int MaxKeysPerBatchGet = 100;

    private const int MaxUnprocessedRetries = 8;
    private static readonly TimeSpan DefaultCreateTimeout = TimeSpan.FromMinutes(2);

    private readonly IAmazonDynamoDB _client;
    private readonly bool _ownsClient;

    /// <summary>Uses <paramref name="client"/> (not disposed by this repository) and the table <paramref name="tableName"/>.</summary>
    public DynamoDbSecretRepository(IAmazonDynamoDB client, string tableName)
        : this(client, tableName, ownsClient: false)
    {
    }

    private DynamoDbSecretRepository(IAmazonDynamoDB client, string tableName, bool ownsClient)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(tableName);
        _client = client;
        TableName = tableName;
        _ownsClient = ownsClient;
    }

    /// <summary>The table name.</summary>
    public string TableName { get; }

    /// <summary>Delay before the first retry of BatchGetItem's unprocessed keys (doubled each time, capped at 2 s).</summary>
    internal TimeSpan UnprocessedKeysBaseDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Creates a repository with its own client on the SDK's default credential chain (environment, profiles
    /// incl. SSO, container and instance roles). <paramref name="region"/> null uses the SDK's region chain;
    /// <paramref name="serviceUrl"/> points at a local endpoint such as DynamoDB Local.
    /// </summary>
    public static DynamoDbSecretRepository Create(string tableName, string? region = null, string? serviceUrl = null) =>
        Create(new StoreSettings { Storage = StorageKind.DynamoDb, Table = tableName, Region = region, ServiceUrl = serviceUrl });

    /// <summary>Creates a repository with its own client from <paramref name="settings"/> (<c>Table</c>, <c>Region</c>, <c>ServiceUrl</c>).</summary>
    public static DynamoDbSecretRepository Create(StoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (string.IsNullOrWhiteSpace(settings.Table))
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidStoreConfiguration, "DynamoDB storage needs a table name (dynamodb:<table>).");
        }

        return new DynamoDbSecretRepository(AwsClientFactory.CreateDynamoDbClient(settings), settings.Table, ownsClient: true);
    }

    /// <inheritdoc />
    public async Task<ProtectedSecretRecord?> GetAsync(SecretId id, CancellationToken cancellationToken = default)
    {
        EnsureWellFormed(id);
        var response = await Call("GetItem", () => _client.GetItemAsync(
            new GetItemRequest { TableName = TableName, Key = SecretItemMapper.Key(id), ConsistentRead = true },
            cancellationToken), cancellationToken).ConfigureAwait(false);
        return response.IsItemSet && response.Item is { Count: > 0 } ? SecretItemMapper.FromItem(response.Item, TableName) : null;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ProtectedSecretRecord>> GetManyAsync(IReadOnlyCollection<SecretId> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var distinct = ids.Distinct().ToList();
        distinct.ForEach(EnsureWellFormed);
        var results = new List<ProtectedSecretRecord>(distinct.Count);
        foreach (var chunk in distinct.Chunk(MaxKeysPerBatchGet))
        {
            await BatchGetChunkAsync(chunk, results, cancellationToken).ConfigureAwait(false);
        }

        return results;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ProtectedSecretRecord>> QueryByApplicationAsync(string applicationName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(applicationName);
        EnsureWellFormed(new SecretId(applicationName, "-"));
        var results = new List<ProtectedSecretRecord>();
        Dictionary<string, AttributeValue>? startKey = null;
        do
        {
            var request = new QueryRequest
            {
                TableName = TableName,
                ConsistentRead = true,
                KeyConditionExpression = "#app = :app",
                ExpressionAttributeNames = new() { ["#app"] = ApplicationName },
                ExpressionAttributeValues = new() { [":app"] = new AttributeValue { S = applicationName } },
                ExclusiveStartKey = startKey,
            };
            var response = await Call("Query", () => _client.QueryAsync(request, cancellationToken), cancellationToken).ConfigureAwait(false);
            results.AddRange((response.Items ?? []).Select(item => SecretItemMapper.FromItem(item, TableName)));
            startKey = response.LastEvaluatedKey is { Count: > 0 } ? response.LastEvaluatedKey : null;
        }
        while (startKey is not null);

        // DynamoDB orders sort keys by UTF-8 bytes; the contract is ordinal (UTF-16) order.
        results.Sort((a, b) => string.CompareOrdinal(a.Id.Name, b.Id.Name));
        return results;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListApplicationsAsync(CancellationToken cancellationToken = default)
    {
        // Only the partition key attribute is read (ProjectionExpression): no envelope leaves the table for this.
        // Needs dynamodb:Scan, which a reader role scoped with dynamodb:LeadingKeys does not have (SSB2007 then).
        var applications = new SortedSet<string>(StringComparer.Ordinal);
        Dictionary<string, AttributeValue>? startKey = null;
        do
        {
            var request = new ScanRequest
            {
                TableName = TableName,
                ProjectionExpression = "#app",
                ExpressionAttributeNames = new() { ["#app"] = ApplicationName },
                ExclusiveStartKey = startKey,
            };
            var response = await Call("Scan", () => _client.ScanAsync(request, cancellationToken), cancellationToken).ConfigureAwait(false);
            foreach (var item in response.Items ?? [])
            {
                if (item.TryGetValue(ApplicationName, out var app) && app.S is { Length: > 0 } name)
                {
                    applications.Add(name);
                }
            }

            startKey = response.LastEvaluatedKey is { Count: > 0 } ? response.LastEvaluatedKey : null;
        }
        while (startKey is not null);

        return [.. applications];
    }

    /// <inheritdoc />
    public Task<long> SaveAsync(ProtectedSecretRecord record, long expectedRevision, CancellationToken cancellationToken = default) =>
        SaveCoreAsync(record, expectedRevision, null, cancellationToken);

    /// <inheritdoc />
    public Task<long> SaveAtRevisionAsync(ProtectedSecretRecord record, long expectedRevision, long newRevision, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(newRevision, expectedRevision);
        return SaveCoreAsync(record, expectedRevision, newRevision, cancellationToken);
    }

    private async Task<long> SaveCoreAsync(ProtectedSecretRecord record, long expectedRevision, long? requestedRevision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedRevision);
        EnsureWellFormed(record.Id);
        var newRevision = requestedRevision ?? RecordRevision.Next(record.Id, expectedRevision);
        var item = SecretItemMapper.ToItem(record, newRevision);
        var size = SecretItemMapper.ItemSize(item);
        if (size > SecretItemMapper.MaxItemSizeInBytes)
        {
            throw new PayloadTooLargeException(record.Id, size, SecretItemMapper.MaxItemSizeInBytes);
        }

        var (condition, values) = RevisionCondition(expectedRevision);
        var request = new PutItemRequest
        {
            TableName = TableName,
            Item = item,
            ConditionExpression = condition,
            ExpressionAttributeNames = Names(condition),
            ExpressionAttributeValues = values,
            ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
        };
        try
        {
            await _client.PutItemAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (ConditionalCheckFailedException e) when (SecretItemMapper.SameItem(e.Item, item))
        {
            // The SDK retried a put whose first attempt was applied but whose response was lost (timeout, dropped
            // connection, 5xx after the write); the retry then fails its own condition. The stored item is byte for
            // byte the one this call wrote (fresh random nonce or IV, so no other writer can produce it): the write
            // succeeded once, which is neither a conflict nor a reason to write again.
        }
        catch (ConditionalCheckFailedException e)
        {
            throw new ConcurrencyConflictException(record.Id, expectedRevision, SecretItemMapper.RevisionOf(e.Item));
        }
        catch (AmazonDynamoDBException e) when (IsItemTooLarge(e))
        {
            throw new PayloadTooLargeException(record.Id, size, SecretItemMapper.MaxItemSizeInBytes);
        }
        catch (Exception e) when (!IsCallerCancellation(e, cancellationToken))
        {
            throw DynamoDbErrors.Map(e, "PutItem", TableName, _client.Config);
        }

        return newRevision;
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(SecretId id, long? expectedRevision = null, CancellationToken cancellationToken = default)
    {
        EnsureWellFormed(id);
        var request = new DeleteItemRequest
        {
            TableName = TableName,
            Key = SecretItemMapper.Key(id),
            ReturnValues = ReturnValue.ALL_OLD,
        };
        if (expectedRevision is { } expected)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(expected);
            var (condition, values) = RevisionCondition(expected);
            request.ConditionExpression = condition;
            request.ExpressionAttributeNames = Names(condition);
            request.ExpressionAttributeValues = values;
            request.ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD;
        }

        try
        {
            var response = await _client.DeleteItemAsync(request, cancellationToken).ConfigureAwait(false);
            return response.Attributes is { Count: > 0 };
        }
        catch (ConditionalCheckFailedException e)
        {
            // The condition failed: a record that is gone "did not exist"; one that is there changed.
            if (e.Item is null or { Count: 0 })
            {
                return false;
            }

            throw new ConcurrencyConflictException(id, expectedRevision ?? 0, SecretItemMapper.RevisionOf(e.Item));
        }
        catch (Exception e) when (!IsCallerCancellation(e, cancellationToken))
        {
            throw DynamoDbErrors.Map(e, "DeleteItem", TableName, _client.Config);
        }
    }

    /// <summary>
    /// Creates the table (on-demand billing) and waits until it is ACTIVE, at most <paramref name="timeout"/>
    /// (default 2 minutes). Idempotent when the table exists with the right key schema; a table with another
    /// schema gives <c>SSB2006</c>. Returns true when this call created the table.
    /// </summary>
    public async Task<bool> CreateTableAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? DefaultCreateTimeout);
        var existing = await DescribeTableOrNullAsync(cancellationToken).ConfigureAwait(false);
        var created = false;
        if (existing is null)
        {
            try
            {
                await _client.CreateTableAsync(
                    new CreateTableRequest
                    {
                        TableName = TableName,
                        BillingMode = BillingMode.PAY_PER_REQUEST,
                        KeySchema =
                        [
                            new KeySchemaElement(ApplicationName, KeyType.HASH),
                            new KeySchemaElement(SecretName, KeyType.RANGE),
                        ],
                        AttributeDefinitions =
                        [
                            new AttributeDefinition(ApplicationName, ScalarAttributeType.S),
                            new AttributeDefinition(SecretName, ScalarAttributeType.S),
                        ],
                    },
                    cancellationToken).ConfigureAwait(false);
                created = true;
            }
            catch (ResourceInUseException)
            {
                // Another process created it between our describe and create: check its schema below.
            }
            catch (Exception e) when (!IsCallerCancellation(e, cancellationToken))
            {
                throw DynamoDbErrors.Map(e, "CreateTable", TableName, _client.Config);
            }

            existing = await DescribeTableOrNullAsync(cancellationToken).ConfigureAwait(false);
        }

        while (true)
        {
            if (existing is not null)
            {
                EnsureSchema(existing);
                if (existing.TableStatus == TableStatus.ACTIVE)
                {
                    return created;
                }
            }

            if (DateTimeOffset.UtcNow >= deadline)
            {
                throw new SecretStoreException(
                    DiagnosticCodes.TableNotFound,
                    $"DynamoDB table '{TableName}' did not become ACTIVE within {(timeout ?? DefaultCreateTimeout).TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (status {existing?.TableStatus?.Value ?? "missing"}).");
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            existing = await DescribeTableOrNullAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Names the table only.</summary>
    public override string ToString() => $"DynamoDB table '{TableName}'";

    /// <summary>Disposes the client when this repository created it.</summary>
    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    private async Task BatchGetChunkAsync(SecretId[] chunk, List<ProtectedSecretRecord> results, CancellationToken cancellationToken)
    {
        var keys = new KeysAndAttributes { ConsistentRead = true, Keys = chunk.Select(SecretItemMapper.Key).ToList() };
        for (var attempt = 0; ; attempt++)
        {
            var request = new BatchGetItemRequest { RequestItems = new() { [TableName] = keys } };
            var response = await Call("BatchGetItem", () => _client.BatchGetItemAsync(request, cancellationToken), cancellationToken).ConfigureAwait(false);
            if (response.Responses is not null && response.Responses.TryGetValue(TableName, out var items))
            {
                results.AddRange(items.Select(item => SecretItemMapper.FromItem(item, TableName)));
            }

            if (response.UnprocessedKeys is null || !response.UnprocessedKeys.TryGetValue(TableName, out var unprocessed)
                || unprocessed.Keys is not { Count: > 0 })
            {
                return;
            }

            if (attempt >= MaxUnprocessedRetries)
            {
                throw new SecretStoreException(
                    DiagnosticCodes.BackendUnavailable,
                    $"DynamoDB BatchGetItem on table '{TableName}' left {unprocessed.Keys.Count} keys unprocessed after {MaxUnprocessedRetries} retries. Fix: retry later or raise the table's capacity.");
            }

            // Unprocessed keys mean throttling: back off exponentially with jitter, bounded.
            var delay = Math.Min(UnprocessedKeysBaseDelay.TotalMilliseconds * Math.Pow(2, attempt), 2000);
            await Task.Delay(TimeSpan.FromMilliseconds(delay * (0.5 + (Random.Shared.NextDouble() / 2))), cancellationToken).ConfigureAwait(false);
            unprocessed.ConsistentRead = true;
            keys = unprocessed;
        }
    }

    private async Task<TableDescription?> DescribeTableOrNullAsync(CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.DescribeTableAsync(new DescribeTableRequest { TableName = TableName }, cancellationToken).ConfigureAwait(false);
            return response.Table;
        }
        catch (ResourceNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (!IsCallerCancellation(e, cancellationToken))
        {
            throw DynamoDbErrors.Map(e, "DescribeTable", TableName, _client.Config);
        }
    }

    private void EnsureSchema(TableDescription table)
    {
        string? Type(string name) => table.AttributeDefinitions?.FirstOrDefault(a => a.AttributeName == name)?.AttributeType?.Value;
        var keys = table.KeySchema ?? [];
        var matches = keys.Count == 2
            && keys.Any(k => k.AttributeName == ApplicationName && k.KeyType == KeyType.HASH)
            && keys.Any(k => k.AttributeName == SecretName && k.KeyType == KeyType.RANGE)
            && Type(ApplicationName) == "S" && Type(SecretName) == "S";
        if (!matches)
        {
            var actual = string.Join(", ", keys.Select(k => $"{k.AttributeName} {k.KeyType?.Value} {Type(k.AttributeName)}"));
            throw new SecretStoreException(
                DiagnosticCodes.TableSchemaMismatch,
                $"DynamoDB table '{TableName}' exists with key schema [{actual}]; expected [{ApplicationName} HASH S, {SecretName} RANGE S]. Fix: use another table name.");
        }
    }

    private static (string Condition, Dictionary<string, AttributeValue>? Values) RevisionCondition(long expectedRevision) => expectedRevision switch
    {
        0 => ("attribute_not_exists(#app)", null),
        // Reference rows have no Revision and read as 1, so "1" also matches a row without one.
        1 => ("attribute_exists(#app) AND (#rev = :rev OR attribute_not_exists(#rev))", new() { [":rev"] = new AttributeValue { N = "1" } }),
        _ => ("#rev = :rev", new() { [":rev"] = new AttributeValue { N = expectedRevision.ToString(CultureInfo.InvariantCulture) } }),
    };

    private static Dictionary<string, string> Names(string condition)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        if (condition.Contains("#app", StringComparison.Ordinal))
        {
            names["#app"] = ApplicationName;
        }

        if (condition.Contains("#rev", StringComparison.Ordinal))
        {
            names["#rev"] = Revision;
        }

        return names;
    }

    private static bool IsItemTooLarge(AmazonDynamoDBException e) =>
        e.ErrorCode == "ValidationException" && e.Message.Contains("size", StringComparison.OrdinalIgnoreCase);

    private static void EnsureWellFormed(SecretId id)
    {
        if (id == default)
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidSecret, "A secret id must have an application name and a secret name.");
        }

        if (!id.IsWellFormed)
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidSecret, "A secret id contains a lone surrogate and cannot be stored as UTF-8.");
        }
    }

    /// <summary>The caller's own cancellation stays an <see cref="OperationCanceledException"/>; an SDK timeout is a failure.</summary>
    private static bool IsCallerCancellation(Exception e, CancellationToken cancellationToken) =>
        e is OperationCanceledException && cancellationToken.IsCancellationRequested;

    private async Task<T> Call<T>(string operation, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (!IsCallerCancellation(e, cancellationToken))
        {
            throw DynamoDbErrors.Map(e, operation, TableName, _client.Config);
        }
    }
}

using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using SecretStore.Aws.Clients;
using SecretStore.Configuration;
using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Repositories.History;
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
/// Every write and delete also puts its revision into the history table (<c>&lt;table&gt;.history</c>, see
/// <see cref="HistoryTableAttributes"/>) in the same transaction; reads of current records never touch it.
/// </remarks>
public sealed class DynamoDbSecretRepository : IProtectedSecretRepository, IDisposable
{
    /// <summary>DynamoDB's limit on keys per BatchGetItem call.</summary>
    public const int MaxKeysPerBatchGet = 100;

    private const int MaxUnprocessedRetries = 8;
    private static readonly TimeSpan DefaultCreateTimeout = TimeSpan.FromMinutes(2);

    /// <summary>DynamoDB's limit on requests per BatchWriteItem call.</summary>
    private const int MaxItemsPerBatchWrite = 25;

    /// <summary>How often a delete without an expected revision re-reads a record that changed under it.</summary>
    private const int MaxDeleteAttempts = 5;

    private readonly IAmazonDynamoDB _client;
    private readonly bool _ownsClient;
    private readonly HistoryOptions _history;

    /// <summary>Uses <paramref name="client"/> (not disposed by this repository) and the table <paramref name="tableName"/>.</summary>
    public DynamoDbSecretRepository(IAmazonDynamoDB client, string tableName)
        : this(client, tableName, null, ownsClient: false)
    {
    }

    /// <summary>Uses <paramref name="client"/> (not disposed by this repository), the table <paramref name="tableName"/> and <paramref name="options"/>.</summary>
    public DynamoDbSecretRepository(IAmazonDynamoDB client, string tableName, DynamoDbSecretRepositoryOptions? options)
        : this(client, tableName, options, ownsClient: false)
    {
    }

    private DynamoDbSecretRepository(IAmazonDynamoDB client, string tableName, DynamoDbSecretRepositoryOptions? options, bool ownsClient)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(tableName);
        options ??= new DynamoDbSecretRepositoryOptions();
        options.History.Validate();
        _client = client;
        TableName = tableName;
        HistoryTableName = string.IsNullOrWhiteSpace(options.HistoryTableName) ? HistoryTableAttributes.DefaultTableName(tableName) : options.HistoryTableName;
        _history = options.History;
        _ownsClient = ownsClient;
    }

    /// <summary>The table name.</summary>
    public string TableName { get; }

    /// <summary>The history table's name (<c>&lt;table&gt;.history</c> unless configured).</summary>
    public string HistoryTableName { get; }

    /// <summary>Delay before the first retry of BatchGetItem's unprocessed keys (doubled each time, capped at 2 s).</summary>
    internal TimeSpan UnprocessedKeysBaseDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How a back-off waits (tests record the delays asked for instead of timing the wall clock).</summary>
    internal Func<TimeSpan, CancellationToken, Task> Delay { get; init; } = Task.Delay;

    /// <summary>
    /// The wait before retry <paramref name="retry"/> (0 first) of unprocessed keys or items, which mean throttling:
    /// exponential from <see cref="UnprocessedKeysBaseDelay"/>, at most 2 s, with jitter to half of it.
    /// </summary>
    private Task BackOffAsync(int retry, CancellationToken cancellationToken)
    {
        var delay = Math.Min(UnprocessedKeysBaseDelay.TotalMilliseconds * Math.Pow(2, retry), 2000);
        return Delay(TimeSpan.FromMilliseconds(delay * (0.5 + (Random.Shared.NextDouble() / 2))), cancellationToken);
    }

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

        var options = new DynamoDbSecretRepositoryOptions { History = new HistoryOptions { KeepRevisions = settings.KeepRevisions } };
        return new DynamoDbSecretRepository(AwsClientFactory.CreateDynamoDbClient(settings), settings.Table, options, ownsClient: true);
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
        // One past both the revision replaced and the newest in the history: a secret deleted and created again, or a
        // row the reference implementation rewrote without a revision, never gives one revision number two values.
        var replaced = expectedRevision > 0 ? await GetItemAsync(TableName, SecretItemMapper.Key(record.Id), cancellationToken).ConfigureAwait(false) : null;
        var (newest, unkept) = await ReadHistoryTipAsync(record.Id, replaced, cancellationToken).ConfigureAwait(false);
        var newRevision = RecordHistory.NextRevision(record.Id, expectedRevision, newest, requestedRevision);
        var item = SecretItemMapper.ToItem(record, newRevision);
        var historyItem = SecretItemMapper.ToHistoryItem(record.Id, newRevision, record, _history.Now(), _history.EffectiveWriter);
        // The history item is the larger of the two (sort key, time, writer).
        var size = SecretItemMapper.ItemSize(historyItem);
        if (size > SecretItemMapper.MaxItemSizeInBytes)
        {
            throw new PayloadTooLargeException(record.Id, size, SecretItemMapper.MaxItemSizeInBytes);
        }

        var (condition, values) = RevisionCondition(expectedRevision);
        var current = new TransactWriteItem
        {
            Put = new Put
            {
                TableName = TableName,
                Item = item,
                ConditionExpression = condition,
                ExpressionAttributeNames = Names(condition),
                ExpressionAttributeValues = values,
                ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
            },
        };
        try
        {
            await WriteWithHistoryAsync(current, historyItem, unkept, cancellationToken).ConfigureAwait(false);
        }
        catch (TransactionCanceledException e) when (Failed(e, 0) && SecretItemMapper.SameItem(Reason(e, 0)?.Item, item))
        {
            // The SDK retried a transaction whose first attempt was applied but whose response was lost, and the
            // endpoint did not honour the idempotency token: the stored item is byte for byte the one this call wrote
            // (fresh random nonce or IV, so no other writer can produce it), with its history in the same transaction.
        }
        catch (TransactionCanceledException e) when (Failed(e, 0))
        {
            throw new ConcurrencyConflictException(record.Id, expectedRevision, SecretItemMapper.RevisionOf(Reason(e, 0)?.Item));
        }
        catch (TransactionCanceledException e) when (FailedHistory(e) || IsTransactionConflict(e))
        {
            // Another writer took this revision number (or holds the item in its own transaction) between our read of
            // the history and our write: the same lost race as a failed condition on the record.
            throw new ConcurrencyConflictException(record.Id, expectedRevision);
        }
        catch (AmazonDynamoDBException e) when (IsItemTooLarge(e))
        {
            throw new PayloadTooLargeException(record.Id, size, SecretItemMapper.MaxItemSizeInBytes);
        }

        await PruneAsync(record.Id, cancellationToken).ConfigureAwait(false);
        return newRevision;
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(SecretId id, long? expectedRevision = null, CancellationToken cancellationToken = default)
    {
        EnsureWellFormed(id);
        if (expectedRevision is { } expected)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(expected, nameof(expectedRevision));
        }

        for (var attempt = 1; ; attempt++)
        {
            var stored = await GetItemAsync(TableName, SecretItemMapper.Key(id), cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                return false;
            }

            var storedRevision = SecretItemMapper.RevisionOf(stored);
            if (expectedRevision is { } wanted && storedRevision != wanted)
            {
                throw new ConcurrencyConflictException(id, wanted, storedRevision);
            }

            var (newest, unkept) = await ReadHistoryTipAsync(id, stored, cancellationToken).ConfigureAwait(false);
            var tombstone = RecordHistory.NextRevision(id, storedRevision ?? 0, newest);
            // Conditional on exactly the row read (its raw Revision, or none for a reference row), so the tombstone's
            // number is one past the revision it deletes.
            var (condition, values) = stored.TryGetValue(Revision, out var raw)
                ? ("attribute_exists(#app) AND #rev = :rev", new Dictionary<string, AttributeValue> { [":rev"] = raw })
                : ("attribute_exists(#app) AND attribute_not_exists(#rev)", null);
            var delete = new TransactWriteItem
            {
                Delete = new Delete
                {
                    TableName = TableName,
                    Key = SecretItemMapper.Key(id),
                    ConditionExpression = condition,
                    ExpressionAttributeNames = Names(condition),
                    ExpressionAttributeValues = values,
                    ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
                },
            };
            var historyItem = SecretItemMapper.ToHistoryItem(id, tombstone, null, _history.Now(), _history.EffectiveWriter);
            try
            {
                await WriteWithHistoryAsync(delete, historyItem, unkept, cancellationToken).ConfigureAwait(false);
                await PruneAsync(id, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (TransactionCanceledException e) when (Failed(e, 0) || FailedHistory(e) || IsTransactionConflict(e))
            {
                var now = Failed(e, 0) ? Reason(e, 0)?.Item : null;
                if (Failed(e, 0) && now is null or { Count: 0 })
                {
                    // Gone since our read: a lost response retried by the SDK, or another deleter; "did not exist".
                    return false;
                }

                if (expectedRevision is { } changed)
                {
                    throw new ConcurrencyConflictException(id, changed, Failed(e, 0) ? SecretItemMapper.RevisionOf(now) : null);
                }

                if (attempt >= MaxDeleteAttempts)
                {
                    throw new ConcurrencyConflictException(id, storedRevision ?? 0, Failed(e, 0) ? SecretItemMapper.RevisionOf(now) : null);
                }

                // No expected revision: the caller deletes whatever is there; read it again.
            }
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SecretHistoryEntry>> GetHistoryAsync(SecretId id, CancellationToken cancellationToken = default)
    {
        EnsureWellFormed(id);
        var items = await QueryHistoryAsync(id, keysOnly: false, cancellationToken).ConfigureAwait(false);
        var entries = items.Select(item => SecretItemMapper.FromHistoryItem(item, HistoryTableName)).ToList();
        var current = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        return RecordHistory.WithCurrent(entries, current);
    }

    /// <inheritdoc />
    public async Task<SecretHistoryEntry?> GetRevisionAsync(SecretId id, long revision, CancellationToken cancellationToken = default)
    {
        EnsureWellFormed(id);
        if (!RecordRevision.IsValid(revision))
        {
            return null;
        }

        // One round trip for a pinned read: the current row (which stands for its own revision, see
        // RecordHistory.WithCurrent) and the history item, read together and consistently.
        var request = new TransactGetItemsRequest
        {
            TransactItems =
            [
                new TransactGetItem { Get = new Get { TableName = TableName, Key = SecretItemMapper.Key(id) } },
                new TransactGetItem { Get = new Get { TableName = HistoryTableName, Key = SecretItemMapper.HistoryKey(id, revision) } },
            ],
        };
        TransactGetItemsResponse response;
        try
        {
            response = await _client.TransactGetItemsAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!IsCallerCancellation(e, cancellationToken))
        {
            throw await MapTransactionErrorAsync(e, "TransactGetItems", cancellationToken).ConfigureAwait(false);
        }

        Dictionary<string, AttributeValue>? Item(int index) =>
            response.Responses is { } responses && responses.Count > index && responses[index]?.Item is { Count: > 0 } item ? item : null;

        var current = Item(0) is { } row ? SecretItemMapper.FromItem(row, TableName) : null;
        var kept = Item(1) is { } historyItem ? SecretItemMapper.FromHistoryItem(historyItem, HistoryTableName) : null;
        return RecordHistory.WithCurrent(kept is null ? [] : [kept], current).FirstOrDefault(entry => entry.Revision == revision);
    }

    /// <inheritdoc />
    public async Task<bool> PurgeAsync(SecretId id, CancellationToken cancellationToken = default)
    {
        EnsureWellFormed(id);
        var keys = await QueryHistoryAsync(id, keysOnly: true, cancellationToken).ConfigureAwait(false);
        var row = await GetItemAsync(TableName, SecretItemMapper.Key(id), cancellationToken).ConfigureAwait(false);
        if (row is null && (keys.Count == 0 || (keys.Count == 1 && keys[0].ContainsKey(HistoryTableAttributes.Deleted))))
        {
            return false; // Nothing, or only the mark an earlier purge left.
        }

        // The mark first (one deletion past every revision: numbers are never reused), then the row and every older item:
        // a purge stopped half way still leaves the mark, and running it again finishes it.
        var newest = Math.Max(row is null ? 0 : SecretItemMapper.RevisionOf(row) ?? 0, keys.Count == 0 ? 0 : keys.Max(k => SecretItemMapper.HistoryRevision(k, HistoryTableName)));
        var mark = RecordRevision.Next(id, newest);
        var markItem = SecretItemMapper.ToHistoryItem(id, mark, null, _history.Now(), _history.EffectiveWriter);
        await Call("PutItem", () => _client.PutItemAsync(new PutItemRequest { TableName = HistoryTableName, Item = markItem }, cancellationToken), cancellationToken, HistoryTableName).ConfigureAwait(false);
        await Call(
            "DeleteItem",
            () => _client.DeleteItemAsync(new DeleteItemRequest { TableName = TableName, Key = SecretItemMapper.Key(id) }, cancellationToken),
            cancellationToken).ConfigureAwait(false);
        await DeleteHistoryItemsAsync(keys, cancellationToken).ConfigureAwait(false);
        // A write that raced the purge may have added a revision after our query: purge until only the mark is left.
        var late = await QueryHistoryAsync(id, keysOnly: true, cancellationToken).ConfigureAwait(false);
        await DeleteHistoryItemsAsync([.. late.Where(k => SecretItemMapper.HistoryRevision(k, HistoryTableName) != mark)], cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Writes <paramref name="current"/> (the record's put or delete) and <paramref name="historyItem"/> in one
    /// transaction. The history put is conditional on its revision being free, so a revision is never written twice.
    /// The idempotency token makes the SDK's retry of a transaction whose response was lost a success, not a conflict.
    /// </summary>
    private async Task WriteWithHistoryAsync(TransactWriteItem current, Dictionary<string, AttributeValue> historyItem, Dictionary<string, AttributeValue>? unkept, CancellationToken cancellationToken)
    {
        TransactWriteItem PutNew(Dictionary<string, AttributeValue> item) => new()
        {
            Put = new Put
            {
                TableName = HistoryTableName,
                Item = item,
                ConditionExpression = "attribute_not_exists(#key)",
                ExpressionAttributeNames = new() { ["#key"] = HistoryTableAttributes.SecretRevision },
            },
        };

        var request = new TransactWriteItemsRequest
        {
            ClientRequestToken = Guid.NewGuid().ToString("D"),
            TransactItems = unkept is null ? [current, PutNew(historyItem)] : [current, PutNew(historyItem), PutNew(unkept)],
        };
        try
        {
            await _client.TransactWriteItemsAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (TransactionCanceledException e) when (Failed(e, 0) || FailedHistory(e) || IsTransactionConflict(e))
        {
            throw;
        }
        catch (AmazonDynamoDBException e) when (IsItemTooLarge(e))
        {
            throw;
        }
        catch (Exception e) when (!IsCallerCancellation(e, cancellationToken))
        {
            throw await MapTransactionErrorAsync(e, "TransactWriteItems", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Maps a failed transaction; a missing table is named: the history table, when it is the one missing (a table made
    /// before history needs it once: <c>secretstore table create</c> adds it).
    /// </summary>
    private async Task<SecretStoreException> MapTransactionErrorAsync(Exception e, string operation, CancellationToken cancellationToken)
    {
        if (e is ResourceNotFoundException && await DescribeTableOrNullAsync(HistoryTableName, cancellationToken).ConfigureAwait(false) is null)
        {
            return HistoryTableMissing(operation, e);
        }

        if (e is TransactionCanceledException canceled)
        {
            var codes = string.Join(", ", (canceled.CancellationReasons ?? []).Select(r => r?.Code ?? "None"));
            return codes.Contains("Throttling", StringComparison.Ordinal) || codes.Contains("ProvisionedThroughputExceeded", StringComparison.Ordinal)
                ? new SecretStoreException(DiagnosticCodes.BackendUnavailable, $"DynamoDB {operation} on table '{TableName}' was throttled ({codes}). Fix: retry later or raise the table's capacity.", e)
                : new SecretStoreException(DiagnosticCodes.UnexpectedError, $"DynamoDB {operation} on table '{TableName}' was cancelled ({codes}).", e);
        }

        return DynamoDbErrors.Map(e, operation, TableName, _client.Config);
    }

    /// <summary>
    /// What a write needs from the history: the newest revision it keeps (0 for none), and the history item to add for
    /// <paramref name="replaced"/> (the raw row the write replaces) when the history does not keep it: a row written before
    /// the history table existed, or rewritten by the reference implementation (see <see cref="RecordHistory.Unkept"/>).
    /// </summary>
    private async Task<(long Newest, Dictionary<string, AttributeValue>? Unkept)> ReadHistoryTipAsync(
        SecretId id, Dictionary<string, AttributeValue>? replaced, CancellationToken cancellationToken)
    {
        var newestItem = await NewestHistoryItemAsync(id, cancellationToken).ConfigureAwait(false);
        var newest = newestItem is null ? null : SecretItemMapper.FromHistoryItem(newestItem, HistoryTableName);
        var newestRevision = newest?.Revision ?? 0;
        ProtectedSecretRecord? record = null;
        if (replaced is not null)
        {
            try
            {
                record = SecretItemMapper.FromItem(replaced, TableName);
            }
            catch (InvalidProtectedDataException)
            {
                // A row that does not read cannot be kept; the write replaces it (as before history).
            }
        }

        if (record is not { InvalidRevision: null })
        {
            return (newestRevision, null);
        }

        SecretHistoryEntry? kept = null;
        if (newest is not null && newest.Revision == record.Revision)
        {
            kept = newest;
        }
        else if (record.Revision < newestRevision
            && await GetItemAsync(HistoryTableName, SecretItemMapper.HistoryKey(id, record.Revision), cancellationToken).ConfigureAwait(false) is { } item)
        {
            kept = SecretItemMapper.FromHistoryItem(item, HistoryTableName);
        }

        return RecordHistory.Unkept(record, newestRevision, kept) is { } unkept
            ? (Math.Max(newestRevision, unkept.Revision), SecretItemMapper.ToHistoryItem(id, unkept.Revision, unkept.Record, null, null))
            : (newestRevision, null);
    }

    /// <summary>The newest history item of <paramref name="id"/>, or null.</summary>
    private async Task<Dictionary<string, AttributeValue>?> NewestHistoryItemAsync(SecretId id, CancellationToken cancellationToken)
    {
        Dictionary<string, AttributeValue>? startKey = null;
        do
        {
            var request = HistoryQuery(id, keysOnly: false, startKey);
            request.ScanIndexForward = false;
            request.Limit = 4;
            var response = await Call("Query", () => _client.QueryAsync(request, cancellationToken), cancellationToken, HistoryTableName).ConfigureAwait(false);
            if (response.Items is { Count: > 0 } items)
            {
                return items[0];
            }

            startKey = response.LastEvaluatedKey is { Count: > 0 } ? response.LastEvaluatedKey : null;
        }
        while (startKey is not null);

        return null;
    }

    /// <summary>Every history item of <paramref name="id"/>, oldest first (all pages); with <paramref name="keysOnly"/>, only what identifies them.</summary>
    private async Task<List<Dictionary<string, AttributeValue>>> QueryHistoryAsync(SecretId id, bool keysOnly, CancellationToken cancellationToken)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? startKey = null;
        do
        {
            var request = HistoryQuery(id, keysOnly, startKey);
            var response = await Call("Query", () => _client.QueryAsync(request, cancellationToken), cancellationToken, HistoryTableName).ConfigureAwait(false);
            items.AddRange(response.Items ?? []);
            startKey = response.LastEvaluatedKey is { Count: > 0 } ? response.LastEvaluatedKey : null;
        }
        while (startKey is not null);

        return items;
    }

    /// <summary>
    /// The query of one secret's revisions: its name and <c>#</c> as the sort key's prefix, and its name exactly as a
    /// filter (a secret named <c>Db#x</c> shares the prefix of <c>Db</c>).
    /// </summary>
    private QueryRequest HistoryQuery(SecretId id, bool keysOnly, Dictionary<string, AttributeValue>? startKey) => new()
    {
        TableName = HistoryTableName,
        ConsistentRead = true,
        KeyConditionExpression = "#app = :app AND begins_with(#key, :prefix)",
        FilterExpression = "#name = :name",
        ProjectionExpression = keysOnly ? "#app, #key, #name, #rev, #del" : null,
        ExpressionAttributeNames = keysOnly
            ? new() { ["#app"] = ApplicationName, ["#key"] = HistoryTableAttributes.SecretRevision, ["#name"] = SecretName, ["#rev"] = Revision, ["#del"] = HistoryTableAttributes.Deleted }
            : new() { ["#app"] = ApplicationName, ["#key"] = HistoryTableAttributes.SecretRevision, ["#name"] = SecretName },
        ExpressionAttributeValues = new()
        {
            [":app"] = new AttributeValue { S = id.ApplicationName },
            [":prefix"] = new AttributeValue { S = id.Name + "#" },
            [":name"] = new AttributeValue { S = id.Name },
        },
        ExclusiveStartKey = startKey,
    };

    /// <summary>
    /// Applies the retention after a write: removes the oldest revisions beyond <see cref="HistoryOptions.KeepRevisions"/>.
    /// Best effort: the write has succeeded and is not reported as failed when pruning fails; the next write prunes again.
    /// </summary>
    private async Task PruneAsync(SecretId id, CancellationToken cancellationToken)
    {
        if (_history.KeepRevisions is null)
        {
            return;
        }

        try
        {
            var keys = await QueryHistoryAsync(id, keysOnly: true, cancellationToken).ConfigureAwait(false);
            var byRevision = keys.Select(item => (Revision: SecretItemMapper.HistoryRevision(item, HistoryTableName), Item: item)).OrderBy(k => k.Revision).ToList();
            var prune = RecordHistory.ToPrune([.. byRevision.Select(k => k.Revision)], _history.KeepRevisions).ToHashSet();
            await DeleteHistoryItemsAsync([.. byRevision.Where(k => prune.Contains(k.Revision)).Select(k => k.Item)], cancellationToken).ConfigureAwait(false);
        }
        catch (SecretStoreException)
        {
            // See above: retention catches up with the next write of this secret.
        }
    }

    private async Task DeleteHistoryItemsAsync(IReadOnlyList<Dictionary<string, AttributeValue>> items, CancellationToken cancellationToken)
    {
        foreach (var chunk in items.Chunk(MaxItemsPerBatchWrite))
        {
            var requests = chunk.Select(item => new WriteRequest
            {
                DeleteRequest = new DeleteRequest
                {
                    Key = new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
                    {
                        [ApplicationName] = item[ApplicationName],
                        [HistoryTableAttributes.SecretRevision] = item[HistoryTableAttributes.SecretRevision],
                    },
                },
            }).ToList();
            for (var attempt = 0; requests.Count > 0; attempt++)
            {
                if (attempt > MaxUnprocessedRetries)
                {
                    throw new SecretStoreException(
                        DiagnosticCodes.BackendUnavailable,
                        $"DynamoDB BatchWriteItem on table '{HistoryTableName}' left {requests.Count} items unprocessed after {MaxUnprocessedRetries} retries. Fix: retry later or raise the table's capacity.");
                }

                if (attempt > 0)
                {
                    await BackOffAsync(attempt - 1, cancellationToken).ConfigureAwait(false);
                }

                var request = new BatchWriteItemRequest { RequestItems = new() { [HistoryTableName] = requests } };
                var response = await Call("BatchWriteItem", () => _client.BatchWriteItemAsync(request, cancellationToken), cancellationToken, HistoryTableName).ConfigureAwait(false);
                requests = response.UnprocessedItems is not null && response.UnprocessedItems.TryGetValue(HistoryTableName, out var left) ? left : [];
            }
        }
    }

    private async Task<Dictionary<string, AttributeValue>?> GetItemAsync(string table, Dictionary<string, AttributeValue> key, CancellationToken cancellationToken)
    {
        var response = await Call("GetItem", () => _client.GetItemAsync(new GetItemRequest { TableName = table, Key = key, ConsistentRead = true }, cancellationToken), cancellationToken, table).ConfigureAwait(false);
        return response.IsItemSet && response.Item is { Count: > 0 } item ? item : null;
    }

    private static CancellationReason? Reason(TransactionCanceledException e, int index) =>
        e.CancellationReasons is { } reasons && reasons.Count > index ? reasons[index] : null;

    private static bool Failed(TransactionCanceledException e, int index) => Reason(e, index)?.Code == "ConditionalCheckFailed";

    /// <summary>A history put failed its condition: its revision was taken by another writer.</summary>
    private static bool FailedHistory(TransactionCanceledException e) => Failed(e, 1) || Failed(e, 2);

    private static bool IsTransactionConflict(TransactionCanceledException e) =>
        e.CancellationReasons?.Any(r => r?.Code == "TransactionConflict") == true;

    /// <summary>
    /// Creates the table and its history table (on-demand billing) and waits until both are ACTIVE, at most
    /// <paramref name="timeout"/> (default 2 minutes) each. Idempotent when they exist with the right key schema; a table
    /// with another schema gives <c>SSB2006</c>. Returns true when this call created either (a table made before history
    /// gets its history table this way).
    /// </summary>
    public async Task<bool> CreateTableAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var secrets = await CreateOneTableAsync(TableName, SecretName, timeout, cancellationToken).ConfigureAwait(false);
        var history = await CreateOneTableAsync(HistoryTableName, HistoryTableAttributes.SecretRevision, timeout, cancellationToken).ConfigureAwait(false);

        // A new store gets its id at once; an older table only on request (store-id --create), since its reader roles
        // need the store item's key in their policy first (docs/aws.md).
        if (secrets)
        {
            await EnsureStoreIdAsync(createForExisting: true, cancellationToken).ConfigureAwait(false);
        }

        return secrets || history;
    }

    private static Dictionary<string, AttributeValue> StoreItemKey => new()
    {
        [ApplicationName] = new AttributeValue { S = HistoryTableAttributes.StorePartition },
        [HistoryTableAttributes.SecretRevision] = new AttributeValue { S = HistoryTableAttributes.StoreSortKey },
    };

    /// <inheritdoc />
    /// <remarks>
    /// The store item of the history table (<see cref="HistoryTableAttributes.StorePartition"/>); null when there is none,
    /// or no history table (then no record can have been bound). Read only when a record is bound to a store.
    /// </remarks>
    public async ValueTask<string?> GetStoreIdAsync(CancellationToken cancellationToken = default)
    {
        GetItemResponse response;
        try
        {
            response = await _client.GetItemAsync(new GetItemRequest { TableName = HistoryTableName, Key = StoreItemKey, ConsistentRead = true }, cancellationToken).ConfigureAwait(false);
        }
        catch (ResourceNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (!IsCallerCancellation(e, cancellationToken))
        {
            throw DynamoDbErrors.Map(e, "GetItem", HistoryTableName, _client.Config);
        }

        if (response.Item is not { Count: > 0 } item)
        {
            return null;
        }

        return item.TryGetValue(HistoryTableAttributes.StoreId, out var value) && StoreIds.IsWellFormed(value.S)
            ? value.S
            : throw new SecretStoreException(DiagnosticCodes.InvalidData, $"The store item of the history table '{HistoryTableName}' holds no valid store id; records bound to this store are refused until it is restored.");
    }

    /// <inheritdoc />
    /// <remarks>
    /// Never made by a write: a table gets its id from <c>table create</c> (a new table) or <c>store-id --create</c>
    /// (<paramref name="createForExisting"/>), a conditional put that two callers cannot both win.
    /// </remarks>
    public async ValueTask<string?> EnsureStoreIdAsync(bool createForExisting = false, CancellationToken cancellationToken = default)
    {
        var existing = await GetStoreIdAsync(cancellationToken).ConfigureAwait(false);
        if (existing is not null || !createForExisting)
        {
            return existing;
        }

        await PutStoreIdAsync(StoreIds.New(), cancellationToken).ConfigureAwait(false);
        return await GetStoreIdAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> AdoptStoreIdAsync(string storeId, CancellationToken cancellationToken = default)
    {
        if (!StoreIds.IsWellFormed(storeId))
        {
            throw new ArgumentException("Not a store id.", nameof(storeId));
        }

        if (await GetStoreIdAsync(cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return string.Equals(existing, storeId, StringComparison.Ordinal);
        }

        // New means no record and no history either: a table whose secrets were all deleted (or purged) still holds
        // their revisions, and records bound to another id must not be numbered past them.
        if (await HoldsAnyItemAsync(TableName, cancellationToken).ConfigureAwait(false)
            || await HoldsAnyItemAsync(HistoryTableName, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await PutStoreIdAsync(storeId, cancellationToken).ConfigureAwait(false);
        return string.Equals(await GetStoreIdAsync(cancellationToken).ConfigureAwait(false), storeId, StringComparison.Ordinal);
    }

    private async Task<bool> HoldsAnyItemAsync(string table, CancellationToken cancellationToken)
    {
        var any = await Call("Scan", () => _client.ScanAsync(new ScanRequest { TableName = table, Limit = 1, ProjectionExpression = "#a", ExpressionAttributeNames = new() { ["#a"] = ApplicationName } }, cancellationToken), cancellationToken, table).ConfigureAwait(false);
        return any.Count > 0 || any.LastEvaluatedKey is { Count: > 0 };
    }

    private async Task PutStoreIdAsync(string storeId, CancellationToken cancellationToken)
    {
        var item = StoreItemKey;
        item[HistoryTableAttributes.StoreId] = new AttributeValue { S = storeId };
        try
        {
            await _client.PutItemAsync(
                new PutItemRequest { TableName = HistoryTableName, Item = item, ConditionExpression = "attribute_not_exists(#a)", ExpressionAttributeNames = new() { ["#a"] = ApplicationName } },
                cancellationToken).ConfigureAwait(false);
        }
        catch (ConditionalCheckFailedException)
        {
            // Another caller made it first: theirs is the store's id.
        }
        catch (ResourceNotFoundException e)
        {
            throw HistoryTableMissing("PutItem", e);
        }
        catch (Exception e) when (!IsCallerCancellation(e, cancellationToken))
        {
            throw DynamoDbErrors.Map(e, "PutItem", HistoryTableName, _client.Config);
        }
    }

    private async Task<bool> CreateOneTableAsync(string table, string sortKey, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? DefaultCreateTimeout);
        var existing = await DescribeTableOrNullAsync(table, cancellationToken).ConfigureAwait(false);
        var created = false;
        if (existing is null)
        {
            try
            {
                await _client.CreateTableAsync(
                    new CreateTableRequest
                    {
                        TableName = table,
                        BillingMode = BillingMode.PAY_PER_REQUEST,
                        KeySchema =
                        [
                            new KeySchemaElement(ApplicationName, KeyType.HASH),
                            new KeySchemaElement(sortKey, KeyType.RANGE),
                        ],
                        AttributeDefinitions =
                        [
                            new AttributeDefinition(ApplicationName, ScalarAttributeType.S),
                            new AttributeDefinition(sortKey, ScalarAttributeType.S),
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
                throw DynamoDbErrors.Map(e, "CreateTable", table, _client.Config);
            }

            existing = await DescribeTableOrNullAsync(table, cancellationToken).ConfigureAwait(false);
        }

        while (true)
        {
            if (existing is not null)
            {
                EnsureSchema(existing, table, sortKey);
                if (existing.TableStatus == TableStatus.ACTIVE)
                {
                    return created;
                }
            }

            if (DateTimeOffset.UtcNow >= deadline)
            {
                throw new SecretStoreException(
                    DiagnosticCodes.TableNotFound,
                    $"DynamoDB table '{table}' did not become ACTIVE within {(timeout ?? DefaultCreateTimeout).TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (status {existing?.TableStatus?.Value ?? "missing"}).");
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            existing = await DescribeTableOrNullAsync(table, cancellationToken).ConfigureAwait(false);
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

            await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
            unprocessed.ConsistentRead = true;
            keys = unprocessed;
        }
    }

    private async Task<TableDescription?> DescribeTableOrNullAsync(string table, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.DescribeTableAsync(new DescribeTableRequest { TableName = table }, cancellationToken).ConfigureAwait(false);
            return response.Table;
        }
        catch (ResourceNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (!IsCallerCancellation(e, cancellationToken))
        {
            throw DynamoDbErrors.Map(e, "DescribeTable", table, _client.Config);
        }
    }

    private static void EnsureSchema(TableDescription table, string name, string sortKey)
    {
        string? Type(string attribute) => table.AttributeDefinitions?.FirstOrDefault(a => a.AttributeName == attribute)?.AttributeType?.Value;
        var keys = table.KeySchema ?? [];
        var matches = keys.Count == 2
            && keys.Any(k => k.AttributeName == ApplicationName && k.KeyType == KeyType.HASH)
            && keys.Any(k => k.AttributeName == sortKey && k.KeyType == KeyType.RANGE)
            && Type(ApplicationName) == "S" && Type(sortKey) == "S";
        if (!matches)
        {
            var actual = string.Join(", ", keys.Select(k => $"{k.AttributeName} {k.KeyType?.Value} {Type(k.AttributeName)}"));
            throw new SecretStoreException(
                DiagnosticCodes.TableSchemaMismatch,
                $"DynamoDB table '{name}' exists with key schema [{actual}]; expected [{ApplicationName} HASH S, {sortKey} RANGE S]. Fix: use another table name.");
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

    private static void EnsureWellFormed(SecretId id) => StoredIds.EnsureWellFormed(id);

    /// <summary>The caller's own cancellation stays an <see cref="OperationCanceledException"/>; an SDK timeout is a failure.</summary>
    private static bool IsCallerCancellation(Exception e, CancellationToken cancellationToken) =>
        e is OperationCanceledException && cancellationToken.IsCancellationRequested;

    private async Task<T> Call<T>(string operation, Func<Task<T>> call, CancellationToken cancellationToken, string? table = null)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (ResourceNotFoundException e) when (table == HistoryTableName)
        {
            throw HistoryTableMissing(operation, e);
        }
        catch (Exception e) when (!IsCallerCancellation(e, cancellationToken))
        {
            throw DynamoDbErrors.Map(e, operation, table ?? TableName, _client.Config);
        }
    }

    private SecretStoreException HistoryTableMissing(string operation, Exception e) => new(
        DiagnosticCodes.TableNotFound,
        $"DynamoDB {operation} failed: the history table '{HistoryTableName}' of table '{TableName}' does not exist or is not active in this account and region. Fix: run 'secretstore table create' once (it creates only what is missing), or create it as docs/aws.md shows.",
        e);
}

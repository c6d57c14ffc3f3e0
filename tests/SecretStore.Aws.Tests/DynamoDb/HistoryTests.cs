using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using SecretStore.Aws.DynamoDb;
using SecretStore.Aws.Tests.Infrastructure;
using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Repositories.History;
using SecretStore.Secrets;
using SecretStore.Testing.Aws.DynamoDb;
using SecretStore.Testing.Repositories;
using static SecretStore.Aws.DynamoDb.SecretTableAttributes;

namespace SecretStore.Aws.Tests.DynamoDb;

/// <summary>
/// The history table against DynamoDB Local, item by item: where history items go, reference rows, purge, retention, a
/// table made before history, corrupt items. The behaviour every store shares (and the model check) is DynamoDbRepositoryContractTests.
/// </summary>
public sealed class HistoryTests(SecretTableFixture table) : IClassFixture<SecretTableFixture>
{
    private string HistoryTable => HistoryTableAttributes.DefaultTableName(table.TableName);

    [Fact]
    public async Task History_items_never_show_in_the_secrets_table_or_in_a_listing()
    {
        var repository = table.NewRepository();
        var app = Records.NewApplication("listing");
        var id = new SecretId(app, "Db");
        await repository.SaveAsync(Records.V2(id), 0);
        await repository.SaveAsync(Records.V2(id), 1);
        await repository.SaveAsync(Records.V2(new SecretId(app, "Gone")), 0);
        await repository.DeleteAsync(new SecretId(app, "Gone"));

        var listed = Assert.Single(await repository.QueryByApplicationAsync(app));
        Assert.Equal((id, 2L), (listed.Id, listed.Revision));
        var rows = await table.Client.QueryAsync(new QueryRequest
        {
            TableName = table.TableName,
            KeyConditionExpression = "#app = :app",
            ExpressionAttributeNames = new() { ["#app"] = ApplicationName },
            ExpressionAttributeValues = new() { [":app"] = new AttributeValue { S = app } },
        });
        Assert.Equal(["Db"], rows.Items.Select(i => i[SecretName].S));
        // Db 1 and 2, Gone 1 and its tombstone 2.
        Assert.Equal(["Db", "Db", "Gone", "Gone"], (await HistoryItemsAsync(app)).Select(i => i[SecretName].S).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_reference_row_written_over_our_history_stands_for_revision_1_and_the_next_write_keeps_it_past_the_history()
    {
        var repository = table.NewRepository();
        var id = new SecretId(Records.NewApplication("ref"), "Db");
        await repository.SaveAsync(Records.V2(id), 0);
        await repository.SaveAsync(Records.V2(id), 1);
        await repository.SaveAsync(Records.V2(id), 2);
        // The reference tool rewrites the row: no Revision, no history item.
        await table.Client.PutItemAsync(new PutItemRequest { TableName = table.TableName, Item = ReferenceRow(id) });

        var history = await repository.GetHistoryAsync(id);
        Assert.Equal([1L, 2L, 3L], history.Select(e => e.Revision));
        Assert.Equal(ProtectedSecretFormat.V1, history[0].Record!.Format);
        Assert.Null(history[0].WrittenAt);
        Assert.Equal(ProtectedSecretFormat.V1, (await repository.GetRevisionAsync(id, 1))!.Record!.Format);
        Assert.Equal(ProtectedSecretFormat.V2, (await repository.GetRevisionAsync(id, 2))!.Record!.Format);

        // Writing over it keeps the reference value (revision 1 is taken by our own first value, so it takes 4).
        Assert.Equal(5, await repository.SaveAsync(Records.V2(id), 1));
        var after = await repository.GetHistoryAsync(id);
        Assert.Equal([1L, 2L, 3L, 4L, 5L], after.Select(e => e.Revision));
        Assert.Equal([ProtectedSecretFormat.V2, ProtectedSecretFormat.V2, ProtectedSecretFormat.V2, ProtectedSecretFormat.V1, ProtectedSecretFormat.V2], after.Select(e => e.Record!.Format));
        Assert.Equal("alias/reference", (await repository.GetRevisionAsync(id, 4))!.Record!.MasterKeyId);
    }

    [Fact]
    public async Task Purge_removes_the_row_and_every_value_in_the_history_leaving_one_deletion_and_the_secret_whose_name_extends_it()
    {
        var repository = table.NewRepository();
        var app = Records.NewApplication("purge");
        var id = new SecretId(app, "Db");
        var longer = new SecretId(app, "Db#0000000000000000001");
        for (var revision = 0; revision < 30; revision++)
        {
            await repository.SaveAsync(Records.V2(id), revision);
        }

        await repository.DeleteAsync(id);
        await repository.SaveAsync(Records.V2(longer), 0);

        Assert.True(await repository.PurgeAsync(id));

        Assert.Null(await repository.GetAsync(id));
        Assert.Equal([(32L, true)], (await repository.GetHistoryAsync(id)).Select(e => (e.Revision, e.IsDeletion)));
        Assert.Equal([id.Name, longer.Name], (await HistoryItemsAsync(app)).Select(i => i[SecretName].S).Order(StringComparer.Ordinal));
        Assert.False(await repository.PurgeAsync(id));
        Assert.Equal(33, await repository.SaveAsync(Records.V2(id), 0));
    }

    [Fact]
    public async Task Retention_removes_the_oldest_history_items_from_the_table()
    {
        var repository = table.NewRepository(new DynamoDbSecretRepositoryOptions { History = new HistoryOptions { KeepRevisions = 2 } });
        var app = Records.NewApplication("keep");
        var id = new SecretId(app, "Db");
        for (var revision = 0; revision < 5; revision++)
        {
            await repository.SaveAsync(Records.V2(id), revision);
        }

        Assert.Equal(["4", "5"], (await HistoryItemsAsync(app)).Select(i => i[Revision].N));
        Assert.Null(await repository.GetRevisionAsync(id, 3));
    }

    [Fact]
    public async Task A_table_made_before_history_still_reads_refuses_writes_with_SSB2008_naming_the_history_table_and_table_create_adds_it()
    {
        using var client = await DynamoDbLocal.CreateClientAsync();
        var name = DynamoDbLocal.UniqueTableName("pre-history");
        await client.CreateTableAsync(new CreateTableRequest
        {
            TableName = name,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            KeySchema = [new KeySchemaElement(ApplicationName, KeyType.HASH), new KeySchemaElement(SecretName, KeyType.RANGE)],
            AttributeDefinitions = [new AttributeDefinition(ApplicationName, ScalarAttributeType.S), new AttributeDefinition(SecretName, ScalarAttributeType.S)],
        });
        var id = new SecretId("app", "Db");
        await client.PutItemAsync(new PutItemRequest { TableName = name, Item = ReferenceRow(id) });
        var repository = new DynamoDbSecretRepository(client, name);

        Assert.NotNull(await repository.GetAsync(id));
        Assert.Single(await repository.GetManyAsync([id]));
        var write = await Assert.ThrowsAsync<SecretStoreException>(() => repository.SaveAsync(Records.V2(id), 1));
        var delete = await Assert.ThrowsAsync<SecretStoreException>(() => repository.DeleteAsync(id));
        var history = await Assert.ThrowsAsync<SecretStoreException>(() => repository.GetHistoryAsync(id));

        Assert.All([write, delete, history], e => Assert.Equal("SSB2008", e.Code.Id));
        Assert.All([write, delete, history], e => Assert.Contains($"failed: the history table '{name}.history' of table '{name}' does not exist", e.Message, StringComparison.Ordinal));
        Assert.Contains("'secretstore table create'", write.Message, StringComparison.Ordinal);
        Assert.Equal(ProtectedSecretFormat.V1, (await repository.GetAsync(id))!.Format);

        Assert.True(await repository.CreateTableAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, await repository.SaveAsync(Records.V2(id), 1));
        // The row written before history is kept as revision 1 by the first write over it.
        var kept = await repository.GetHistoryAsync(id);
        Assert.Equal([(1L, ProtectedSecretFormat.V1), (2L, ProtectedSecretFormat.V2)], kept.Select(e => (e.Revision, e.Record!.Format)));
        Assert.Equal([null, "alias/test"], kept.Select(e => e.Record!.MasterKeyId == "alias/reference" ? null : e.Record.MasterKeyId));
        Assert.False(await repository.CreateTableAsync(TimeSpan.FromSeconds(30)));
        await client.DeleteTableAsync(name);
        await client.DeleteTableAsync(name + ".history");
    }

    public static TheoryData<string> CorruptItems => ["wrong sort key", "revision out of range", "deletion with fields", "bad time"];

    [Theory]
    [MemberData(nameof(CorruptItems))]
    public async Task A_corrupt_history_item_is_SSB3002_naming_the_history_table_and_the_current_record_still_reads(string corruption)
    {
        var repository = table.NewRepository();
        var id = new SecretId(Records.NewApplication("corrupt"), "Db");
        await repository.SaveAsync(Records.V2(id), 0);
        var item = (await HistoryItemsAsync(id.ApplicationName)).Single();
        switch (corruption)
        {
            case "wrong sort key":
                await table.Client.DeleteItemAsync(new DeleteItemRequest { TableName = HistoryTable, Key = new() { [ApplicationName] = item[ApplicationName], [HistoryTableAttributes.SecretRevision] = item[HistoryTableAttributes.SecretRevision] } });
                item[HistoryTableAttributes.SecretRevision] = new AttributeValue { S = HistoryTableAttributes.SortKey("Db", 7) };
                break;
            case "revision out of range":
                item[Revision] = new AttributeValue { N = "0" };
                break;
            case "deletion with fields":
                item[HistoryTableAttributes.Deleted] = new AttributeValue { BOOL = true };
                break;
            default:
                item[HistoryTableAttributes.WrittenAt] = new AttributeValue { S = "yesterday" };
                break;
        }

        await table.Client.PutItemAsync(new PutItemRequest { TableName = HistoryTable, Item = item });

        var error = await Assert.ThrowsAsync<InvalidProtectedDataException>(() => repository.GetHistoryAsync(id));
        Assert.Contains($"in table '{HistoryTable}'", error.Message, StringComparison.Ordinal);
        Assert.NotNull(await repository.GetAsync(id));
    }

    private async Task<List<Dictionary<string, AttributeValue>>> HistoryItemsAsync(string application)
    {
        var response = await table.Client.QueryAsync(new QueryRequest
        {
            TableName = HistoryTable,
            ConsistentRead = true,
            KeyConditionExpression = "#app = :app",
            ExpressionAttributeNames = new() { ["#app"] = ApplicationName },
            ExpressionAttributeValues = new() { [":app"] = new AttributeValue { S = application } },
        });
        return response.Items;
    }

    private static Dictionary<string, AttributeValue> ReferenceRow(SecretId id) => new()
    {
        [ApplicationName] = new AttributeValue { S = id.ApplicationName },
        [SecretName] = new AttributeValue { S = id.Name },
        [MasterKeyId] = new AttributeValue { S = "alias/reference" },
        [ProtectedDocumentKey] = new AttributeValue { B = new MemoryStream([1, 2, 3, 4]) },
        [InitialisationVector] = new AttributeValue { B = new MemoryStream(new byte[16]) },
        [ProtectedSecretValue] = new AttributeValue { B = new MemoryStream(new byte[32]) },
    };
}

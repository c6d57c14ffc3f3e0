using Amazon.DynamoDBv2.Model;
using SecretStore.Aws.DynamoDb;
using SecretStore.Aws.Tests.Infrastructure;
using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Secrets;
using SecretStore.Testing.Aws.DynamoDb;
using static SecretStore.Aws.DynamoDb.SecretTableAttributes;

namespace SecretStore.Aws.Tests.DynamoDb;

public sealed class DynamoDbSecretRepositoryTests(SecretTableFixture table) : IClassFixture<SecretTableFixture>
{
    [Fact]
    public async Task Query_follows_LastEvaluatedKey_past_one_megabyte_and_returns_only_that_application()
    {
        using var client = await CountingDynamoDbClient.CreateAsync();
        var repository = table.NewRepository(client);
        var app = Records.NewApplication("big");
        // 30 rows of ~40 KB: about 1.2 MB in one partition, more than one Query page holds.
        var names = Enumerable.Range(0, 30).Select(i => $"secret-{i:D2}").ToList();
        foreach (var name in names)
        {
            await repository.SaveAsync(Records.V2(new SecretId(app, name), envelopeBytes: 40 * 1024), 0);
        }

        // Neighbours: another application with a name that sorts right after, and one before.
        await repository.SaveAsync(Records.V2(new SecretId(app + "-other", "secret-00")), 0);
        await repository.SaveAsync(Records.V2(new SecretId("a" + app, "secret-99")), 0);

        var records = await repository.QueryByApplicationAsync(app);

        Assert.Equal(names, records.Select(r => r.Id.Name));
        Assert.All(records, r => Assert.Equal(app, r.Id.ApplicationName));
        Assert.True(client.Queries >= 2, $"expected several Query pages, got {client.Queries}");
        Assert.Equal(0, client.Scans);
    }

    [Fact]
    public async Task GetMany_of_250_names_uses_batches_of_100_and_leaves_out_missing_ones()
    {
        using var client = await CountingDynamoDbClient.CreateAsync();
        var repository = table.NewRepository(client);
        var app = Records.NewApplication();
        var all = Enumerable.Range(0, 250).Select(i => new SecretId(app, $"s{i:D3}")).ToList();
        var present = all.Where((_, i) => i % 5 != 0).ToList();
        await Parallel.ForEachAsync(present, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, ct) =>
            await repository.SaveAsync(Records.V2(id), 0, ct));

        var records = await repository.GetManyAsync(all);

        Assert.Equal(present.OrderBy(i => i.Name, StringComparer.Ordinal), records.Select(r => r.Id).OrderBy(i => i.Name, StringComparer.Ordinal));
        Assert.Equal(3, client.BatchGets);
    }

    [Fact]
    public async Task Reference_row_without_revision_reads_as_v1_revision_1_and_its_first_update_is_conditional()
    {
        var repository = table.NewRepository();
        var id = new SecretId(Records.NewApplication("ref"), "ConnectionString");
        var documentKey = new byte[] { 1, 2, 3, 4 };
        await table.Client.PutItemAsync(new PutItemRequest
        {
            TableName = table.TableName,
            Item = new()
            {
                [ApplicationName] = new AttributeValue { S = id.ApplicationName },
                [SecretName] = new AttributeValue { S = id.Name },
                [MasterKeyId] = new AttributeValue { S = "alias/reference" },
                [ProtectedDocumentKey] = new AttributeValue { B = new MemoryStream(documentKey) },
                [InitialisationVector] = new AttributeValue { B = new MemoryStream(new byte[16]) },
                [ProtectedSecretValue] = new AttributeValue { B = new MemoryStream(new byte[32]) },
            },
        });

        var record = (await repository.GetAsync(id))!;
        Assert.Equal(ProtectedSecretFormat.V1, record.Format);
        Assert.Equal(1, record.Revision);
        Assert.Equal("alias/reference", record.MasterKeyId);
        Assert.Equal(documentKey, record.ProtectedDocumentKey);

        Assert.Equal(2, await repository.SaveAsync(Records.V2(id), 1));
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => repository.SaveAsync(Records.V2(id), 1));

        var item = await table.RawItemAsync(id.ApplicationName, id.Name);
        Assert.Equal("2", item[Revision].N);
        Assert.Equal("2", item[Format].N);
        Assert.True(item.ContainsKey(Envelope));
        Assert.DoesNotContain(ProtectedDocumentKey, item.Keys);
        Assert.DoesNotContain(InitialisationVector, item.Keys);
        Assert.DoesNotContain(ProtectedSecretValue, item.Keys);
    }

    [Fact]
    public async Task V1_rows_written_here_keep_reference_fields_and_carry_a_revision()
    {
        var repository = table.NewRepository();
        var record = Records.V1(new SecretId(Records.NewApplication(), "legacy"));

        await repository.SaveAsync(record, 0);

        var item = await table.RawItemAsync(record.Id.ApplicationName, record.Id.Name);
        Assert.Equal(record.ProtectedDocumentKey, item[ProtectedDocumentKey].B.ToArray());
        Assert.Equal(record.InitialisationVector, item[InitialisationVector].B.ToArray());
        Assert.Equal(record.ProtectedSecretValue, item[ProtectedSecretValue].B.ToArray());
        Assert.Equal("1", item[Revision].N);
        Assert.DoesNotContain(Envelope, item.Keys);
        var read = (await repository.GetAsync(record.Id))!;
        Assert.Equal(ProtectedSecretFormat.V1, read.Format);
        Assert.Equal(record.ProtectedSecretValue, read.ProtectedSecretValue);
    }

    [Fact]
    public async Task An_item_over_400_KB_is_refused_and_nothing_is_written()
    {
        var repository = table.NewRepository();
        var id = new SecretId(Records.NewApplication(), "huge");

        var error = await Assert.ThrowsAsync<PayloadTooLargeException>(() => repository.SaveAsync(Records.V2(id, envelopeBytes: 401 * 1024), 0));

        Assert.Equal("SSB2003", error.Code.Id);
        Assert.Null(await repository.GetAsync(id));
    }

    [Fact]
    public async Task An_item_mixing_v1_and_v2_fields_is_refused_as_invalid_data()
    {
        var app = Records.NewApplication();
        await table.Client.PutItemAsync(new PutItemRequest
        {
            TableName = table.TableName,
            Item = new()
            {
                [ApplicationName] = new AttributeValue { S = app },
                [SecretName] = new AttributeValue { S = "mixed" },
                [MasterKeyId] = new AttributeValue { S = "k" },
                [Envelope] = new AttributeValue { B = new MemoryStream(new byte[8]) },
                [Format] = new AttributeValue { N = "2" },
                [ProtectedDocumentKey] = new AttributeValue { B = new MemoryStream(new byte[8]) },
            },
        });

        var error = await Assert.ThrowsAsync<InvalidProtectedDataException>(() => table.NewRepository().GetAsync(new SecretId(app, "mixed")));

        Assert.Equal("SSB3002", error.Code.Id);
        Assert.Contains(table.TableName, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_table_gives_SSB2008_naming_the_table()
    {
        var repository = new DynamoDbSecretRepository(table.Client, "no-such-table-" + Guid.NewGuid().ToString("N"));

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => repository.GetAsync(new SecretId("app", "name")));

        Assert.Equal("SSB2008", error.Code.Id);
        Assert.Contains(repository.TableName, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_endpoint_gives_SSB2005_naming_the_operation_and_table()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var repository = DynamoDbSecretRepository.Create("unreachable", serviceUrl: $"http://127.0.0.1:{port}");

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => repository.QueryByApplicationAsync("app"));

        Assert.Equal("SSB2005", error.Code.Id);
        Assert.Contains("Query", error.Message, StringComparison.Ordinal);
        Assert.Contains("'unreachable'", error.Message, StringComparison.Ordinal);
    }
}

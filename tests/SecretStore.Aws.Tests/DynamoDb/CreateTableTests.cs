using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using SecretStore.Aws.DynamoDb;
using SecretStore.Diagnostics;
using SecretStore.Testing.Aws.DynamoDb;

namespace SecretStore.Aws.Tests.DynamoDb;

public sealed class CreateTableTests : IAsyncLifetime
{
    private readonly List<string> _tables = [];
    private AmazonDynamoDBClient _client = null!;

    public async Task InitializeAsync() => _client = await DynamoDbLocal.CreateClientAsync();

    public async Task DisposeAsync()
    {
        foreach (var name in _tables)
        {
            try
            {
                await _client.DeleteTableAsync(name);
            }
            catch (ResourceNotFoundException)
            {
            }
        }

        _client.Dispose();
    }

    [Fact]
    public async Task CreateTable_makes_an_on_demand_table_and_is_idempotent()
    {
        var repository = new DynamoDbSecretRepository(_client, NewName());

        Assert.True(await repository.CreateTableAsync(TimeSpan.FromSeconds(30)));
        Assert.False(await repository.CreateTableAsync(TimeSpan.FromSeconds(30)));

        var table = (await _client.DescribeTableAsync(repository.TableName)).Table;
        Assert.Equal(TableStatus.ACTIVE, table.TableStatus);
        Assert.Equal(BillingMode.PAY_PER_REQUEST, table.BillingModeSummary?.BillingMode);
        Assert.Contains(table.KeySchema, k => k.AttributeName == SecretTableAttributes.ApplicationName && k.KeyType == KeyType.HASH);
        Assert.Contains(table.KeySchema, k => k.AttributeName == SecretTableAttributes.SecretName && k.KeyType == KeyType.RANGE);
    }

    [Fact]
    public async Task CreateTable_over_a_table_with_another_schema_gives_SSB2006()
    {
        var name = NewName();
        await _client.CreateTableAsync(new CreateTableRequest
        {
            TableName = name,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            KeySchema = [new KeySchemaElement("Id", KeyType.HASH)],
            AttributeDefinitions = [new AttributeDefinition("Id", ScalarAttributeType.S)],
        });

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => new DynamoDbSecretRepository(_client, name).CreateTableAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal("SSB2006", error.Code.Id);
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateTable_with_the_keys_swapped_gives_SSB2006()
    {
        var name = NewName();
        await _client.CreateTableAsync(new CreateTableRequest
        {
            TableName = name,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            KeySchema = [new KeySchemaElement(SecretTableAttributes.SecretName, KeyType.HASH), new KeySchemaElement(SecretTableAttributes.ApplicationName, KeyType.RANGE)],
            AttributeDefinitions = [new AttributeDefinition(SecretTableAttributes.SecretName, ScalarAttributeType.S), new AttributeDefinition(SecretTableAttributes.ApplicationName, ScalarAttributeType.S)],
        });

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => new DynamoDbSecretRepository(_client, name).CreateTableAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal("SSB2006", error.Code.Id);
    }

    private string NewName()
    {
        var name = DynamoDbLocal.UniqueTableName("create");
        _tables.Add(name);
        return name;
    }
}

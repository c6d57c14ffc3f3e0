using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using SecretStore.Aws.DynamoDb;
using SecretStore.Testing.Aws.DynamoDb;

namespace SecretStore.Aws.Tests.Infrastructure;

/// <summary>A fresh secrets table in DynamoDB Local for one test class (unique name), deleted afterwards.</summary>
public sealed class SecretTableFixture : IAsyncLifetime
{
    public AmazonDynamoDBClient Client { get; private set; } = null!;

    public string TableName { get; } = DynamoDbLocal.UniqueTableName("secrets");

    public async Task InitializeAsync()
    {
        Client = await DynamoDbLocal.CreateClientAsync();
        await new DynamoDbSecretRepository(Client, TableName).CreateTableAsync(TimeSpan.FromSeconds(30));
    }

    public DynamoDbSecretRepository NewRepository(IAmazonDynamoDB? client = null) => new(client ?? Client, TableName);

    public DynamoDbSecretRepository NewRepository(DynamoDbSecretRepositoryOptions options) => new(Client, TableName, options);

    public async Task<Dictionary<string, AttributeValue>> RawItemAsync(string application, string name)
    {
        var response = await Client.GetItemAsync(new GetItemRequest
        {
            TableName = TableName,
            ConsistentRead = true,
            Key = new()
            {
                [SecretTableAttributes.ApplicationName] = new AttributeValue { S = application },
                [SecretTableAttributes.SecretName] = new AttributeValue { S = name },
            },
        });
        return response.Item ?? [];
    }

    public async Task DisposeAsync()
    {
        foreach (var table in new[] { TableName, HistoryTableAttributes.DefaultTableName(TableName) })
        {
            try
            {
                await Client.DeleteTableAsync(table);
            }
            catch (ResourceNotFoundException)
            {
            }
        }

        Client.Dispose();
    }
}

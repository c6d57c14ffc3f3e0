using System.Collections.Concurrent;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using SecretStore.Aws.Tests.Infrastructure;
using SecretStore.Secrets;
using SecretStore.Testing.Aws.DynamoDb;

namespace SecretStore.Aws.Tests.DynamoDb;

/// <summary>
/// Every read the repository sends is strongly consistent (a secret just rotated is never read stale). DynamoDB
/// Local is always consistent, so the result cannot show it: the test reads the flag off the wire, from the HTTP
/// bodies the real SDK client sends to the real DynamoDB Local.
/// </summary>
public sealed class ConsistentReadTests(SecretTableFixture table) : IClassFixture<SecretTableFixture>
{
    [Fact]
    public async Task Every_GetItem_BatchGetItem_and_Query_on_the_wire_asks_for_ConsistentRead()
    {
        var wire = new WireRecorder();
        var url = await DynamoDbLocal.GetServiceUrlAsync();
        using var client = new AmazonDynamoDBClient(DynamoDbLocal.Credentials, DynamoDbLocal.Config(url, c => c.HttpClientFactory = wire));
        using var repository = table.NewRepository(client);
        var app = Records.NewApplication();
        var ids = Enumerable.Range(0, 3).Select(i => new SecretId(app, $"s{i}")).ToList();
        foreach (var id in ids)
        {
            await repository.SaveAsync(Records.V2(id), 0);
        }

        Assert.NotNull(await repository.GetAsync(ids[0]));
        Assert.Equal(3, (await repository.GetManyAsync(ids)).Count);
        Assert.Equal(3, (await repository.QueryByApplicationAsync(app)).Count);

        var reads = wire.Requests.Where(r => r.Operation is "GetItem" or "BatchGetItem" or "Query" or "Scan").ToList();
        Assert.Equal(["BatchGetItem", "GetItem", "Query"], reads.Select(r => r.Operation).Distinct().Order(StringComparer.Ordinal));
        foreach (var (operation, body) in reads)
        {
            using var json = JsonDocument.Parse(body);
            var flags = operation == "BatchGetItem"
                ? json.RootElement.GetProperty("RequestItems").EnumerateObject().Select(t => ConsistentRead(t.Value)).ToList()
                : [ConsistentRead(json.RootElement)];
            Assert.True(flags.Count > 0 && flags.All(f => f), $"{operation} sent without ConsistentRead=true: {body}");
        }
    }

    private static bool ConsistentRead(JsonElement element) =>
        element.TryGetProperty("ConsistentRead", out var flag) && flag.ValueKind == JsonValueKind.True;

    /// <summary>An SDK HTTP client factory whose handler copies each request body, then sends it on unchanged.</summary>
    private sealed class WireRecorder : HttpClientFactory
    {
        public ConcurrentQueue<(string Operation, string Body)> Requests { get; } = new();

        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new Recording(this, new HttpClientHandler()));

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        private sealed class Recording(WireRecorder owner, HttpMessageHandler inner) : DelegatingHandler(inner)
        {
            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                // X-Amz-Target: DynamoDB_20120810.<Operation>; the body is the JSON the service reads.
                var target = request.Headers.TryGetValues("X-Amz-Target", out var values) ? values.Single() : "";
                var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
                owner.Requests.Enqueue((target[(target.IndexOf('.', StringComparison.Ordinal) + 1)..], body));
                return await base.SendAsync(request, cancellationToken);
            }
        }
    }
}

using Amazon.KeyManagementService;
using SecretStore.Testing.Aws.Kms;

namespace SecretStore.Aws.Tests.Infrastructure;

/// <summary>One KMS fixture server (and SDK client) per test class.</summary>
public sealed class KmsServerFixture : IAsyncLifetime
{
    public KmsFixtureServer Server { get; private set; } = null!;

    public AmazonKeyManagementServiceClient Client { get; private set; } = null!;

    /// <summary>What each test class's constructor calls: no fault, gate, rewrite or latency left, counters and recordings at zero.</summary>
    public void Reset()
    {
        Server.ClearFaults();
        Server.ResetCounters();
    }

    public async Task InitializeAsync()
    {
        Server = await KmsFixtureServer.StartAsync();
        Client = Server.CreateClient();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}

using SecretStore.Extensions.Configuration.Tests.Infrastructure;
using SecretStore.Testing;
using SecretStore.Testing.Aws.DynamoDb;
using SecretStore.Testing.Aws.Faults;
using SecretStore.Testing.Aws.Kms;
using SecretStore.Testing.Canaries;

namespace SecretStore.Extensions.Configuration.Tests;

/// <summary>
/// Issue 15 item 4 (b): the sample app started for real against DynamoDB Local (through the fault proxy) and the KMS
/// fixture, configured the way a deployment is: <c>SecretStore__*</c> variables, no settings file. A reload where
/// nothing changed makes no KMS call; a secret changed with the CLI is decrypted alone; a DynamoDB outage keeps the
/// last good values.
/// </summary>
[Collection(RuntimeAppCollection.Name)]
public sealed class RuntimeAppAwsTests : IAsyncLifetime
{
    private const string DbPassword = "Aws-Runtime-Db-Canary-8Hn3";
    private const string NewGreeting = "Hello from DynamoDB, Canary-Greeting-5";
    private readonly TempDirectory _temp = new("ssb-runtime-aws-");
    private readonly string _table = DynamoDbLocal.UniqueTableName("runtime");
    private KmsFixtureServer _kms = null!;
    private FaultProxy _proxy = null!;
    private Uri _dynamoDb = null!;
    private FixtureKey _key = null!;

    public async Task InitializeAsync()
    {
        _dynamoDb = await DynamoDbLocal.GetServiceUrlAsync();
        _kms = await KmsFixtureServer.StartAsync();
        _proxy = await FaultProxy.StartAsync(_dynamoDb, dynamoDb: true);
        _key = _kms.CreateKey($"alias/runtime-{Guid.NewGuid():N}");
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _kms.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task The_app_reads_DynamoDB_and_KMS_an_unchanged_reload_makes_no_KMS_call_a_changed_secret_is_decrypted_alone_and_an_outage_keeps_the_values()
    {
        var cli = new Dictionary<string, string?>(Aws())
        {
            ["SECRETSTORE_STORE"] = "dynamodb:" + _table,
            ["SECRETSTORE_SERVICE_URL"] = _dynamoDb.ToString(),
            ["SECRETSTORE_KMS_SERVICE_URL"] = _kms.ServiceUrl.ToString(),
            ["SECRETSTORE_REGION"] = KmsFixtureServer.Region,
        };
        var folder = _temp.Combine("app");
        Directory.CreateDirectory(folder);
        RuntimeSample.CopyTo(folder, withSettings: false);
        Assert.True((await RuntimeSample.CliAsync(folder, ["table", "create"], cli)).Succeeded);
        foreach (var (name, value) in new[] { ("Greeting", "Hello from DynamoDB"), ("Db.Password", DbPassword), ("Queue.Port", "5672") })
        {
            var set = await RuntimeSample.CliAsync(folder, ["set", $"RuntimeApp/{name}", "--key-id", _key.AliasName!], cli, value);
            Assert.True(set.Succeeded, set.ToString());
        }

        _kms.ResetCounters();
        await using var app = await RuntimeSample.StartAsync(folder, new Dictionary<string, string?>(Aws())
        {
            ["SecretStore__Storage"] = "dynamodb:" + _table,
            ["SecretStore__ServiceUrl"] = _proxy.ServiceUrl.ToString(),
            ["SecretStore__KmsServiceUrl"] = _kms.ServiceUrl.ToString(),
            ["SecretStore__Region"] = KmsFixtureServer.Region,
            ["SecretStore__KeyId"] = _key.AliasName,
        });
        var first = await app.GetAsync();
        var decryptsAtStart = _kms.RequestCount("Decrypt");
        var queriesAtStart = _proxy.Received("Query");

        // Three reload intervals with nothing changed: revisions are listed (DynamoDB Query), nothing is decrypted.
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        var (decryptsIdle, queriesIdle) = (_kms.RequestCount("Decrypt"), _proxy.Received("Query"));

        // Counted before the set: the app's next reload may decrypt the new value while the CLI process is still
        // exiting, before a count taken after it (the flake of CI24 and CI25). The set itself makes no Decrypt call.
        var decryptsBeforeChange = _kms.RequestCount("Decrypt");
        Assert.True((await RuntimeSample.CliAsync(folder, ["set", "RuntimeApp/Greeting", "--key-id", _key.AliasName!], cli, NewGreeting)).Succeeded);
        await app.WaitForAsync(j => j.GetProperty("greeting").GetString() == NewGreeting, TimeSpan.FromSeconds(30), "the new greeting");
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var decryptsAfterChange = _kms.RequestCount("Decrypt") - decryptsBeforeChange;

        _proxy.Inject(new Fault(FaultKind.ServiceUnavailable, Count: int.MaxValue));
        await app.WaitForOutputAsync("SSB0008", TimeSpan.FromSeconds(60));
        var duringOutage = await app.GetAsync();
        _proxy.Clear();

        Assert.Equal(("Hello from DynamoDB", 5672), (first.GetProperty("greeting").GetString(), first.GetProperty("queuePort").GetInt32()));
        Assert.Equal(3, decryptsAtStart);
        Assert.Equal(decryptsAtStart, decryptsIdle);
        Assert.True(queriesIdle >= queriesAtStart + 2, $"expected revision checks while idle; Query requests {queriesAtStart} -> {queriesIdle}");
        Assert.Equal(1, decryptsAfterChange);
        Assert.Equal(NewGreeting, duringOutage.GetProperty("greeting").GetString());
        var output = await app.StopAsync();
        Assert.Contains("warning SSB0008: Reloading secrets failed; the last good values are kept. Cause: SSB2005", output, StringComparison.Ordinal);
        Assert.Empty(new CanaryScanner(DbPassword, NewGreeting).Scan(output, "app output"));
    }

    private static Dictionary<string, string?> Aws() => new()
    {
        ["AWS_ACCESS_KEY_ID"] = "local",
        ["AWS_SECRET_ACCESS_KEY"] = "local",
        ["AWS_EC2_METADATA_DISABLED"] = "true",
    };
}

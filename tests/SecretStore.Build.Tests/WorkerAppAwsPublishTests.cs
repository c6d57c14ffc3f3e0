using System.Diagnostics;
using System.Xml.Linq;
using SecretStore.Aws;
using SecretStore.Aws.DynamoDb;
using SecretStore.Build.Tests.Infrastructure;
using SecretStore.Configuration;
using SecretStore.Secrets;
using SecretStore.Testing.Aws.DynamoDb;
using SecretStore.Testing.Aws.Kms;

namespace SecretStore.Build.Tests;

/// <summary>
/// A real publish of samples/WorkerApp with <c>SecretStoreTable</c> (DynamoDB storage, KMS protection): secrets in DynamoDB Local, data
/// keys from the loopback KMS fixture. The task runs in the MSBuild process (SecretStoreTaskHost=false) with
/// the AWS SDK it ships (AWSSDK.Core 4.1) while the app references AWSSDK.Core 4.0.3.3.
/// </summary>
public sealed class WorkerAppAwsPublish(PackageFeed feed) : IAsyncLifetime
{
    private KmsFixtureServer? _kms;

    public TestSecret QueuePassword { get; } = TestSecret.Create("WorkerApp", "Queue.Password", "CnryAwsQueue", "<&>\"");

    public TestSecret ReportingConnection { get; } = TestSecret.Create("WorkerApp", "ConnectionStrings.Reporting", "CnryAwsReport");

    public TestSecret StorageKey { get; } = TestSecret.Create("WorkerApp", "Storage.AccessKey", "CnryAwsStore");

    public TestSecret SigningKey { get; } = TestSecret.Create("WorkerApp", "Storage.SigningKey", "CnryAwsSign");

    public IReadOnlyList<TestSecret> Secrets => [QueuePassword, ReportingConnection, StorageKey, SigningKey];

    public SampleProject Project { get; private set; } = null!;

    public string PublishDirectory => Path.Combine(Project.WorkDirectory, "publish");

    public CommandResult Publish { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _kms = await KmsFixtureServer.StartAsync();
        var key = _kms.CreateKey("secretstore-build-tests");
        var settings = new StoreSettings
        {
            Storage = StorageKind.DynamoDb, Protection = ProtectionKind.Kms,
            Table = DynamoDbLocal.UniqueTableName("msbuild-package"),
            Region = "us-east-1",
            ServiceUrl = (await DynamoDbLocal.GetServiceUrlAsync()).ToString(),
            KmsServiceUrl = _kms.ServiceUrl.ToString(),
            KeyId = key.KeyId,
        };
        using (var store = SecretStoreFactory.Default.Open(settings))
        {
            await ((DynamoDbSecretRepository)store.Repository).CreateTableAsync();
            foreach (var secret in Secrets)
            {
                await store.SetAsync(new SecretId(secret.Application, secret.Name), secret.Value);
            }
        }

        Project = SampleProject.Create(feed, "WorkerApp", "WorkerApp-aws");
        Publish = await Project.PublishAsync(PublishDirectory,
        [
            $"-p:SecretStoreTable={settings.Table}", $"-p:SecretStoreRegion={settings.Region}",
            $"-p:SecretStoreServiceUrl={settings.ServiceUrl}", $"-p:SecretStoreKmsServiceUrl={settings.KmsServiceUrl}",
            // Readers accept only the master keys they are told (SSB3013 otherwise); the list form, as CI passes it.
            $"-p:SecretStoreAllowedKeyIds={settings.KeyId}",
            // In the MSBuild process itself (not the task host), where only the task's load context keeps its
            // AWSSDK.Core apart from anything else loaded there.
            "-p:SecretStoreTaskHost=false",
        ]);
    }

    public async Task DisposeAsync()
    {
        if (_kms is not null)
        {
            await _kms.DisposeAsync();
        }
    }
}

[Collection(PackageCollection.Name)]
public sealed class WorkerAppAwsPublishTests(WorkerAppAwsPublish publish, PackageFeed feed) : IClassFixture<WorkerAppAwsPublish>, IAsyncLifetime
{
    public Task InitializeAsync()
    {
        Assert.True(publish.Publish.Succeeded, publish.Publish.ToString());
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public void Aws_provider_resolves_from_DynamoDB_and_KMS()
    {
        var config = XDocument.Load(Path.Combine(publish.PublishDirectory, "WorkerApp.dll.config"));
        var password = config.Descendants("add").Single(e => (string?)e.Attribute("key") == "QueuePassword");
        Assert.Equal(publish.QueuePassword.Value, (string?)password.Attribute("value"));
        // Three placeholders and one SecretStoreMapping, four secrets in all.
        Assert.Matches(new System.Text.RegularExpressions.Regex(@"SSB0004: SecretStore resolve in '[^']+': \d+ file\(s\) read, \d+ placeholder\(s\) naming 4 secret\(s\)"), publish.Publish.Output);
        Assert.Empty(new SecretScanner(publish.Secrets).FindInText(publish.Publish.Output, "console output"));
    }

    [Fact]
    public async Task Task_and_app_each_use_their_own_AWSSDK_Core_version()
    {
        // The task ran with the AWSSDK.Core it ships in tasks/net10.0 (4.1) ...
        var packed = Path.Combine(feed.PackagesDirectory, "secretstore.build", feed.Version.ToLowerInvariant(), "tasks", "net10.0", "AWSSDK.Core.dll");
        Assert.StartsWith("4.1.", FileVersionInfo.GetVersionInfo(packed).FileVersion, StringComparison.Ordinal);
        // ... in the same build that compiled the app against 4.0.3.3, which the published app runs with.
        var run = await DotNet.RunAsync(publish.PublishDirectory, [Path.Combine(publish.PublishDirectory, "WorkerApp.dll")]);
        Assert.True(run.Succeeded, run.ToString());
        Assert.Contains("AWSSDK.Core used by the app: 4.0.3.3", run.Output, StringComparison.Ordinal);
        Assert.Contains("WorkerApp.dll.config QueuePassword: set", run.Output, StringComparison.Ordinal);
    }
}

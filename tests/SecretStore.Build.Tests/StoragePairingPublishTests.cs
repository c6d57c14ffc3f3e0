using System.Text.Json;
using System.Xml.Linq;
using SecretStore.Aws;
using SecretStore.Aws.DynamoDb;
using SecretStore.Build.Tests.Infrastructure;
using SecretStore.Configuration;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Testing.Aws.DynamoDb;
using SecretStore.Testing.Aws.Kms;

namespace SecretStore.Build.Tests;

/// <summary>
/// A real publish of samples/WorkerApp for each of the two pairings that are new with independent storage and
/// protection: RSA-protected rows in DynamoDB Local (<c>SecretStoreTable</c> + <c>SecretStoreKeyring</c>), and a store
/// file whose data keys the KMS fixture wraps (<c>SecretStoreFile</c> + <c>SecretStoreProtection=kms</c>). The secrets
/// are seeded through the engine, as every face opens a store.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class StoragePairingPublishTests(PackageFeed feed)
{
    [Fact]
    public async Task Publish_with_SecretStoreTable_and_SecretStoreKeyring_resolves_RSA_rows_from_DynamoDB_and_asks_KMS_nothing()
    {
        var secrets = NewSecrets("CnryDdbRsa");
        var project = SampleProject.Create(feed, "WorkerApp", "WorkerApp-dynamodb-rsa");
        // TestStore makes the keyring; its store file stays unused (no secret is set in it).
        var keyring = (await TestStore.CreateAsync(Path.Combine(project.WorkDirectory, "store"), [])).KeyringDirectory;
        await using var kms = await KmsFixtureServer.StartAsync();
        var settings = new StoreSettings
        {
            Storage = StorageKind.DynamoDb, Protection = ProtectionKind.Rsa,
            Table = DynamoDbLocal.UniqueTableName("msbuild-rsa"),
            Region = KmsFixtureServer.Region,
            ServiceUrl = (await DynamoDbLocal.GetServiceUrlAsync()).ToString(),
            KeyringPath = keyring,
        };
        using (var store = SecretStoreFactory.Default.Open(settings))
        {
            await ((DynamoDbSecretRepository)store.Repository).CreateTableAsync();
            await SeedAsync(store, secrets);
        }

        var publishDirectory = Path.Combine(project.WorkDirectory, "publish");
        var publish = await project.PublishAsync(publishDirectory,
        [
            $"-p:SecretStoreTable={settings.Table}", $"-p:SecretStoreKeyring={keyring}",
            $"-p:SecretStoreRegion={settings.Region}", $"-p:SecretStoreServiceUrl={settings.ServiceUrl}",
            // A KMS endpoint is given too: a publish that still reached KMS for an RSA table would be counted.
            $"-p:SecretStoreKmsServiceUrl={kms.ServiceUrl}",
        ]);

        Assert.True(publish.Succeeded, publish.ToString());
        AssertResolved(publishDirectory, secrets);
        Assert.Equal(0, kms.TotalRequests);
        Assert.Empty(new SecretScanner(secrets).FindInText(publish.Output, "publish output"));
    }

    [Fact]
    public async Task Publish_with_SecretStoreFile_and_SecretStoreProtection_kms_resolves_a_KMS_wrapped_store_file()
    {
        var secrets = NewSecrets("CnryFileKms");
        var project = SampleProject.Create(feed, "WorkerApp", "WorkerApp-file-kms");
        await using var kms = await KmsFixtureServer.StartAsync();
        var key = kms.CreateKey("secretstore-build-pairing");
        var settings = new StoreSettings
        {
            Storage = StorageKind.File, Protection = ProtectionKind.Kms,
            FilePath = Path.Combine(project.WorkDirectory, "store", "kms-secrets.json"),
            Region = KmsFixtureServer.Region,
            KmsServiceUrl = kms.ServiceUrl.ToString(),
            KeyId = key.Arn,
        };
        Directory.CreateDirectory(Path.GetDirectoryName(settings.FilePath)!);
        using (var store = SecretStoreFactory.Default.Open(settings))
        {
            await SeedAsync(store, secrets);
        }

        // The committed file names the key and holds no value.
        var text = await File.ReadAllTextAsync(settings.FilePath);
        Assert.Contains(key.Arn, text, StringComparison.Ordinal);
        Assert.Empty(new SecretScanner(secrets).FindInText(text, "store file"));
        kms.ResetCounters();

        var publishDirectory = Path.Combine(project.WorkDirectory, "publish");
        var publish = await project.PublishAsync(publishDirectory,
        [
            $"-p:SecretStoreFile={settings.FilePath}", "-p:SecretStoreProtection=kms",
            $"-p:SecretStoreRegion={settings.Region}", $"-p:SecretStoreKmsServiceUrl={settings.KmsServiceUrl}",
            $"-p:SecretStoreKeyId={key.Arn}",
        ]);

        Assert.True(publish.Succeeded, publish.ToString());
        AssertResolved(publishDirectory, secrets);
        // One Decrypt per record: the four secrets of the sample, each under its own data key.
        Assert.Equal(4, kms.RequestCount("Decrypt"));
        Assert.Empty(new SecretScanner(secrets).FindInText(publish.Output, "publish output"));
    }

    /// <summary>The sample's four secrets: three placeholders (App.config, appsettings.json) and one SecretStoreMapping.</summary>
    internal static TestSecret[] NewSecrets(string prefix) =>
    [
        TestSecret.Create("WorkerApp", "Queue.Password", prefix + "Queue", "<&>\""),
        TestSecret.Create("WorkerApp", "ConnectionStrings.Reporting", prefix + "Report", ";Password=a'b"),
        TestSecret.Create("WorkerApp", "Storage.AccessKey", prefix + "Store", "\\\""),
        TestSecret.Create("WorkerApp", "Storage.SigningKey", prefix + "Sign"),
    ];

    internal static async Task SeedAsync(EnvelopeSecretStore store, IEnumerable<TestSecret> secrets)
    {
        foreach (var secret in secrets)
        {
            await store.SetAsync(new SecretId(secret.Application, secret.Name), secret.Value);
        }
    }

    internal static void AssertResolved(string publishDirectory, TestSecret[] secrets)
    {
        var config = XDocument.Load(Path.Combine(publishDirectory, "WorkerApp.dll.config"));
        Assert.Equal(secrets[0].Value, (string?)config.Descendants("add").Single(e => (string?)e.Attribute("key") == "QueuePassword").Attribute("value"));
        Assert.Equal(secrets[1].Value, (string?)config.Descendants("add").Single(e => (string?)e.Attribute("name") == "Reporting").Attribute("connectionString"));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(publishDirectory, "appsettings.json")));
        var storage = json.RootElement.GetProperty("Storage");
        Assert.Equal((secrets[2].Value, secrets[3].Value), (storage.GetProperty("AccessKey").GetString(), storage.GetProperty("SigningKey").GetString()));
    }
}

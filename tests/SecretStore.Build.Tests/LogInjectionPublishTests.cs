using SecretStore.Aws;
using System.Text.Json.Nodes;
using SecretStore.Build.Tests.Infrastructure;
using SecretStore.Configuration;
using SecretStore.Keys.Rsa;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Testing.Logs;

namespace SecretStore.Build.Tests;

/// <summary>
/// Issue 12 item 5 through a real <c>dotnet publish</c>: a store writer names a record's master key
/// <c>"\n::stop-commands::..##vso[...]"</c>; the publish fails on it and the console output obeys none of it.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class LogInjectionPublishTests(PackageFeed feed)
{
    private const string HostileKeyId = "k\n::stop-commands::tok\u202E\u001B[2J##vso[task.prependpath]tmp";

    [Fact]
    public async Task A_hostile_master_key_id_in_the_store_reaches_the_publish_log_escaped_and_runs_no_workflow_command()
    {
        var project = SampleProject.Create(feed, "WorkerApp", "WorkerApp-log-injection");
        var secrets = new[]
        {
            ("WorkerApp", "Queue.Password", "CnryInjQueue-1"),
            ("WorkerApp", "ConnectionStrings.Reporting", "CnryInjReport-2"),
            ("WorkerApp", "Storage.AccessKey", "CnryInjStore-3"),
            ("WorkerApp", "Storage.SigningKey", "CnryInjSign-4"),
        };
        var store = await TestStore.CreateAsync(Path.Combine(project.WorkDirectory, "store"), secrets);
        using (var keyring = RsaKeyring.Load(store.KeyringDirectory))
        {
            keyring.AddKey(HostileKeyId, RsaKeyring.MinimumKeySizeInBits);
        }

        using (var writer = SecretStoreFactory.Default.Open(new StoreSettings { FilePath = store.StoreFile, KeyringPath = store.KeyringDirectory }))
        {
            await writer.SetAsync(new SecretId("WorkerApp", "Queue.Password"), "CnryInjQueue-1", new SetSecretOptions { KeyId = HostileKeyId });
        }

        // The reader's keyring no longer has that key: the record names a key id the reader must report.
        var indexPath = Path.Combine(store.KeyringDirectory, RsaKeyring.IndexFileName);
        var index = JsonNode.Parse(File.ReadAllText(indexPath))!;
        index["keys"]!.AsObject().Remove(HostileKeyId);
        File.WriteAllText(indexPath, index.ToJsonString());

        var publish = await project.PublishAsync(Path.Combine(project.WorkDirectory, "publish"), store.PublishProperties);

        Assert.False(publish.Succeeded, publish.ToString());
        Assert.Contains("k\\x0A::stop-commands::tok\\u202E\\x1B[2J\\x23#vso[task.prependpath]tmp", publish.Output, StringComparison.Ordinal);
        Assert.Empty(WorkflowCommandScanner.FindCommands(publish.Output));
        Assert.DoesNotContain("\u001B[2J", publish.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("\u202E", publish.Output, StringComparison.Ordinal);
    }
}

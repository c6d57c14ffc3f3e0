using System.Text.Json;
using System.Xml.Linq;
using SecretStore.Build.Tests.Infrastructure;

namespace SecretStore.Build.Tests;

/// <summary>One real publish of the console sample, which has no Web SDK publish step.</summary>
public sealed class WorkerAppPublish(PackageFeed feed) : IAsyncLifetime
{
    public TestSecret QueuePassword { get; } = TestSecret.Create("WorkerApp", "Queue.Password", "CnryQueue", "\"&<>'");

    public TestSecret ReportingConnection { get; } = TestSecret.Create("WorkerApp", "ConnectionStrings.Reporting", "CnryReport", ";Password=a'b");

    public TestSecret StorageKey { get; } = TestSecret.Create("WorkerApp", "Storage.AccessKey", "CnryStore", "\\\"");

    public TestSecret SigningKey { get; } = TestSecret.Create("WorkerApp", "Storage.SigningKey", "CnrySign");

    public IReadOnlyList<TestSecret> Secrets => [QueuePassword, ReportingConnection, StorageKey, SigningKey];

    public SampleProject Project { get; private set; } = null!;

    public string PublishDirectory => Path.Combine(Project.WorkDirectory, "publish");

    public CommandResult Publish { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Project = SampleProject.Create(feed, "WorkerApp");
        var store = await TestStore.CreateAsync(Path.Combine(Project.WorkDirectory, "store"), Secrets.Select(s => (s.Application, s.Name, s.Value)));
        Publish = await Project.PublishAsync(PublishDirectory, store.PublishProperties);
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

[Collection(PackageCollection.Name)]
public sealed class WorkerAppPublishTests(WorkerAppPublish publish) : IClassFixture<WorkerAppPublish>, IAsyncLifetime
{
    public Task InitializeAsync()
    {
        Assert.True(publish.Publish.Succeeded, publish.Publish.ToString());
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public void Publish_resolves_the_app_config_published_as_dll_config_with_xml_escaping()
    {
        var config = XDocument.Load(Path.Combine(publish.PublishDirectory, "WorkerApp.dll.config"));
        var password = config.Descendants("add").Single(e => (string?)e.Attribute("key") == "QueuePassword");
        Assert.Equal(publish.QueuePassword.Value, (string?)password.Attribute("value"));
        var reporting = config.Descendants("add").Single(e => (string?)e.Attribute("name") == "Reporting");
        Assert.Equal(publish.ReportingConnection.Value, (string?)reporting.Attribute("connectionString"));
        Assert.Equal("orders", (string?)config.Descendants("add").Single(e => (string?)e.Attribute("key") == "QueueName").Attribute("value"));
    }

    [Fact]
    public void Publish_resolves_appsettings_json_of_a_console_project()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(publish.PublishDirectory, "appsettings.json")));
        Assert.Equal(publish.StorageKey.Value, json.RootElement.GetProperty("Storage").GetProperty("AccessKey").GetString());
    }

    [Fact]
    public void SecretStoreMapping_item_writes_a_secret_to_a_configuration_path_without_a_placeholder()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(publish.PublishDirectory, "appsettings.json")));
        Assert.Equal(publish.SigningKey.Value, json.RootElement.GetProperty("Storage").GetProperty("SigningKey").GetString());
        Assert.Equal("worker-output", json.RootElement.GetProperty("Storage").GetProperty("Bucket").GetString());
    }

    [Fact]
    public async Task Package_defaults_are_visible_to_the_project()
    {
        var evaluation = await publish.Project.RunAsync(
        [
            "msbuild", publish.Project.ProjectFile, "-getProperty:SecretStoreEnabled", "-getProperty:SecretStoreStorage",
            "-getProperty:SecretStoreMode", "-getProperty:SecretStoreResolveOnBuild", "-getProperty:SecretStoreTaskHost", "-getItem:SecretStoreConfigFile",
        ]);
        Assert.True(evaluation.Succeeded, evaluation.ToString());
        using var json = JsonDocument.Parse(evaluation.Output);
        var properties = json.RootElement.GetProperty("Properties");
        Assert.Equal("true", properties.GetProperty("SecretStoreEnabled").GetString());
        // No storage default in the package: the settings file or the project chooses it (issue 13).
        Assert.Equal(string.Empty, properties.GetProperty("SecretStoreStorage").GetString());
        Assert.Equal("Resolve", properties.GetProperty("SecretStoreMode").GetString());
        Assert.Equal("false", properties.GetProperty("SecretStoreResolveOnBuild").GetString());
        Assert.Equal("false", properties.GetProperty("SecretStoreTaskHost").GetString());
        // The default globs reach the task unexpanded (escaped), to be matched in the publish folder.
        // They are all Optional: a default that finds nothing is skipped, an item the project adds is required (SSB1009).
        var files = json.RootElement.GetProperty("Items").GetProperty("SecretStoreConfigFile").EnumerateArray()
            .Select(i => (i.GetProperty("Identity").GetString(), i.GetProperty("Optional").GetString())).ToList();
        Assert.Equal([("appsettings*.json", "true"), ("web.config", "true"), ("*.dll.config", "true"), ("*.exe.config", "true")], files);
    }

    [Fact]
    public void Build_output_keeps_the_placeholders()
    {
        var buildConfig = Path.Combine(publish.Project.Directory, "bin", "Release", "net10.0", "WorkerApp.dll.config");
        Assert.Contains("#{secret:Queue.Password}", File.ReadAllText(buildConfig), StringComparison.Ordinal);
        Assert.Empty(new SecretScanner(publish.Secrets).FindInDirectory(publish.Project.Directory));
    }

    [Fact]
    public void Package_adds_no_assembly_to_the_published_app()
    {
        var assemblies = Directory.EnumerateFiles(publish.PublishDirectory, "*.dll").Select(Path.GetFileName).ToList();
        Assert.DoesNotContain(assemblies, a => a!.StartsWith("SecretStore", StringComparison.Ordinal));
        Assert.DoesNotContain(assemblies, a => a!.StartsWith("Microsoft.Extensions.FileSystemGlobbing", StringComparison.Ordinal));
        Assert.Contains("AWSSDK.Core.dll", assemblies);
    }

    [Fact]
    public async Task Published_app_runs_with_resolved_settings_and_its_own_AWSSDK_Core()
    {
        var run = await DotNet.RunAsync(publish.PublishDirectory, [Path.Combine(publish.PublishDirectory, "WorkerApp.dll")]);
        Assert.True(run.Succeeded, run.ToString());
        Assert.Contains("WorkerApp.dll.config QueuePassword: set", run.Output, StringComparison.Ordinal);
        Assert.Contains("appsettings.json Storage:AccessKey: set", run.Output, StringComparison.Ordinal);
        // The app's own AWSSDK.Core (4.0.3.3, pinned in the sample), not the one the package is built with.
        Assert.Contains("AWSSDK.Core used by the app: 4.0.3.3", run.Output, StringComparison.Ordinal);
    }
}

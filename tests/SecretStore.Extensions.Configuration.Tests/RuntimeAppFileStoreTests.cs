using SecretStore.Extensions.Configuration.Tests.Infrastructure;
using SecretStore.Testing;
using SecretStore.Testing.Canaries;
using SecretStore.Testing.Processes;

namespace SecretStore.Extensions.Configuration.Tests;

/// <summary>
/// Issue 15 items 3 and 4 (a): the sample app, set up with its one documented step (setup-dev.sh), started for real
/// with Kestrel against the Development file store; a secret set with the CLI while it runs shows up after the reload
/// interval, a broken store during a reload keeps the old values, and no value reaches the app's output.
/// </summary>
[Collection(RuntimeAppCollection.Name)]
public sealed class RuntimeAppFileStoreTests : IDisposable
{
    private const string DbPassword = "Runtime-Db-Canary-4Kq9";
    private const string NewGreeting = "Hello again, Canary-Greeting-2";
    private readonly TempDirectory _temp = new("ssb-runtime-");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_sample_set_up_with_setup_dev_serves_its_secrets_and_a_secret_set_with_the_CLI_while_it_runs_shows_up_without_a_restart()
    {
        var folder = _temp.Combine("app");
        Directory.CreateDirectory(folder);
        RuntimeSample.CopyTo(folder);
        var path = RuntimeSample.ToolOnPath(_temp);
        var setup = await ToolProcess.RunAsync("bash", [Path.Combine(folder, "setup-dev.sh"), folder], folder, TimeSpan.FromMinutes(3), path);
        Assert.True(setup.Succeeded, setup.ToString());
        var password = await RuntimeSample.CliAsync(folder, ["set", "Db.Password"], input: DbPassword);
        Assert.True(password.Succeeded, password.ToString());

        await using var app = await RuntimeSample.StartAsync(folder, new Dictionary<string, string?>());
        var first = await app.GetAsync();
        var set = await RuntimeSample.CliAsync(folder, ["set", "Greeting"], input: NewGreeting);
        Assert.True(set.Succeeded, set.ToString());
        var reloaded = await app.WaitForAsync(j => j.GetProperty("greeting").GetString() == NewGreeting, TimeSpan.FromSeconds(30), "the new greeting");

        Assert.Equal("Hello from the Development store", first.GetProperty("greeting").GetString());
        Assert.Equal(5672, first.GetProperty("queuePort").GetInt32());
        Assert.True(first.GetProperty("databaseConfigured").GetBoolean());
        Assert.Equal(5672, reloaded.GetProperty("queuePort").GetInt32());
        var output = await app.StopAsync();
        Assert.Empty(new CanaryScanner(DbPassword, NewGreeting).Scan(output, "app output"));
        Assert.DoesNotContain("warning SSB", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_that_breaks_during_a_reload_keeps_the_last_good_values_logs_SSB0008_and_the_app_recovers_when_it_is_repaired()
    {
        var folder = _temp.Combine("app");
        Directory.CreateDirectory(folder);
        RuntimeSample.CopyTo(folder);
        var setup = await ToolProcess.RunAsync("bash", [Path.Combine(folder, "setup-dev.sh"), folder], folder, TimeSpan.FromMinutes(3), RuntimeSample.ToolOnPath(_temp));
        Assert.True(setup.Succeeded, setup.ToString());
        Assert.True((await RuntimeSample.CliAsync(folder, ["set", "Db.Password"], input: DbPassword)).Succeeded);
        var store = Path.Combine(folder, ".secretstore", "secrets.json");
        var good = await File.ReadAllBytesAsync(store);

        await using var app = await RuntimeSample.StartAsync(folder, new Dictionary<string, string?>());
        await File.WriteAllTextAsync(store, "{ \"version\": 1, \"secrets\": [ broken");
        await app.WaitForOutputAsync("SSB0008", TimeSpan.FromSeconds(30));
        var duringOutage = await app.GetAsync();
        await File.WriteAllBytesAsync(store, good);
        Assert.True((await RuntimeSample.CliAsync(folder, ["set", "Greeting"], input: NewGreeting)).Succeeded);
        await app.WaitForAsync(j => j.GetProperty("greeting").GetString() == NewGreeting, TimeSpan.FromSeconds(30), "recovery after the store was repaired");

        Assert.Equal("Hello from the Development store", duringOutage.GetProperty("greeting").GetString());
        Assert.True(duringOutage.GetProperty("databaseConfigured").GetBoolean());
        var output = await app.StopAsync();
        Assert.Contains("warning SSB0008: Reloading secrets failed; the last good values are kept. Cause: SSB2004", output, StringComparison.Ordinal);
        Assert.Empty(new CanaryScanner(DbPassword, NewGreeting).Scan(output, "app output"));
    }

    [Fact]
    public async Task A_missing_secret_stops_the_start_with_a_coded_error_that_names_the_key_and_placeholder_but_no_value()
    {
        var folder = _temp.Combine("app");
        Directory.CreateDirectory(folder);
        RuntimeSample.CopyTo(folder);
        var setup = await ToolProcess.RunAsync("bash", [Path.Combine(folder, "setup-dev.sh"), folder], folder, TimeSpan.FromMinutes(3), RuntimeSample.ToolOnPath(_temp));
        Assert.True(setup.Succeeded, setup.ToString());
        Assert.True((await RuntimeSample.CliAsync(folder, ["set", "Db.Password"], input: DbPassword)).Succeeded);
        Assert.True((await RuntimeSample.CliAsync(folder, ["delete", "Queue.Port"])).Succeeded);

        var start = await ToolProcess.RunAsync("dotnet", [RuntimeSample.AppDll], folder, TimeSpan.FromMinutes(1), new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        });

        Assert.False(start.Succeeded);
        Assert.Contains("SSB2001", start.Output, StringComparison.Ordinal);
        Assert.Contains("Configuration key 'Queue:Port', placeholder '#{secret:Queue.Port|json}': secret 'RuntimeApp/Queue.Port' was not found.", start.Output, StringComparison.Ordinal);
        Assert.Empty(new CanaryScanner(DbPassword).Scan(start.Output, "app output"));
    }
}

/// <summary>The runtime app tests run one after another: each starts a real app and runs the CLI (two cores).</summary>
[CollectionDefinition(Name)]
public sealed class RuntimeAppCollection
{
    public const string Name = "Runtime app processes";
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;
using SecretStore.Diagnostics;
using SecretStore.Extensions.Configuration;
using SecretStore.Secrets;
using SecretStore.Testing.Canaries;
using SecretStore.Testing.Stores;

namespace SecretStore.Extensions.Configuration.Tests;

/// <summary>
/// Issue 15 item 1, reload: revisions are checked first and only changed secrets are read; the reload token fires only
/// when a value changed; a failed reload keeps the last good values with a coded warning.
/// </summary>
public sealed class ReloadTests : IDisposable
{
    private static readonly SecretId Db = new("shop", "Db");
    private static readonly SecretId Api = new("shop", "Api");
    private readonly StoreScope _scope = new();
    private readonly List<Diagnostic> _reported = [];

    public void Dispose() => _scope.Dispose();

    [Fact]
    public async Task A_manual_reload_with_nothing_changed_lists_revisions_reads_no_value_and_fires_no_token()
    {
        await _scope.Store.SetAsync(Db, "db-1");
        await _scope.Store.SetAsync(Api, "api-1");
        var recording = new RecordingStore(_scope.Store);
        var configuration = Build(recording);
        var fired = 0;
        using var _ = ChangeToken.OnChange(configuration.GetReloadToken, () => Interlocked.Increment(ref fired));
        var (idsAfterLoad, listsAfterLoad) = (recording.IdsRead, recording.Lists);

        var changed = await configuration.ReloadSecretStoreAsync();

        Assert.False(changed);
        Assert.Equal((2, 0), (idsAfterLoad, listsAfterLoad));
        Assert.Equal(2, recording.IdsRead);
        Assert.Equal(1, recording.Lists);
        Assert.Equal(0, fired);
    }

    [Fact]
    public async Task A_changed_secret_is_read_alone_on_reload_and_the_reload_token_fires_once()
    {
        await _scope.Store.SetAsync(Db, "db-1");
        await _scope.Store.SetAsync(Api, "api-1");
        var recording = new RecordingStore(_scope.Store);
        var configuration = Build(recording);
        var fired = 0;
        using var _ = ChangeToken.OnChange(configuration.GetReloadToken, () => Interlocked.Increment(ref fired));

        await _scope.Store.SetAsync(Db, "db-2");
        var changed = await configuration.ReloadSecretStoreAsync();

        Assert.True(changed);
        Assert.Equal("Server=db;Password=db-2", configuration["ConnectionStrings:Default"]);
        Assert.Equal("api-1", configuration["Api:Key"]);
        Assert.Equal(3, recording.IdsRead);
        Assert.Equal(1, fired);
    }

    [Fact]
    public async Task The_reload_interval_brings_a_new_value_without_a_restart()
    {
        await _scope.Store.SetAsync(Db, "db-1");
        await _scope.Store.SetAsync(Api, "api-1");
        var configuration = Build(_scope.Store, o => o.ReloadInterval = TimeSpan.FromMilliseconds(100));
        var reloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var _ = ChangeToken.OnChange(configuration.GetReloadToken, () => reloaded.TrySetResult());

        await _scope.Store.SetAsync(Api, "api-2");
        await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("api-2", configuration["Api:Key"]);
        (configuration as IDisposable)?.Dispose();
    }

    [Fact]
    public async Task A_backend_outage_during_reload_keeps_the_last_good_values_warns_SSB0008_and_the_next_reload_recovers()
    {
        await _scope.Store.SetAsync(Db, "db-1-Canary-R7");
        await _scope.Store.SetAsync(Api, "api-1");
        var recording = new RecordingStore(_scope.Store)
        {
            Failure = () => new SecretStoreException(DiagnosticCodes.BackendUnavailable, "The backend is down (test)."),
        };
        var configuration = Build(recording);

        recording.Down = true;
        var duringOutage = await configuration.ReloadSecretStoreAsync();
        var kept = configuration["ConnectionStrings:Default"];
        recording.Down = false;
        await _scope.Store.SetAsync(Db, "db-2");
        var afterOutage = await configuration.ReloadSecretStoreAsync();

        Assert.False(duringOutage);
        Assert.Equal("Server=db;Password=db-1-Canary-R7", kept);
        Assert.True(afterOutage);
        Assert.Equal("Server=db;Password=db-2", configuration["ConnectionStrings:Default"]);
        var warning = Assert.Single(_reported);
        Assert.Equal(("SSB0008", DiagnosticSeverity.Warning), (warning.Code.Id, warning.Severity));
        Assert.Contains("Reloading secrets failed; the last good values are kept. Cause: SSB2005: The backend is down (test).", warning.Message, StringComparison.Ordinal);
        Assert.Empty(new CanaryScanner("db-1-Canary-R7", "api-1-x").Scan(warning.ToMSBuildFormat(), "warning"));
    }

    [Fact]
    public async Task IConfigurationRoot_Reload_reloads_the_secrets_too()
    {
        await _scope.Store.SetAsync(Db, "db-1");
        await _scope.Store.SetAsync(Api, "api-1");
        var configuration = Build(_scope.Store);

        await _scope.Store.SetAsync(Api, "api-2");
        configuration.Reload();

        Assert.Equal("api-2", configuration["Api:Key"]);
    }

    [Fact]
    public async Task A_deleted_secret_fails_the_reload_and_the_last_good_value_stays()
    {
        await _scope.Store.SetAsync(Db, "db-1");
        await _scope.Store.SetAsync(Api, "api-1");
        var configuration = Build(_scope.Store);

        await _scope.Store.DeleteAsync(Api);
        var changed = await configuration.ReloadSecretStoreAsync();

        Assert.False(changed);
        Assert.Equal("api-1", configuration["Api:Key"]);
        Assert.Contains("SSB2001", Assert.Single(_reported).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fifo")]
    [InlineData("/dev/zero")]
    public async Task Red_team_a_store_file_replaced_by_a_link_to_a_FIFO_or_a_device_fails_the_reload_with_SSB2004_at_once_and_the_next_reload_recovers(string target)
    {
        // RT.17: a link to /dev/zero ran the app out of memory, one to a FIFO hung every later reload; neither warned.
        await _scope.Store.SetAsync(Db, "db-1");
        await _scope.Store.SetAsync(Api, "api-1");
        var configuration = Build(_scope.Store);
        var good = await File.ReadAllBytesAsync(_scope.StorePath);
        var pointee = target == "fifo" ? _scope.Combine("store.fifo") : target;
        if (target == "fifo")
        {
            Assert.True((await Testing.Processes.ToolProcess.RunAsync("mkfifo", [pointee], _scope.Combine(), TimeSpan.FromSeconds(30))).Succeeded);
        }

        File.Delete(_scope.StorePath);
        File.CreateSymbolicLink(_scope.StorePath, pointee);
        var broken = await configuration.ReloadSecretStoreAsync().WaitAsync(TimeSpan.FromSeconds(30));
        File.Delete(_scope.StorePath);
        await File.WriteAllBytesAsync(_scope.StorePath, good);
        await _scope.Store.SetAsync(Api, "api-2");
        var repaired = await configuration.ReloadSecretStoreAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(broken);
        Assert.Contains("Cause: SSB2004: The secret store file", Assert.Single(_reported).Message, StringComparison.Ordinal);
        Assert.Contains("is not a regular file", _reported[0].Message, StringComparison.Ordinal);
        Assert.True(repaired);
        Assert.Equal("api-2", configuration["Api:Key"]);
    }

    [Fact]
    public void The_jitter_moves_each_delay_within_the_fraction_and_not_always_by_the_same_amount()
    {
        var provider = (SecretStoreConfigurationProvider)new SecretStoreConfigurationSource(new SecretStoreConfigurationOptions { ReloadJitter = 0.2 })
            .Build(new ConfigurationBuilder());
        var delays = Enumerable.Range(0, 200).Select(_ => provider.NextDelay(TimeSpan.FromSeconds(100))).ToList();

        Assert.All(delays, d => Assert.InRange(d, TimeSpan.FromSeconds(80), TimeSpan.FromSeconds(120)));
        Assert.True(delays.Distinct().Count() > 100);
        Assert.Contains(delays, d => d < TimeSpan.FromSeconds(95));
        Assert.Contains(delays, d => d > TimeSpan.FromSeconds(105));
    }

    private IConfigurationRoot Build(ISecretStore store, Action<SecretStoreConfigurationOptions>? configure = null) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Default"] = "Server=db;Password=#{secret:Db}",
                ["Api:Key"] = "#{secret:Api}",
                ["Api:Again"] = "#{secret:Api}",
            })
            .AddSecretStore(options =>
            {
                options.Store = store;
                options.Application = "shop";
                options.OnDiagnostic = _reported.Add;
                configure?.Invoke(options);
            })
            .Build();
}

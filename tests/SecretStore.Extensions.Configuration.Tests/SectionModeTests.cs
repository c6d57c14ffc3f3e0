using Microsoft.Extensions.Configuration;
using SecretStore.Diagnostics;
using SecretStore.Extensions.Configuration;
using SecretStore.Runtime;
using SecretStore.Secrets;
using SecretStore.Testing.Stores;

namespace SecretStore.Extensions.Configuration.Tests;

/// <summary>Issue 15 item 1, section mode: every secret of an application (or a prefix) as configuration keys.</summary>
public sealed class SectionModeTests : IDisposable
{
    private readonly StoreScope _scope = new();

    public void Dispose() => _scope.Dispose();

    [Fact]
    public async Task Every_secret_of_the_application_becomes_a_key_with_dots_as_separators_and_other_applications_stay_out()
    {
        await _scope.Store.SetAsync(new SecretId("shop", "ConnectionStrings.Default"), "db");
        await _scope.Store.SetAsync(new SecretId("shop", "Smtp.Password"), "smtp");
        await _scope.Store.SetAsync(new SecretId("billing", "Api"), "billing");

        var configuration = Build();

        Assert.Equal("db", configuration.GetConnectionString("Default"));
        Assert.Equal("smtp", configuration["Smtp:Password"]);
        Assert.Null(configuration["Api"]);
        Assert.Equal(["ConnectionStrings", "Smtp"], configuration.GetChildren().Select(c => c.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_name_prefix_loads_only_those_names_and_TrimPrefix_maps_them_without_it()
    {
        await _scope.Store.SetAsync(new SecretId("shop", "Prod.Db"), "prod-db");
        await _scope.Store.SetAsync(new SecretId("shop", "Test.Db"), "test-db");

        var kept = Build(o => o.NamePrefix = "Prod.");
        var trimmed = Build(o =>
        {
            o.NamePrefix = "Prod.";
            o.KeyForSecret = SectionKeys.TrimPrefix("Prod.");
        });

        Assert.Equal(("prod-db", null), (kept["Prod:Db"], kept["Test:Db"]));
        Assert.Equal("prod-db", trimmed["Db"]);
    }

    [Fact]
    public async Task The_key_hook_can_leave_secrets_out_and_two_names_on_one_key_are_an_error_naming_both()
    {
        await _scope.Store.SetAsync(new SecretId("shop", "Db"), "one");
        await _scope.Store.SetAsync(new SecretId("shop", "db"), "two");
        await _scope.Store.SetAsync(new SecretId("shop", "Internal"), "three");

        var failure = Assert.Throws<SecretStoreException>(() => Build());
        var hooked = Build(o => o.KeyForSecret = id => id.Name == "Internal" || id.Name == "db" ? null : $"Secrets:{id.Name}");

        Assert.Equal("SSB0001", failure.Code.Id);
        Assert.Contains("The secrets 'shop/Db' and 'shop/db' map to the same configuration key", failure.Message, StringComparison.Ordinal);
        Assert.Equal(("one", null), (hooked["Secrets:Db"], hooked["Secrets:Internal"]));
    }

    [Fact]
    public async Task A_section_reload_reads_only_what_changed_and_sees_added_and_deleted_secrets()
    {
        await _scope.Store.SetAsync(new SecretId("shop", "A"), "a-1");
        await _scope.Store.SetAsync(new SecretId("shop", "B"), "b-1");
        var recording = new RecordingStore(_scope.Store);
        var configuration = Build(store: recording);

        await _scope.Store.SetAsync(new SecretId("shop", "C"), "c-1");
        await _scope.Store.DeleteAsync(new SecretId("shop", "A"));
        var changed = await configuration.ReloadSecretStoreAsync();

        Assert.True(changed);
        Assert.Equal((null, "b-1", "c-1"), (configuration["A"], configuration["B"], configuration["C"]));
        Assert.Equal(3, recording.IdsRead);
    }

    private IConfigurationRoot Build(Action<SecretStoreConfigurationOptions>? configure = null, ISecretStore? store = null) =>
        new ConfigurationBuilder()
            .AddSecretStore(options =>
            {
                options.Mode = SecretStoreConfigurationMode.Section;
                options.Store = store ?? _scope.Store;
                options.Application = "shop";
                options.OnDiagnostic = _ => { };
                configure?.Invoke(options);
            })
            .Build();
}

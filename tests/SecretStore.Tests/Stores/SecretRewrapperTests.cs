using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Tests.Support;

namespace SecretStore.Tests.Stores;

public sealed class SecretRewrapperTests
{
    private const string App = "acme-web";

    [Fact]
    public async Task V1_records_become_v2_under_their_own_key_and_v2_records_are_left_alone()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(new SecretId(App, "Old"), "old-value", new SetSecretOptions { Format = ProtectedSecretFormat.V1 });
        await scope.Store.SetAsync(new SecretId(App, "New"), "new-value");

        var outcomes = await SecretRewrapper.RewrapAsync(scope.Store, App, new RewrapOptions());

        Assert.Equal(["New", "Old"], outcomes.Select(o => o.Id.Name));
        Assert.False(outcomes[0].Changed);
        Assert.True(outcomes[1].Changed);
        Assert.Equal(ProtectedSecretFormat.V2, outcomes[1].After.Format);
        Assert.Equal(2, outcomes[1].After.Revision);
        var old = await scope.Store.GetAsync(new SecretId(App, "Old"));
        Assert.Equal("old-value", old.Value);
        Assert.Equal(ProtectedSecretFormat.V2, old.Metadata.Format);
    }

    [Fact]
    public async Task Key_moves_respect_the_name_filter_and_a_dry_run_writes_nothing()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(new SecretId(App, "A"), "value-a");
        await scope.Store.SetAsync(new SecretId(App, "B"), "value-b");

        var dry = await SecretRewrapper.RewrapAsync(scope.Store, App, new RewrapOptions { KeyId = TestKeyrings.SecondKeyId, DryRun = true });
        Assert.All(dry, o => Assert.True(o.Changed));
        Assert.All(await scope.Store.ListAsync(App), m => Assert.Equal(TestKeyrings.PrimaryKeyId, m.MasterKeyId));

        var moved = await SecretRewrapper.RewrapAsync(scope.Store, App, new RewrapOptions { KeyId = TestKeyrings.SecondKeyId, Names = ["B"] });

        var only = Assert.Single(moved);
        Assert.Equal(TestKeyrings.SecondKeyId, only.After.MasterKeyId);
        var listed = await scope.Store.ListAsync(App);
        Assert.Equal([TestKeyrings.PrimaryKeyId, TestKeyrings.SecondKeyId], listed.Select(m => m.MasterKeyId));
        Assert.Equal("value-b", (await scope.Store.GetAsync(new SecretId(App, "B"))).Value);
    }

    [Fact]
    public async Task An_unknown_target_key_is_a_coded_error_and_the_record_stays_readable()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(new SecretId(App, "A"), "value-a", new SetSecretOptions { Format = ProtectedSecretFormat.V1 });

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => SecretRewrapper.RewrapAsync(scope.Store, App, new RewrapOptions { KeyId = "no-such-key" }));

        Assert.Equal(DiagnosticCodes.KeyNotFound, ex.Code);
        Assert.DoesNotContain("value-a", ex.Message, StringComparison.Ordinal);
        Assert.Equal("value-a", (await scope.Store.GetAsync(new SecretId(App, "A"))).Value);
    }
}

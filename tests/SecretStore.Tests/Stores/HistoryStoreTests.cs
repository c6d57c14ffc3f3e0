using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Stores.Caching;
using SecretStore.Testing.Stores;

namespace SecretStore.Tests.Stores;

/// <summary>History as the store shows it: revision lines without values, pinned reads, rollback as a new revision, purge.</summary>
public sealed class HistoryStoreTests : IDisposable
{
    private static readonly SecretId Db = new("web", "Db");
    private readonly StoreScope _scope = new();

    public void Dispose() => _scope.Dispose();

    [Fact]
    public async Task A_pinned_read_opens_exactly_that_revision_and_the_history_lists_every_revision_without_values()
    {
        await _scope.Store.SetAsync(Db, "first");
        await _scope.Store.SetAsync(Db, "second", new SetSecretOptions { KeyId = TestKeyrings.SecondKeyId });
        await _scope.Store.DeleteAsync(Db);
        await _scope.Store.SetAsync(Db, "fourth");

        Assert.Equal(("first", 1L), Read(await _scope.Store.GetRevisionAsync(Db, 1)));
        Assert.Equal(("second", 2L), Read(await _scope.Store.GetRevisionAsync(Db, 2)));
        Assert.Equal(("fourth", 4L), Read(await _scope.Store.GetRevisionAsync(Db, 4)));
        var history = await _scope.Store.GetHistoryAsync(Db);
        Assert.Equal(
            [(1L, TestKeyrings.PrimaryKeyId, false, false), (2L, TestKeyrings.SecondKeyId, false, false), (3L, null, true, false), (4L, TestKeyrings.PrimaryKeyId, false, true)],
            history.Select(h => (h.Revision, h.MasterKeyId, h.IsDeletion, h.IsCurrent)));
        Assert.All(history.Where(h => !h.IsDeletion), h => Assert.Equal(ProtectedSecretFormat.V2, h.Format));
        Assert.All(history, h => Assert.DoesNotContain("first", h.ToString(), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, "a revision is a whole number from 1")]
    [InlineData(-1, "a revision is a whole number from 1")]
    [InlineData(3, "it is the deletion of the secret")]
    [InlineData(9, "the store keeps no such revision")]
    public async Task A_revision_that_is_not_kept_is_SSB2019_naming_the_secret_and_never_a_value(long revision, string why)
    {
        await _scope.Store.SetAsync(Db, "first");
        await _scope.Store.SetAsync(Db, "second");
        await _scope.Store.DeleteAsync(Db);

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => _scope.Store.GetRevisionAsync(Db, revision));

        Assert.Equal("SSB2019", error.Code.Id);
        Assert.Equal($"SSB2019: Revision {revision} of 'web/Db' cannot be read: {why}. Fix: 'secretstore history web/Db' lists the revisions kept.", error.Message);
        Assert.Equal(error.Message["SSB2019: ".Length..], Assert.Single(error.Diagnostics).Text);
        Assert.DoesNotContain("first", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_writes_the_old_value_as_a_new_revision_under_a_fresh_data_key()
    {
        await _scope.Store.SetAsync(Db, "good");
        await _scope.Store.SetAsync(Db, "bad");

        var rolled = await _scope.Store.RollbackAsync(Db, 1);

        Assert.Equal(3, rolled.Revision);
        Assert.Equal(("good", 3L), Read(await _scope.Store.GetAsync(Db)));
        Assert.Equal(("bad", 2L), Read(await _scope.Store.GetRevisionAsync(Db, 2)));
        var first = (await _scope.Repository.GetRevisionAsync(Db, 1))!.Record!;
        var third = (await _scope.Repository.GetRevisionAsync(Db, 3))!.Record!;
        // Not a copy of the old record: a new envelope (fresh data key and nonce) bound to the new revision's write.
        Assert.NotEqual(first.Envelope, third.Envelope);
        Assert.Equal([1L, 2L, 3L], (await _scope.Store.GetHistoryAsync(Db)).Select(h => h.Revision));
    }

    [Fact]
    public async Task Rollback_of_a_deleted_secret_restores_it_and_rollback_to_a_deletion_is_SSB2019_and_writes_nothing()
    {
        await _scope.Store.SetAsync(Db, "kept");
        await _scope.Store.DeleteAsync(Db);
        var before = File.ReadAllBytes(_scope.StorePath);

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => _scope.Store.RollbackAsync(Db, 2));
        Assert.Equal("SSB2019", error.Code.Id);
        Assert.Equal(before, File.ReadAllBytes(_scope.StorePath));

        Assert.Equal(3, (await _scope.Store.RollbackAsync(Db, 1)).Revision);
        Assert.Equal(("kept", 3L), Read(await _scope.Store.GetAsync(Db)));
    }

    [Fact]
    public async Task Rollback_with_a_stale_expected_revision_is_a_conflict()
    {
        await _scope.Store.SetAsync(Db, "one");
        await _scope.Store.SetAsync(Db, "two");

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => _scope.Store.RollbackAsync(Db, 1, new SetSecretOptions { ExpectedRevision = 1 }));

        Assert.Equal(("two", 2L), Read(await _scope.Store.GetAsync(Db)));
    }

    [Fact]
    public async Task A_history_entry_holding_the_record_of_another_revision_is_refused()
    {
        await _scope.Store.SetAsync(Db, "one");
        await _scope.Store.SetAsync(Db, "two");
        // A store writer moves revision 2's record under revision 1 (the file's "Revision" of that history entry).
        var text = File.ReadAllText(_scope.StorePath);
        var history = text.IndexOf("\"history\"", StringComparison.Ordinal);
        var edited = text[..history] + text[history..].Replace("\"Revision\": 1,", "\"Revision\": 5,", StringComparison.Ordinal);
        Assert.NotEqual(text, edited);
        File.WriteAllText(_scope.StorePath, edited);

        Assert.Equal("two", (await _scope.Store.GetRevisionAsync(Db, 2)).Value);
        Assert.Equal("SSB2019", (await Assert.ThrowsAsync<SecretStoreException>(() => _scope.Store.GetRevisionAsync(Db, 1))).Code.Id);
        // Revision 5 opens to the value written as revision 1: the numbers in a store file are the writer's word. The lock
        // file (docs/security.md) is what detects a replayed record; here the record itself still authenticates.
        Assert.Equal("one", (await _scope.Store.GetRevisionAsync(Db, 5)).Value);
    }

    [Fact]
    public async Task Purge_removes_the_secret_and_every_value_of_its_history_and_the_next_write_numbers_past_it()
    {
        await _scope.Store.SetAsync(Db, "one");
        await _scope.Store.SetAsync(Db, "two");

        Assert.True(await _scope.Store.PurgeAsync(Db));

        Assert.Equal([(3L, true)], (await _scope.Store.GetHistoryAsync(Db)).Select(h => (h.Revision, h.IsDeletion)));
        await Assert.ThrowsAsync<SecretNotFoundException>(() => _scope.Store.GetAsync(Db));
        Assert.Equal("SSB2019", (await Assert.ThrowsAsync<SecretStoreException>(() => _scope.Store.GetRevisionAsync(Db, 1))).Code.Id);
        Assert.False(await _scope.Store.PurgeAsync(Db));
        Assert.Equal(4, (await _scope.Store.SetAsync(Db, "three")).Revision);
    }

    [Fact]
    public async Task The_history_of_a_store_file_that_does_not_exist_yet_is_empty()
    {
        Assert.False(File.Exists(_scope.StorePath));

        Assert.Empty(await _scope.Store.GetHistoryAsync(Db));
    }

    [Fact]
    public async Task The_caching_store_serves_the_rolled_back_value_at_once()
    {
        await _scope.Store.SetAsync(Db, "good");
        await _scope.Store.SetAsync(Db, "bad");
        using var cache = new CachingSecretStore(_scope.Store, new CachingSecretStoreOptions { TimeToLive = TimeSpan.FromHours(1) });
        Assert.Equal("bad", (await cache.GetAsync(Db)).Value);

        await cache.RollbackAsync(Db, 1);

        Assert.Equal(("good", 3L), Read(await cache.GetAsync(Db)));
        Assert.Equal("bad", (await cache.GetRevisionAsync(Db, 2)).Value);
    }

    private static (string Value, long Revision) Read(Secret secret) => (secret.Value, secret.Metadata.Revision);
}

using SecretStore.Diagnostics;
using SecretStore.Secrets;
using SecretStore.Stores.Caching;
using SecretStore.Testing.Stores;

namespace SecretStore.Tests.Stores;

/// <summary>
/// Issue 15 item 2: the caching decorator over a real envelope store (file store + RSA keyring), with a recording
/// layer in between that counts what reaches the store and can hold a read until the test lets it go.
/// </summary>
public sealed class CachingSecretStoreTests : IDisposable
{
    private static readonly SecretId Db = new("shop", "Db");
    private static readonly SecretId Api = new("shop", "Api");
    private static readonly SecretId Missing = new("shop", "Missing");
    private readonly StoreScope _scope = new();
    private readonly ManualClock _clock = new();

    public void Dispose() => _scope.Dispose();

    [Fact]
    public async Task A_cold_get_many_returns_every_secret_the_store_has_in_one_call_and_a_warm_one_asks_the_store_nothing()
    {
        // The reference implementation's in-memory cache returned nothing for a cold "get all".
        await _scope.Store.SetAsync(Db, "db-value");
        await _scope.Store.SetAsync(Api, "api-value");
        var recording = new RecordingStore(_scope.Store);
        using var cache = new CachingSecretStore(recording, Options());

        var cold = await cache.GetManyAsync([Db, Api, Missing]);
        var warm = await cache.GetManyAsync([Db, Api, Missing]);
        var single = await cache.GetAsync(Api);

        Assert.Equal(["api-value", "db-value"], cold.Values.Select(s => s.Value).Order(StringComparer.Ordinal));
        Assert.Equal(cold.Keys.Select(k => k.ToString()).Order(StringComparer.Ordinal), warm.Keys.Select(k => k.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal("api-value", single.Value);
        Assert.Equal((0, 1), (recording.Gets, recording.GetManys));
        Assert.Equal(3, cache.Count);
    }

    [Fact]
    public async Task A_value_is_served_until_its_time_to_live_ends_and_then_read_again_with_what_another_writer_set()
    {
        await _scope.Store.SetAsync(Db, "first");
        var recording = new RecordingStore(_scope.Store);
        using var cache = new CachingSecretStore(recording, Options());
        Assert.Equal("first", (await cache.GetAsync(Db)).Value);

        await _scope.Store.SetAsync(Db, "second");
        _clock.Advance(TimeSpan.FromMinutes(4));
        var stillCached = await cache.GetAsync(Db);
        _clock.Advance(TimeSpan.FromMinutes(2));
        var expired = await cache.GetAsync(Db);

        Assert.Equal(("first", "second"), (stillCached.Value, expired.Value));
        Assert.Equal(2, recording.Gets);
    }

    [Fact]
    public async Task Not_found_is_remembered_briefly_and_stays_SSB2001_and_a_secret_added_later_is_seen_after_that()
    {
        await _scope.Store.SetAsync(Db, "db-value");
        var recording = new RecordingStore(_scope.Store);
        using var cache = new CachingSecretStore(recording, Options());

        var first = await Assert.ThrowsAsync<SecretNotFoundException>(() => cache.GetAsync(Missing));
        await _scope.Store.SetAsync(Missing, "now-here");
        var second = await Assert.ThrowsAsync<SecretNotFoundException>(() => cache.GetAsync(Missing));
        _clock.Advance(TimeSpan.FromSeconds(31));
        var third = await cache.GetAsync(Missing);

        Assert.Same(DiagnosticCodes.SecretNotFound, first.Code);
        Assert.Equal(first.Message, second.Message);
        Assert.Equal("now-here", third.Value);
        Assert.Equal(2, recording.Gets);
    }

    [Fact]
    public async Task Concurrent_reads_of_one_uncached_secret_make_one_backend_call_through_GetAsync_and_GetManyAsync_alike()
    {
        await _scope.Store.SetAsync(Db, "db-value");
        var recording = new RecordingStore(_scope.Store) { Gate = new TaskCompletionSource() };
        using var cache = new CachingSecretStore(recording, Options());

        var gets = Enumerable.Range(0, 20).Select(_ => cache.GetAsync(Db)).ToList();
        var many = cache.GetManyAsync([Db]);
        await recording.FirstCall.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.All(gets, g => Assert.False(g.IsCompleted));
        recording.Gate.SetResult();

        Assert.All(await Task.WhenAll(gets), s => Assert.Equal("db-value", s.Value));
        Assert.Equal("db-value", (await many)[Db].Value);
        Assert.Equal((1, 0), (recording.Gets, recording.GetManys));
    }

    [Fact]
    public async Task A_caller_that_gives_up_does_not_cancel_the_read_the_others_wait_for()
    {
        await _scope.Store.SetAsync(Db, "db-value");
        var recording = new RecordingStore(_scope.Store) { Gate = new TaskCompletionSource() };
        using var cache = new CachingSecretStore(recording, Options());
        using var impatient = new CancellationTokenSource();

        var cancelled = cache.GetAsync(Db, impatient.Token);
        var patient = cache.GetAsync(Db);
        await recording.FirstCall.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        recording.Gate.SetResult();

        Assert.Equal("db-value", (await patient).Value);
        Assert.Equal(1, recording.Gets);
    }

    [Fact]
    public async Task A_backend_failure_is_never_cached_and_reaches_every_waiter()
    {
        await _scope.Store.SetAsync(Db, "db-value");
        var recording = new RecordingStore(_scope.Store) { FailNext = 1 };
        using var cache = new CachingSecretStore(recording, Options());

        var failure = await Assert.ThrowsAsync<RecordingStore.FailureException>(() => cache.GetAsync(Db));
        var after = await cache.GetAsync(Db);

        Assert.NotNull(failure);
        Assert.Equal("db-value", after.Value);
        Assert.Equal(2, recording.Gets);
    }

    [Fact]
    public async Task The_least_recently_used_entry_goes_first_when_the_cache_is_full()
    {
        var c = new SecretId("shop", "C");
        foreach (var id in new[] { Db, Api, c })
        {
            await _scope.Store.SetAsync(id, id.Name + "-value");
        }

        var recording = new RecordingStore(_scope.Store);
        using var cache = new CachingSecretStore(recording, Options(maxEntries: 2));
        await cache.GetAsync(Db);
        await cache.GetAsync(Api);
        await cache.GetAsync(Db);   // Db used last: Api is now the least recently used
        await cache.GetAsync(c);    // evicts Api
        var before = recording.Gets;
        await cache.GetAsync(Db);
        await cache.GetAsync(c);
        var cachedReads = recording.Gets - before;
        await cache.GetAsync(Api);

        Assert.Equal(0, cachedReads);
        Assert.Equal(before + 1, recording.Gets);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public async Task A_write_or_delete_through_the_cache_is_read_back_at_once_even_when_a_read_was_under_way()
    {
        await _scope.Store.SetAsync(Db, "old");
        var recording = new RecordingStore(_scope.Store);
        using var cache = new CachingSecretStore(recording, Options());
        Assert.Equal("old", (await cache.GetAsync(Db)).Value);

        await cache.SetAsync(Db, "new");
        Assert.Equal("new", (await cache.GetAsync(Db)).Value);

        // A read that started before the write must not put the old value back when it ends.
        recording.Gate = new TaskCompletionSource();
        recording.FirstCall = new TaskCompletionSource();
        recording.HoldAfterRead = true;
        cache.Invalidate(Db);
        var slow = cache.GetAsync(Db);
        await recording.FirstCall.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cache.SetAsync(Db, "newest");
        recording.Gate.SetResult();
        Assert.Equal("new", (await slow).Value);
        recording.Gate = null;
        Assert.Equal("newest", (await cache.GetAsync(Db)).Value);

        Assert.True(await cache.DeleteAsync(Db));
        await Assert.ThrowsAsync<SecretNotFoundException>(() => cache.GetAsync(Db));
    }

    [Fact]
    public async Task Clear_and_dispose_drop_every_entry_and_dispose_closes_an_owned_store_only()
    {
        await _scope.Store.SetAsync(Db, "db-value");
        var recording = new RecordingStore(_scope.Store);
        var cache = new CachingSecretStore(recording, Options());
        await cache.GetManyAsync([Db, Missing]);
        Assert.Equal(2, cache.Count);

        cache.Clear();
        Assert.Equal(0, cache.Count);
        cache.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => cache.GetAsync(Db));
        Assert.False(recording.Disposed);
        var owning = new CachingSecretStore(recording, Options(), ownsInner: true);
        owning.Dispose();
        Assert.True(recording.Disposed);
    }

    [Fact]
    public async Task A_value_expires_exactly_at_its_time_to_live_and_an_infinite_one_stays_until_invalidated()
    {
        await _scope.Store.SetAsync(Db, "first");
        var recording = new RecordingStore(_scope.Store);
        using var timed = new CachingSecretStore(recording, Options());
        using var forever = new CachingSecretStore(recording, new CachingSecretStoreOptions { TimeToLive = Timeout.InfiniteTimeSpan, TimeProvider = _clock });

        await timed.GetAsync(Db);
        await forever.GetAsync(Db);
        _clock.Advance(TimeSpan.FromMinutes(5));
        await timed.GetAsync(Db);
        _clock.Advance(TimeSpan.FromDays(36500));
        await forever.GetAsync(Db);
        var readsBeforeInvalidate = recording.Gets;
        forever.Invalidate(Db);
        await forever.GetAsync(Db);

        Assert.Equal((3, 4), (readsBeforeInvalidate, recording.Gets));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_read_under_way_when_Clear_or_Invalidate_runs_is_not_stored(bool clear)
    {
        await _scope.Store.SetAsync(Db, "old");
        var recording = new RecordingStore(_scope.Store) { Gate = new TaskCompletionSource(), HoldAfterRead = true };
        using var cache = new CachingSecretStore(recording, Options());

        var held = cache.GetAsync(Db);
        await recording.FirstCall.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await _scope.Store.SetAsync(Db, "new");
        if (clear)
        {
            cache.Clear();
        }
        else
        {
            cache.Invalidate(Db);
        }

        // A read after the drop starts its own flight: joining the held one would bring the old value.
        var during = cache.GetAsync(Db);
        recording.Gate.SetResult();
        var heldValue = (await held).Value;
        var duringValue = (await during).Value;
        recording.Gate = null;

        Assert.Equal(("old", "new"), (heldValue, duringValue));
        Assert.Equal("new", (await cache.GetAsync(Db)).Value);
        Assert.Equal(2, recording.Gets);
    }

    [Fact]
    public async Task Dispose_drops_every_entry_and_a_disposed_cache_refuses_reads()
    {
        await _scope.Store.SetAsync(Db, "db-value");
        var cache = new CachingSecretStore(_scope.Store, Options());
        await cache.GetManyAsync([Db]);
        var before = cache.Count;

        cache.Dispose();

        Assert.Equal((1, 0), (before, cache.Count));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => cache.GetManyAsync([Db]));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => cache.GetAsync(Db));
    }

    [Fact]
    public async Task Options_and_arguments_out_of_range_are_refused_naming_them()
    {
        Assert.Equal("inner", Assert.Throws<ArgumentNullException>(() => new CachingSecretStore(null!)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CachingSecretStore(_scope.Store, new CachingSecretStoreOptions { MaxEntries = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CachingSecretStore(_scope.Store, new CachingSecretStoreOptions { TimeToLive = TimeSpan.FromSeconds(-2) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CachingSecretStore(_scope.Store, new CachingSecretStoreOptions { NotFoundTimeToLive = TimeSpan.FromSeconds(-1) }));
        Assert.Throws<ArgumentNullException>(() => new CachingSecretStore(_scope.Store, new CachingSecretStoreOptions { TimeProvider = null! }));
        using var cache = new CachingSecretStore(_scope.Store, new CachingSecretStoreOptions { TimeToLive = Timeout.InfiniteTimeSpan });
        Assert.Equal("ids", (await Assert.ThrowsAsync<ArgumentNullException>(() => cache.GetManyAsync(null!))).ParamName);
    }

    private CachingSecretStoreOptions Options(int maxEntries = 100) => new()
    {
        TimeToLive = TimeSpan.FromMinutes(5),
        NotFoundTimeToLive = TimeSpan.FromSeconds(30),
        MaxEntries = maxEntries,
        TimeProvider = _clock,
    };

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

        public void Advance(TimeSpan by) => _now += by;

        public override DateTimeOffset GetUtcNow() => _now;
    }
}

using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Repositories.History;
using SecretStore.Secrets;
using Xunit;
using static SecretStore.Testing.Repositories.ProtectedRecords;

namespace SecretStore.Testing.Repositories;

/// <summary>How a store comes by its store id (docs/format.md, "Store id"): where the stores really differ.</summary>
public enum StoreIdOrigin
{
    /// <summary>The store keeps no id (the interface's defaults): null, null, and adoption refused.</summary>
    None,

    /// <summary>A new store's id is made by <see cref="IProtectedSecretRepository.EnsureStoreIdAsync"/> and written with its first record (the file store).</summary>
    FirstWrite,

    /// <summary>A store gets its id when it is created (<c>table create</c>), never from a write (DynamoDB).</summary>
    Creation,
}

/// <summary>
/// The contract of <see cref="IProtectedSecretRepository"/> (its XML docs) as one suite of behaviour, run against every
/// store: a store's test class derives from this one and says how to make its repositories. Every fact works on
/// applications of its own (<see cref="NewApplication"/>), so a server-backed store may share one table or database
/// across the facts of its class; only the store-id facts need stores of their own (<see cref="CreateEmptyStoreAsync"/>).
/// </summary>
public abstract class RepositoryContract
{
    /// <summary>
    /// A repository over the store the facts write to, retention and writer as <paramref name="history"/> says (null:
    /// the defaults, every revision kept). It may be shared with the other facts of the class, but must be readable at
    /// once: reading a record that does not exist gives null (so a file store's file must exist).
    /// </summary>
    protected abstract Task<IProtectedSecretRepository> CreateRepositoryAsync(HistoryOptions? history = null);

    /// <summary>
    /// A store of its own, fresh each call, with no record, no history and no store id, readable at once: for a file
    /// store an empty store file, for DynamoDB a table made by hand (no store item). Only the store-id facts use it.
    /// Stores with <see cref="StoreIdOrigin.None"/> may return any fresh store.
    /// </summary>
    protected abstract Task<IProtectedSecretRepository> CreateEmptyStoreAsync();

    /// <summary>How this store comes by its id.</summary>
    protected abstract StoreIdOrigin StoreIdOrigin { get; }

    /// <summary>An application name no other fact uses; override to fit a backend's naming rules.</summary>
    protected virtual string NewApplication(string prefix = "app") => ProtectedRecords.NewApplication(prefix);

    /// <summary>
    /// How many records the large query writes (about 1 KB each: 1,100 of them pass DynamoDB's 1 MB page). A store that
    /// rewrites itself on every write (the file store) may lower it; say so where you do.
    /// </summary>
    protected virtual int LargeQueryRecords => 1100;

    /// <summary>How many increments each of the eight concurrent writers makes.</summary>
    protected virtual int IncrementsPerWriter => 8;

    // ---- Get and save -------------------------------------------------------------------------------------------

    [Fact]
    public async Task Get_of_a_missing_secret_is_null()
    {
        var repository = await CreateRepositoryAsync();
        var app = NewApplication();

        Assert.Null(await repository.GetAsync(new SecretId(app, "missing")));
        Assert.Empty(await repository.QueryByApplicationAsync(app));
        Assert.Empty(await repository.GetHistoryAsync(new SecretId(app, "missing")));
        Assert.Null(await repository.GetRevisionAsync(new SecretId(app, "missing"), 1));
    }

    [Fact]
    public async Task The_first_save_is_revision_1_and_each_save_one_more_whatever_revision_the_record_says()
    {
        var repository = await CreateRepositoryAsync();
        var id = new SecretId(NewApplication(), "db-password");

        Assert.Equal(1, await repository.SaveAsync(V2(id) with { Revision = 42 }, 0));
        Assert.Equal(1, (await repository.GetAsync(id))!.Revision);
        Assert.Equal(2, await repository.SaveAsync(V2(id) with { Revision = 7 }, 1));
        Assert.Equal(3, await repository.SaveAsync(V2(id), 2));
        Assert.Equal(3, (await repository.GetAsync(id))!.Revision);
    }

    [Fact]
    public async Task A_stale_save_a_create_over_a_record_and_a_save_to_a_deleted_one_conflict_with_SSB2002_saying_what_is_stored()
    {
        var repository = await CreateRepositoryAsync();
        var id = new SecretId(NewApplication(), "conflict");
        await repository.SaveAsync(V2(id), 0);
        await repository.SaveAsync(V2(id), 1);
        var third = V2(id);
        await repository.SaveAsync(third, 2);

        var stale = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => repository.SaveAsync(V2(id), 1));
        var create = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => repository.SaveAsync(V2(id), 0));
        var ahead = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => repository.SaveAsync(V2(id), 4));
        Assert.True(RecordHistory.SameRecord(third with { Revision = 3 }, (await repository.GetAsync(id))!), "a refused save changed the record");
        Assert.True(await repository.DeleteAsync(id));
        var gone = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => repository.SaveAsync(V2(id), 3));

        Assert.All([stale, create, ahead, gone], e => Assert.Equal("SSB2002", e.Code.Id));
        Assert.All([stale, create, ahead, gone], e => Assert.Equal(id, e.SecretId));
        Assert.Equal((1L, 3L), (stale.ExpectedRevision, stale.CurrentRevision!.Value));
        Assert.Equal(
            $"SSB2002: Secret '{id}' is at revision 3, not the expected 1: another writer changed it. Fix: check that change ('secretstore list {id.ApplicationName}' shows revisions), then retry against revision 3 (CLI: --if-revision 3).",
            stale.Message);
        Assert.Equal((0L, 3L), (create.ExpectedRevision, create.CurrentRevision!.Value));
        Assert.Equal($"SSB2002: Secret '{id}' already exists (revision 3); it was expected not to. Fix: retry against revision 3 (CLI: --if-revision 3) once its value is checked, or use another name.", create.Message);
        Assert.Equal((4L, 3L), (ahead.ExpectedRevision, ahead.CurrentRevision!.Value));
        Assert.Equal((3L, 0L), (gone.ExpectedRevision, gone.CurrentRevision!.Value));
        Assert.Equal($"SSB2002: Secret '{id}' no longer exists; revision 3 was expected: another writer deleted it. Fix: check why, then write it anew (CLI: --if-revision 0).", gone.Message);
        Assert.Null(await repository.GetAsync(id));
    }

    [Fact]
    public async Task SaveAtRevision_writes_the_given_revision_under_the_same_condition_and_the_next_free_one_when_the_history_holds_it()
    {
        var repository = await CreateRepositoryAsync();
        var id = new SecretId(NewApplication(), "imported");

        Assert.Equal(7, await repository.SaveAtRevisionAsync(V2(id), 0, 7));
        Assert.Equal(7, (await repository.GetAsync(id))!.Revision);
        var exists = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => repository.SaveAtRevisionAsync(V2(id), 0, 9));
        Assert.Equal((0L, 7L), (exists.ExpectedRevision, exists.CurrentRevision!.Value));
        var stale = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => repository.SaveAtRevisionAsync(V2(id), 3, 20));
        Assert.Equal((3L, 7L), (stale.ExpectedRevision, stale.CurrentRevision!.Value));
        Assert.Equal(8, await repository.SaveAsync(V2(id), 7));
        Assert.Equal("newRevision", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => repository.SaveAtRevisionAsync(V2(id), 8, 8))).ParamName);
        Assert.Equal("newRevision", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => repository.SaveAtRevisionAsync(V2(id), 8, 3))).ParamName);

        // Deleted at 9: an import of revision 5 (below the history) takes the next free one; one above is kept.
        Assert.True(await repository.DeleteAsync(id));
        Assert.Equal(10, await repository.SaveAtRevisionAsync(V2(id), 0, 5));
        Assert.Equal(12, await repository.SaveAtRevisionAsync(V2(id), 10, 12));
        Assert.Equal(13, await repository.SaveAtRevisionAsync(V2(id), 12, 13));

        Assert.Equal(
            [(7L, false), (8L, false), (9L, true), (10L, false), (12L, false), (13L, false)],
            (await repository.GetHistoryAsync(id)).Select(e => (e.Revision, e.IsDeletion)));
    }

    // ---- Delete -------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Delete_is_false_for_a_missing_secret_with_or_without_an_expected_revision()
    {
        var repository = await CreateRepositoryAsync();
        var id = new SecretId(NewApplication(), "temp");

        Assert.False(await repository.DeleteAsync(id));
        Assert.False(await repository.DeleteAsync(id, expectedRevision: 3));
        Assert.False(await repository.DeleteAsync(id, expectedRevision: 0));
        Assert.Empty(await repository.GetHistoryAsync(id));
    }

    [Fact]
    public async Task A_delete_expecting_another_revision_conflicts_naming_both_and_keeps_the_record()
    {
        var repository = await CreateRepositoryAsync();
        var id = new SecretId(NewApplication(), "del");
        await repository.SaveAsync(V2(id), 0);
        var second = V2(id);
        await repository.SaveAsync(second, 1);

        var error = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => repository.DeleteAsync(id, expectedRevision: 1));

        Assert.Equal("SSB2002", error.Code.Id);
        Assert.Equal(1, error.ExpectedRevision);
        Assert.Equal(2, error.CurrentRevision);
        Assert.Equal(
            $"SSB2002: Secret '{id}' is at revision 2, not the expected 1: another writer changed it. Fix: check that change ('secretstore list {id.ApplicationName}' shows revisions), then retry against revision 2 (CLI: --if-revision 2).",
            error.Message);
        Assert.True(RecordHistory.SameRecord(second with { Revision = 2 }, (await repository.GetAsync(id))!));
        Assert.Equal([1L, 2L], (await repository.GetHistoryAsync(id)).Select(e => e.Revision));

        Assert.True(await repository.DeleteAsync(id, expectedRevision: 2));
        Assert.Null(await repository.GetAsync(id));
    }

    [Fact]
    public async Task A_delete_leaves_a_tombstone_and_the_secret_created_again_gets_a_revision_past_it()
    {
        var repository = await CreateRepositoryAsync();
        var app = NewApplication();
        var id = new SecretId(app, "Db");
        var first = V2(id);
        var second = V2(id);
        await repository.SaveAsync(first, 0);
        await repository.SaveAsync(second, 1);

        Assert.True(await repository.DeleteAsync(id));

        Assert.Null(await repository.GetAsync(id));
        Assert.Empty(await repository.GetManyAsync([id]));
        Assert.Empty(await repository.QueryByApplicationAsync(app));
        Assert.DoesNotContain(app, await repository.ListApplicationsAsync());
        Assert.Equal([(1L, false), (2L, false), (3L, true)], (await repository.GetHistoryAsync(id)).Select(e => (e.Revision, e.IsDeletion)));
        Assert.False(await repository.DeleteAsync(id));

        var again = V2(id);
        Assert.Equal(4, await repository.SaveAsync(again, 0));
        var history = await repository.GetHistoryAsync(id);
        Assert.Equal([(1L, false), (2L, false), (3L, true), (4L, false)], history.Select(e => (e.Revision, e.IsDeletion)));
        Assert.True(RecordHistory.SameRecord(first with { Revision = 1 }, history[0].Record!));
        Assert.True(RecordHistory.SameRecord(second with { Revision = 2 }, history[1].Record!));
        Assert.True(RecordHistory.SameRecord(again with { Revision = 4 }, history[3].Record!));
        Assert.Equal(4, (await repository.GetAsync(id))!.Revision);
    }

    // ---- GetMany ------------------------------------------------------------------------------------------------

    [Fact]
    public async Task GetMany_of_250_ids_returns_each_present_one_once_and_leaves_out_missing_ones()
    {
        var repository = await CreateRepositoryAsync();
        var app = NewApplication();
        var all = Enumerable.Range(0, 250).Select(i => new SecretId(app, $"s{i:D3}")).ToList();
        var present = all.Where((_, i) => i % 5 != 0).ToList();
        var written = new Dictionary<SecretId, ProtectedSecretRecord>();
        foreach (var id in present)
        {
            written[id] = V2(id);
        }

        await Parallel.ForEachAsync(present, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, _) => await repository.SaveAsync(written[id], 0));

        // Every id twice, and the first ten three times: duplicates come back once.
        var asked = all.Concat(all).Concat(all.Take(10)).ToList();
        var records = await repository.GetManyAsync(asked);

        Assert.Equal(present.Select(i => i.Name), records.Select(r => r.Id.Name).Order(StringComparer.Ordinal));
        Assert.All(records, r => Assert.True(RecordHistory.SameRecord(written[r.Id] with { Revision = 1 }, r), $"{r.Id} differs"));
    }

    [Fact]
    public async Task GetMany_of_no_ids_and_of_missing_ones_is_empty()
    {
        var repository = await CreateRepositoryAsync();
        var app = NewApplication();

        Assert.Empty(await repository.GetManyAsync([]));
        Assert.Empty(await repository.GetManyAsync([new SecretId(app, "a"), new SecretId(app, "b"), new SecretId(app, "a")]));
        await repository.SaveAsync(V2(new SecretId(app, "b")), 0);
        Assert.Equal(["b"], (await repository.GetManyAsync([new SecretId(app, "a"), new SecretId(app, "b"), new SecretId(app, "b")])).Select(r => r.Id.Name));
    }

    // ---- Query and listing --------------------------------------------------------------------------------------

    [Fact]
    public async Task Query_returns_one_applications_records_in_ordinal_UTF16_order_and_no_other_applications()
    {
        var repository = await CreateRepositoryAsync();
        var app = NewApplication("order");
        // UTF-8 (a table's byte order) puts U+FF5E before U+1F600; UTF-16 (ordinal) puts the surrogate pair D83D DE00 first.
        // "Db#…" shares "Db"'s prefix and the '#' a history key uses; "B" sorts before "a" ordinally.
        string[] names = ["\uFF5E", "\U0001F600", "a", "B", "Db", "Db#0000000000000000001", "Db0", "é"];
        foreach (var name in names)
        {
            await repository.SaveAsync(V2(new SecretId(app, name)), 0);
        }

        await repository.SaveAsync(V2(new SecretId(app, "Db")), 1);
        await repository.SaveAsync(V2(new SecretId(app, "gone")), 0);
        await repository.DeleteAsync(new SecretId(app, "gone"));
        // Neighbours: applications that extend this one, or sort right before or after it.
        await repository.SaveAsync(V2(new SecretId(app + "-other", "a")), 0);
        await repository.SaveAsync(V2(new SecretId(app + "#", "a")), 0);
        await repository.SaveAsync(V2(new SecretId("a" + app, "a")), 0);
        await repository.SaveAsync(V2(new SecretId(app[..^1], "a")), 0);

        var records = await repository.QueryByApplicationAsync(app);

        Assert.Equal(names.Order(StringComparer.Ordinal), records.Select(r => r.Id.Name));
        Assert.Equal(["B", "Db", "Db#0000000000000000001", "Db0", "a", "é", "\U0001F600", "\uFF5E"], records.Select(r => r.Id.Name));
        Assert.All(records, r => Assert.Equal(app, r.Id.ApplicationName));
        Assert.Equal(2, records.Single(r => r.Id.Name == "Db").Revision);
        Assert.All(records.Where(r => r.Id.Name != "Db"), r => Assert.Equal(1, r.Revision));
    }

    [Fact]
    public async Task Query_returns_every_record_of_a_large_application_past_a_page()
    {
        var repository = await CreateRepositoryAsync();
        var app = NewApplication("big");
        var names = Enumerable.Range(0, LargeQueryRecords).Select(i => $"secret-{i:D4}").ToList();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (name, _) =>
            await repository.SaveAsync(V2(new SecretId(app, name), envelopeBytes: 1024), 0));
        await repository.SaveAsync(V2(new SecretId(app + "-other", "secret-0000")), 0);

        var records = await repository.QueryByApplicationAsync(app);

        Assert.Equal(names, records.Select(r => r.Id.Name));
        Assert.All(records, r => Assert.Equal(app, r.Id.ApplicationName));
    }

    [Fact]
    public async Task ListApplications_gives_each_application_with_a_record_once_in_ordinal_order()
    {
        var repository = await CreateRepositoryAsync();
        var prefix = NewApplication();
        string[] apps = [prefix + "-b", prefix + "-B", prefix + "-a", prefix + "-\U0001F600", prefix + "-\uFF5E"];
        foreach (var app in apps)
        {
            // Two records each: an application is listed once however many secrets it has.
            await repository.SaveAsync(V2(new SecretId(app, "one")), 0);
            await repository.SaveAsync(V2(new SecretId(app, "two")), 0);
        }

        // An application whose only record was deleted has none: its history does not list it.
        await repository.SaveAsync(V2(new SecretId(prefix + "-gone", "one")), 0);
        await repository.DeleteAsync(new SecretId(prefix + "-gone", "one"));

        var listed = await repository.ListApplicationsAsync();

        Assert.Equal(apps.Order(StringComparer.Ordinal), listed.Where(a => a.StartsWith(prefix, StringComparison.Ordinal)));
        Assert.Equal(listed.Order(StringComparer.Ordinal), listed);
        Assert.Equal(listed.Distinct(StringComparer.Ordinal).Count(), listed.Count);
    }

    [Fact]
    public async Task History_never_shows_in_a_query_or_a_listing()
    {
        var repository = await CreateRepositoryAsync();
        var app = NewApplication("listing");
        var old = NewApplication("old");
        var id = new SecretId(app, "Db");
        await repository.SaveAsync(V2(id), 0);
        await repository.SaveAsync(V2(id), 1);
        await repository.SaveAsync(V2(new SecretId(app, "Gone")), 0);
        await repository.DeleteAsync(new SecretId(app, "Gone"));
        await repository.SaveAsync(V2(new SecretId(old, "Gone")), 0);
        await repository.DeleteAsync(new SecretId(old, "Gone"));

        var listed = Assert.Single(await repository.QueryByApplicationAsync(app));
        Assert.Equal((id, 2L), (listed.Id, listed.Revision));
        Assert.Empty(await repository.QueryByApplicationAsync(old));
        var applications = await repository.ListApplicationsAsync();
        Assert.Contains(app, applications);
        Assert.DoesNotContain(old, applications);
    }

    // ---- Records round-trip -------------------------------------------------------------------------------------

    public static TheoryData<string> Formats => ["v1", "v2", "v2 large envelope", "v2 unicode key id"];

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task A_record_reads_back_field_for_field_and_byte_for_byte_from_every_read(string format)
    {
        var repository = await CreateRepositoryAsync();
        var app = NewApplication("bytes");
        var id = new SecretId(app, "Db \u00e9\U0001F600");
        var record = format switch
        {
            "v1" => V1(id),
            "v2 large envelope" => V2(id, envelopeBytes: 100 * 1024),
            "v2 unicode key id" => V2(id, keyId: "arn:aws:kms:eu-west-1:111122223333:alias/cl\u00e9-\U0001F511"),
            _ => V2(id),
        };

        Assert.Equal(1, await repository.SaveAsync(record, 0));
        var expected = record with { Revision = 1 };
        Assert.Equal(2, await repository.SaveAsync(V2(id), 1));
        Assert.Equal(3, await repository.SaveAsync(record, 2));
        var current = record with { Revision = 3 };

        Assert.True(RecordHistory.SameRecord(current, (await repository.GetAsync(id))!), "Get");
        Assert.True(RecordHistory.SameRecord(current, Assert.Single(await repository.GetManyAsync([id]))), "GetMany");
        Assert.True(RecordHistory.SameRecord(current, Assert.Single(await repository.QueryByApplicationAsync(app))), "Query");
        var history = await repository.GetHistoryAsync(id);
        Assert.True(RecordHistory.SameRecord(expected, history[0].Record!), "history revision 1");
        Assert.True(RecordHistory.SameRecord(current, history[2].Record!), "history revision 3");
        Assert.True(RecordHistory.SameRecord(expected, (await repository.GetRevisionAsync(id, 1))!.Record!), "GetRevision 1");
        Assert.True(RecordHistory.SameRecord(current, (await repository.GetRevisionAsync(id, 3))!.Record!), "GetRevision 3");
        var read = (await repository.GetAsync(id))!;
        Assert.Equal(record.Format, read.Format);
        Assert.Null(read.InvalidRevision);
        Assert.Equal(record.MasterKeyId, read.MasterKeyId);
        Assert.Equal(record.Envelope, read.Envelope);
        Assert.Equal(record.ProtectedDocumentKey, read.ProtectedDocumentKey);
        Assert.Equal(record.InitialisationVector, read.InitialisationVector);
        Assert.Equal(record.ProtectedSecretValue, read.ProtectedSecretValue);
    }

    // ---- History ------------------------------------------------------------------------------------------------

    [Fact]
    public async Task History_is_oldest_first_and_GetRevision_reads_the_current_kept_and_deleted_revisions_and_null_for_others()
    {
        var clock = new FixedClock(new DateTimeOffset(2026, 12, 7, 10, 11, 12, 345, TimeSpan.FromHours(2)));
        var repository = await CreateRepositoryAsync(new HistoryOptions { Writer = "ci@build-7", TimeProvider = clock });
        var id = new SecretId(NewApplication("history"), "Db");
        var written = new List<ProtectedSecretRecord> { V2(id), V1(id), V2(id) };
        for (var i = 0; i < written.Count; i++)
        {
            await repository.SaveAsync(written[i], i);
        }

        await repository.DeleteAsync(id);
        var current = V2(id);
        Assert.Equal(5, await repository.SaveAsync(current, 0));

        var history = await repository.GetHistoryAsync(id);
        Assert.Equal([(1L, false), (2L, false), (3L, false), (4L, true), (5L, false)], history.Select(e => (e.Revision, e.IsDeletion)));
        Assert.All(history, e => Assert.Equal(id, e.Id));
        Assert.All(history, e => Assert.Equal((new DateTimeOffset(2026, 12, 7, 8, 11, 12, TimeSpan.Zero), "ci@build-7"), (e.WrittenAt, e.Writer)));
        for (var i = 0; i < written.Count; i++)
        {
            Assert.True(RecordHistory.SameRecord(written[i] with { Revision = i + 1 }, history[i].Record!), $"revision {i + 1}");
            Assert.True(RecordHistory.SameRecord(written[i] with { Revision = i + 1 }, (await repository.GetRevisionAsync(id, i + 1))!.Record!), $"pinned revision {i + 1}");
        }

        Assert.True(RecordHistory.SameRecord(current with { Revision = 5 }, history[4].Record!));
        Assert.True(RecordHistory.SameRecord(current with { Revision = 5 }, (await repository.GetRevisionAsync(id, 5))!.Record!));
        var deletion = (await repository.GetRevisionAsync(id, 4))!;
        Assert.True(deletion.IsDeletion);
        Assert.Equal((id, 4L), (deletion.Id, deletion.Revision));
        Assert.Null(await repository.GetRevisionAsync(id, 6));
        Assert.Null(await repository.GetRevisionAsync(id, 0));
        Assert.Null(await repository.GetRevisionAsync(id, 1000));
        Assert.Empty(await repository.GetHistoryAsync(new SecretId(id.ApplicationName, "Db#0000000000000000001")));
        Assert.Empty(await repository.GetHistoryAsync(new SecretId(id.ApplicationName, "D")));
    }

    [Fact]
    public async Task Retention_keeps_the_newest_revisions_counts_the_tombstone_and_never_reuses_a_pruned_number()
    {
        var repository = await CreateRepositoryAsync(new HistoryOptions { KeepRevisions = 2 });
        var id = new SecretId(NewApplication("keep"), "Db");
        for (var revision = 0; revision < 5; revision++)
        {
            await repository.SaveAsync(V2(id), revision);
        }

        Assert.Equal([4L, 5L], (await repository.GetHistoryAsync(id)).Select(e => e.Revision));
        Assert.Null(await repository.GetRevisionAsync(id, 3));
        Assert.Null(await repository.GetRevisionAsync(id, 1));
        Assert.NotNull(await repository.GetRevisionAsync(id, 4));

        await repository.DeleteAsync(id);

        Assert.Equal([(5L, false), (6L, true)], (await repository.GetHistoryAsync(id)).Select(e => (e.Revision, e.IsDeletion)));
        Assert.Null(await repository.GetRevisionAsync(id, 4));
        Assert.Equal(7, await repository.SaveAsync(V2(id), 0));
        Assert.Equal([(6L, true), (7L, false)], (await repository.GetHistoryAsync(id)).Select(e => (e.Revision, e.IsDeletion)));
    }

    [Fact]
    public async Task Purge_leaves_one_deletion_past_every_revision_is_false_the_second_time_and_spares_a_secret_whose_name_extends_it()
    {
        var repository = await CreateRepositoryAsync();
        var app = NewApplication("purge");
        var id = new SecretId(app, "Db");
        var longer = new SecretId(app, "Db#0000000000000000001");
        var live = new SecretId(app, "Live");
        for (var revision = 0; revision < 30; revision++)
        {
            await repository.SaveAsync(V2(id), revision);
        }

        await repository.DeleteAsync(id);
        var kept = V2(longer);
        await repository.SaveAsync(kept, 0);
        await repository.SaveAsync(V2(live), 0);
        await repository.SaveAsync(V2(live), 1);

        Assert.True(await repository.PurgeAsync(id));
        Assert.True(await repository.PurgeAsync(live));

        Assert.Null(await repository.GetAsync(id));
        Assert.Null(await repository.GetAsync(live));
        Assert.Equal([(32L, true)], (await repository.GetHistoryAsync(id)).Select(e => (e.Revision, e.IsDeletion)));
        Assert.Equal([(3L, true)], (await repository.GetHistoryAsync(live)).Select(e => (e.Revision, e.IsDeletion)));
        Assert.Null(await repository.GetRevisionAsync(id, 30));
        Assert.True((await repository.GetRevisionAsync(id, 32))!.IsDeletion);
        Assert.True(RecordHistory.SameRecord(kept with { Revision = 1 }, Assert.Single(await repository.GetHistoryAsync(longer)).Record!));
        Assert.Equal([longer.Name], (await repository.QueryByApplicationAsync(app)).Select(r => r.Id.Name));
        Assert.False(await repository.PurgeAsync(id));
        Assert.False(await repository.PurgeAsync(live));
        Assert.False(await repository.PurgeAsync(new SecretId(app, "never")));
        Assert.Empty(await repository.GetHistoryAsync(new SecretId(app, "never")));
        Assert.Equal(33, await repository.SaveAsync(V2(id), 0));
        Assert.Equal([(32L, true), (33L, false)], (await repository.GetHistoryAsync(id)).Select(e => (e.Revision, e.IsDeletion)));
    }

    [Theory]
    [InlineData(1, null)]
    [InlineData(2, null)]
    [InlineData(3, null)]
    [InlineData(11, 2)]
    [InlineData(12, 3)]
    public async Task Random_writes_deletes_and_purges_keep_the_same_history_as_the_model(int seed, int? keep)
    {
        var repository = await CreateRepositoryAsync(new HistoryOptions { KeepRevisions = keep });

        await HistoryModelCheck.RunAsync(repository, NewApplication("model"), seed, steps: 25, keep);
    }

    // ---- Bad ids and arguments ----------------------------------------------------------------------------------

    public static TheoryData<string> BadIds => ["default", "lone high surrogate in the name", "lone low surrogate in the application"];

    [Theory]
    [MemberData(nameof(BadIds))]
    public async Task Every_operation_refuses_a_bad_id_with_SSB2010_and_writes_nothing(string kind)
    {
        var repository = await CreateRepositoryAsync();
        var app = NewApplication("bad");
        var good = new SecretId(app, "ok");
        var bad = kind switch
        {
            "default" => default,
            "lone high surrogate in the name" => new SecretId(app, "x\uD800"),
            _ => new SecretId(app + "\uDC00", "x"),
        };
        var record = new ProtectedSecretRecord { Id = bad, Format = ProtectedSecretFormat.V2, MasterKeyId = "alias/test", Envelope = [1, 2, 3] };

        Func<Task>[] calls =
        [
            () => repository.GetAsync(bad),
            () => repository.GetManyAsync([good, bad]),
            () => repository.SaveAsync(record, 0),
            () => repository.SaveAtRevisionAsync(record, 0, 3),
            () => repository.DeleteAsync(bad),
            () => repository.DeleteAsync(bad, 1),
            () => repository.GetHistoryAsync(bad),
            () => repository.GetRevisionAsync(bad, 1),
            () => repository.PurgeAsync(bad),
        ];
        for (var i = 0; i < calls.Length; i++)
        {
            var error = await Assert.ThrowsAsync<SecretStoreException>(calls[i]);
            Assert.True(error.Code.Id == "SSB2010", $"call {i}: {error.Message}");
            Assert.StartsWith("SSB2010: ", error.Message, StringComparison.Ordinal);
        }

        if (kind != "default")
        {
            var query = await Assert.ThrowsAsync<SecretStoreException>(() => repository.QueryByApplicationAsync(bad.ApplicationName + "\uD800"));
            Assert.Equal("SSB2010", query.Code.Id);
        }

        Assert.Empty(await repository.QueryByApplicationAsync(app));
    }

    [Fact]
    public async Task Null_and_negative_arguments_are_refused_before_any_call()
    {
        var repository = await CreateRepositoryAsync();
        var id = new SecretId(NewApplication(), "arg");
        var record = V2(id);
        await repository.SaveAsync(record, 0);

        Assert.Equal("ids", (await Assert.ThrowsAsync<ArgumentNullException>(() => repository.GetManyAsync(null!))).ParamName);
        Assert.Equal("applicationName", (await Assert.ThrowsAsync<ArgumentNullException>(() => repository.QueryByApplicationAsync(null!))).ParamName);
        Assert.Equal("applicationName", (await Assert.ThrowsAsync<ArgumentException>(() => repository.QueryByApplicationAsync(""))).ParamName);
        Assert.Equal("record", (await Assert.ThrowsAsync<ArgumentNullException>(() => repository.SaveAsync(null!, 0))).ParamName);
        Assert.Equal("record", (await Assert.ThrowsAsync<ArgumentNullException>(() => repository.SaveAtRevisionAsync(null!, 0, 1))).ParamName);
        Assert.Equal("expectedRevision", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => repository.SaveAsync(V2(id), -1))).ParamName);
        Assert.Equal("expectedRevision", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => repository.SaveAtRevisionAsync(V2(id), -1, 5))).ParamName);
        Assert.Equal("newRevision", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => repository.SaveAtRevisionAsync(V2(id), 1, 1))).ParamName);
        Assert.Equal("expectedRevision", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => repository.DeleteAsync(id, -1))).ParamName);

        Assert.True(RecordHistory.SameRecord(record with { Revision = 1 }, (await repository.GetAsync(id))!));
        Assert.Equal([1L], (await repository.GetHistoryAsync(id)).Select(e => e.Revision));
    }

    // ---- Store id -----------------------------------------------------------------------------------------------

    [Fact]
    public async Task A_new_store_has_its_id_from_where_the_backend_makes_it()
    {
        var empty = await CreateEmptyStoreAsync();
        var id = new SecretId(NewApplication(), "Db");
        switch (StoreIdOrigin)
        {
            case StoreIdOrigin.None:
                Assert.Null(await empty.GetStoreIdAsync());
                Assert.Null(await empty.EnsureStoreIdAsync());
                Assert.Null(await empty.EnsureStoreIdAsync(createForExisting: true));
                await empty.SaveAsync(V2(id), 0);
                Assert.Null(await empty.GetStoreIdAsync());
                break;

            case StoreIdOrigin.FirstWrite:
                Assert.Null(await empty.GetStoreIdAsync());
                var made = await empty.EnsureStoreIdAsync();
                Assert.True(StoreIds.IsWellFormed(made), made);
                Assert.Equal(made, await empty.EnsureStoreIdAsync());
                await empty.SaveAsync(V2(id), 0);
                Assert.Equal(made, await empty.GetStoreIdAsync());
                Assert.Equal(made, await empty.EnsureStoreIdAsync(createForExisting: true));
                break;

            default:
                var created = await CreateRepositoryAsync();
                var storeId = await created.GetStoreIdAsync();
                Assert.True(StoreIds.IsWellFormed(storeId), storeId);
                Assert.Equal(storeId, await created.EnsureStoreIdAsync());
                Assert.Equal(storeId, await created.EnsureStoreIdAsync(createForExisting: true));

                // A store that lacks one never gets it from a write.
                Assert.Null(await empty.EnsureStoreIdAsync());
                await empty.SaveAsync(V2(id), 0);
                Assert.Null(await empty.EnsureStoreIdAsync());
                Assert.Null(await empty.GetStoreIdAsync());
                break;
        }
    }

    [Fact]
    public async Task A_store_with_records_and_no_id_gets_one_only_on_request_and_concurrent_requests_agree()
    {
        if (StoreIdOrigin == StoreIdOrigin.None)
        {
            return;
        }

        var store = await CreateEmptyStoreAsync();
        await store.SaveAsync(V2(new SecretId(NewApplication(), "Db")), 0);

        Assert.Null(await store.EnsureStoreIdAsync());
        Assert.Null(await store.GetStoreIdAsync());
        var created = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () => await store.EnsureStoreIdAsync(createForExisting: true))));

        Assert.Single(created.Distinct());
        Assert.True(StoreIds.IsWellFormed(created[0]), created[0]);
        Assert.Equal(created[0], await store.GetStoreIdAsync());
        Assert.Equal(created[0], await store.EnsureStoreIdAsync());
    }

    [Fact]
    public async Task AdoptStoreId_takes_an_id_into_a_new_store_only_and_is_true_again_for_the_same_id()
    {
        var empty = await CreateEmptyStoreAsync();
        var storeId = StoreIds.New();
        if (StoreIdOrigin == StoreIdOrigin.None)
        {
            Assert.False(await empty.AdoptStoreIdAsync(storeId));
            Assert.Null(await empty.GetStoreIdAsync());
            return;
        }

        Assert.Equal("storeId", (await Assert.ThrowsAsync<ArgumentException>(async () => await empty.AdoptStoreIdAsync("not a store id"))).ParamName);
        Assert.Null(await empty.GetStoreIdAsync());

        Assert.True(await empty.AdoptStoreIdAsync(storeId));
        Assert.Equal(storeId, await empty.GetStoreIdAsync());
        Assert.True(await empty.AdoptStoreIdAsync(storeId));
        Assert.False(await empty.AdoptStoreIdAsync(StoreIds.New()));
        Assert.Equal(storeId, await empty.EnsureStoreIdAsync());
        await empty.SaveAsync(V2(new SecretId(NewApplication(), "Db")), 0);
        Assert.Equal(storeId, await empty.GetStoreIdAsync());
    }

    public static TheoryData<string> NotNewStores => ["a record", "only a deleted record's history", "only a purge mark"];

    [Theory]
    [MemberData(nameof(NotNewStores))]
    public async Task AdoptStoreId_refuses_a_store_with_records_or_history(string holding)
    {
        if (StoreIdOrigin == StoreIdOrigin.None)
        {
            return;
        }

        var store = await CreateEmptyStoreAsync();
        var id = new SecretId(NewApplication(), "Db");
        await store.SaveAsync(V2(id), 0);
        if (holding != "a record")
        {
            Assert.True(await store.DeleteAsync(id));
        }

        if (holding == "only a purge mark")
        {
            Assert.True(await store.PurgeAsync(id));
        }

        Assert.False(await store.AdoptStoreIdAsync(StoreIds.New()));
        Assert.Null(await store.GetStoreIdAsync());
    }

    // ---- Concurrency --------------------------------------------------------------------------------------------

    [Fact]
    public async Task Eight_concurrent_read_modify_write_writers_lose_no_update_and_the_history_has_every_revision_once()
    {
        var repository = await CreateRepositoryAsync();
        var id = new SecretId(NewApplication("counter"), "Counter");
        Assert.Equal(1, await repository.SaveAsync(Counter(id, 0), 0));
        var perWriter = IncrementsPerWriter;

        var successes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var done = 0;
            var attempts = 0;
            while (done < perWriter)
            {
                Assert.True(++attempts < 10_000, "a writer never got through");
                var current = (await repository.GetAsync(id))!;
                try
                {
                    await repository.SaveAsync(Counter(id, BitConverter.ToInt32(current.Envelope) + 1), current.Revision);
                    done++;
                }
                catch (ConcurrencyConflictException)
                {
                    // Another writer got there first: read again.
                }
            }

            return done;
        })));

        var total = 1 + successes.Sum();
        Assert.Equal(1 + (8 * perWriter), total);
        var final = (await repository.GetAsync(id))!;
        Assert.Equal(total, final.Revision);
        Assert.Equal(total - 1, BitConverter.ToInt32(final.Envelope));
        var history = await repository.GetHistoryAsync(id);
        Assert.Equal(Enumerable.Range(1, total).Select(r => (long)r), history.Select(e => e.Revision));
        // Revision r holds the count r - 1: no two writers wrote the same count.
        Assert.Equal(Enumerable.Range(0, total), history.Select(e => BitConverter.ToInt32(e.Record!.Envelope)));
    }

    [Fact]
    public async Task Concurrent_saves_expecting_one_revision_have_exactly_one_winner()
    {
        var repository = await CreateRepositoryAsync();
        var id = new SecretId(NewApplication("race"), "New");

        for (long expected = 0; expected < 4; expected++)
        {
            var candidates = Enumerable.Range(0, 8).Select(_ => V2(id)).ToList();
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var racers = candidates.Select(record => Task.Run(async () =>
            {
                await start.Task;
                try
                {
                    return (Record: record, Revision: await repository.SaveAsync(record, expected));
                }
                catch (ConcurrencyConflictException e)
                {
                    Assert.Equal(expected, e.ExpectedRevision);
                    return (Record: record, Revision: 0L);
                }
            })).ToList();
            start.SetResult();
            var results = await Task.WhenAll(racers);

            var winner = Assert.Single(results, r => r.Revision != 0);
            Assert.Equal(expected + 1, winner.Revision);
            Assert.True(RecordHistory.SameRecord(winner.Record with { Revision = expected + 1 }, (await repository.GetAsync(id))!), "the stored record is not the winner's");
        }

        Assert.Equal([1L, 2L, 3L, 4L], (await repository.GetHistoryAsync(id)).Select(e => e.Revision));
    }

    /// <summary>
    /// A record holding <paramref name="count"/> in its first four bytes, and random bytes after them as every sealed
    /// envelope has (a fresh nonce): two writers never write byte-identical records. (DynamoDB takes a conditional write
    /// that failed over a byte-identical item for its own write retried by the SDK; see its repository's SaveAsync.)
    /// </summary>
    private static ProtectedSecretRecord Counter(SecretId id, int count) => new()
    {
        Id = id,
        Format = ProtectedSecretFormat.V2,
        MasterKeyId = "alias/test",
        Envelope = [.. BitConverter.GetBytes(count), .. System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)],
    };

    /// <summary>A clock that always says the same time.</summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

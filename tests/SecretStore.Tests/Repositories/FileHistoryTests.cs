using Microsoft.Extensions.Time.Testing;
using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Repositories.File;
using SecretStore.Repositories.History;
using SecretStore.Secrets;
using SecretStore.Testing.Repositories;
using SecretStore.Tests.Support;
using static SecretStore.Tests.Repositories.FileSecretRepositoryTests;

namespace SecretStore.Tests.Repositories;

/// <summary>
/// The store file's history array (docs/format.md, "History"): the model check read back from the file, files written
/// before history, times, merge-friendliness, purge, corruption. Numbering, tombstones and retention as every store has
/// them are FileRepositoryContractTests.
/// </summary>
public sealed class FileHistoryTests
{
    private static readonly SecretId Db = new("web", "Db");

    public static TheoryData<int, int?> Seeds()
    {
        var data = new TheoryData<int, int?>();
        for (var seed = 1; seed <= 12; seed++)
        {
            data.Add(seed, null);
            data.Add(100 + seed, 1 + (seed % 3));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Random_writes_deletes_and_purges_keep_the_same_history_as_the_model(int seed, int? keep)
    {
        using var temp = new TempDirectory();
        var repository = new FileSecretRepository(temp.Combine("secrets.json"), new FileSecretRepositoryOptions { History = new HistoryOptions { KeepRevisions = keep } });
        // Reads need the file: another application's secret makes it (and must come through untouched).
        await repository.SaveAsync(V2("other", "Kept", 9), 0);

        await HistoryModelCheck.RunAsync(repository, "web", seed, steps: 40, keep);

        // Read back by a fresh repository: what the file says, not what an instance remembers.
        var reopened = new FileSecretRepository(temp.Combine("secrets.json"));
        foreach (var name in HistoryModelCheck.Names)
        {
            var id = new SecretId("web", name);
            Assert.Equal(
                (await repository.GetHistoryAsync(id)).Select(e => (e.Revision, e.IsDeletion)),
                (await reopened.GetHistoryAsync(id)).Select(e => (e.Revision, e.IsDeletion)));
        }

        Assert.Equal([1L], (await reopened.GetHistoryAsync(new SecretId("other", "Kept"))).Select(e => e.Revision));
    }

    [Fact]
    public async Task A_store_file_written_before_history_keeps_the_replaced_record_on_the_first_write_and_delete()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("secrets.json");
        var repository = new FileSecretRepository(path);
        await repository.SaveAsync(V2("web", "Db", 1), 0);
        await repository.SaveAsync(V2("web", "Api", 1), 0);
        // A file as the version before history wrote it: records only.
        var text = File.ReadAllText(path);
        File.WriteAllText(path, text[..text.LastIndexOf(",\n  \"history\"", StringComparison.Ordinal)] + "\n}\n");
        Assert.Null(Assert.Single(await repository.GetHistoryAsync(Db)).WrittenAt);

        Assert.Equal(2, await repository.SaveAsync(V2("web", "Db", 2), 1));
        Assert.True(await repository.DeleteAsync(new SecretId("web", "Api")));

        var db = await repository.GetHistoryAsync(Db);
        Assert.Equal([(1L, 1), (2L, 2)], db.Select(e => (e.Revision, (int)e.Record!.Envelope![0])));
        Assert.Null(db[0].WrittenAt);
        Assert.Equal([(1L, false), (2L, true)], (await repository.GetHistoryAsync(new SecretId("web", "Api"))).Select(e => (e.Revision, e.IsDeletion)));
    }

    [Fact]
    public async Task The_writer_and_the_time_of_each_revision_are_kept_in_whole_UTC_seconds()
    {
        using var temp = new TempDirectory();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 10, 11, 12, 345, TimeSpan.FromHours(2)));
        var repository = new FileSecretRepository(temp.Combine("secrets.json"), new FileSecretRepositoryOptions { History = new HistoryOptions { Writer = "ci@build-7", TimeProvider = clock } });

        await repository.SaveAsync(V2("web", "Db"), 0);

        var entry = Assert.Single(await new FileSecretRepository(temp.Combine("secrets.json")).GetHistoryAsync(Db));
        Assert.Equal((new DateTimeOffset(2026, 12, 7, 8, 11, 12, TimeSpan.Zero), "ci@build-7"), (entry.WrittenAt, entry.Writer));
        Assert.Contains("\"Time\": \"2026-12-07T08:11:12Z\"", File.ReadAllText(temp.Combine("secrets.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_write_leaves_every_other_secrets_record_and_every_earlier_revision_byte_identical()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("secrets.json");
        var repository = new FileSecretRepository(path);
        await repository.SaveAsync(V2("web", "Db", 1), 0);
        await repository.SaveAsync(V2("web", "Api", 1), 0);
        await repository.SaveAsync(V2("web", "Db", 2), 1);
        var before = File.ReadAllLines(path);

        await repository.SaveAsync(V2("web", "Db", 3), 2);
        var after = File.ReadAllLines(path);

        // Only Db's current record changes (its revision and envelope); the history only gains lines. A merge of two
        // branches that each changed another secret therefore touches disjoint lines.
        var removed = MultisetMinus(before, after);
        Assert.All(removed, line => Assert.Matches("\"(Revision|Envelope)\"", line));
        Assert.Equal(2, removed.Count);
        var historyBefore = before.SkipWhile(l => !l.Contains("\"history\"", StringComparison.Ordinal)).ToList();
        var historyAfter = after.SkipWhile(l => !l.Contains("\"history\"", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(historyBefore);
        var lost = MultisetMinus(historyBefore, historyAfter).Where(l => !l.TrimStart().StartsWith(']') && !l.TrimStart().StartsWith('}')).ToList();
        Assert.True(lost.Count == 0, "history lines changed: " + string.Join(" | ", lost));
    }

    /// <summary>The lines of <paramref name="a"/> not in <paramref name="b"/>, counting repeats (a line in both twice and once is lost once).</summary>
    private static List<string> MultisetMinus(IEnumerable<string> a, IEnumerable<string> b)
    {
        var left = b.GroupBy(l => l, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var lost = new List<string>();
        foreach (var line in a)
        {
            if (left.TryGetValue(line, out var count) && count > 0)
            {
                left[line] = count - 1;
            }
            else
            {
                lost.Add(line);
            }
        }

        return lost;
    }

    [Fact]
    public void A_retention_below_one_is_SSB0003()
    {
        var error = Assert.Throws<SecretStoreException>(() => new FileSecretRepository("secrets.json", new FileSecretRepositoryOptions { History = new HistoryOptions { KeepRevisions = 0 } }));

        Assert.Equal("SSB0003", error.Code.Id);
    }

    [Fact]
    public async Task Purge_leaves_no_value_of_the_secret_in_the_file()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("secrets.json");
        var repository = new FileSecretRepository(path);
        await repository.SaveAsync(V2("web", "Db", 1), 0);
        await repository.SaveAsync(V2("web", "Db", 2), 1);
        await repository.SaveAsync(V2("web", "Api", 7), 0);
        await repository.DeleteAsync(new SecretId("web", "Api"));

        Assert.True(await repository.PurgeAsync(Db));
        Assert.True(await repository.PurgeAsync(new SecretId("web", "Api")));

        // What the numbers do is the contract's (FileRepositoryContractTests); here, that no value is left in the file.
        Assert.DoesNotContain("\"Envelope\"", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Equal(2, File.ReadAllText(path).Split("\"Deleted\"").Length - 1);
    }

    public static TheoryData<string, string> CorruptEntries => new()
    {
        { "revision zero", """{ "ApplicationName": "web", "Name": "Db", "Revision": 0, "Format": 2, "MasterKeyId": "alias/k", "Envelope": "AQID" }""" },
        { "bad time", """{ "ApplicationName": "web", "Name": "Db", "Revision": 1, "Time": "yesterday", "Format": 2, "MasterKeyId": "alias/k", "Envelope": "AQID" }""" },
        { "deletion with fields", """{ "ApplicationName": "web", "Name": "Db", "Revision": 1, "Deleted": true, "MasterKeyId": "alias/k" }""" },
        { "no format", """{ "ApplicationName": "web", "Name": "Db", "Revision": 1, "MasterKeyId": "alias/k", "Envelope": "AQID" }""" },
    };

    [Theory]
    [MemberData(nameof(CorruptEntries))]
    public async Task A_corrupt_history_entry_is_SSB2004_for_history_and_writes_and_the_file_stays_untouched(string why, string entry)
    {
        _ = why;
        using var temp = new TempDirectory();
        var path = temp.Combine("secrets.json");
        var repository = new FileSecretRepository(path);
        await repository.SaveAsync(V2("web", "Db", 1), 0);
        var text = File.ReadAllText(path);
        var start = text.IndexOf("\"history\"", StringComparison.Ordinal);
        Assert.True(start > 0);
        var corrupt = text[..start] + "\"history\": [\n    " + entry + "\n  ]\n}\n";
        File.WriteAllText(path, corrupt);
        var bytes = File.ReadAllBytes(path);

        var errors = new[]
        {
            await Assert.ThrowsAsync<SecretStoreException>(() => repository.GetHistoryAsync(Db)),
            await Assert.ThrowsAsync<SecretStoreException>(() => repository.SaveAsync(V2("web", "Db", 2), 1)),
            await Assert.ThrowsAsync<SecretStoreException>(() => repository.DeleteAsync(Db)),
        };

        Assert.All(errors, e => Assert.Equal("SSB2004", e.Code.Id));
        Assert.All(errors, e => Assert.Contains(path, e.Message, StringComparison.Ordinal));
        Assert.Equal(bytes, File.ReadAllBytes(path));
        // Reads of current records (a publish) never decode the history: they still work, and never see it.
        Assert.Single(await repository.GetManyAsync([Db]));
        Assert.Single(await repository.QueryByApplicationAsync("web"));
    }
}

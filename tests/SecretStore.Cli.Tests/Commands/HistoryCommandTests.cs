using System.Globalization;
using System.Text;
using System.Text.Json;
using SecretStore.Cli.Tests.Infrastructure;

namespace SecretStore.Cli.Tests.Commands;

/// <summary>
/// Issue 17, the CLI face of history: <c>history</c>, <c>get --revision</c>, <c>rollback --to</c>, <c>delete</c> keeping
/// the history and <c>delete --purge</c> removing it, and the retention (<c>--keep-revisions</c>,
/// <c>SECRETSTORE_KEEP_REVISIONS</c>, <c>keepRevisions</c> of <c>secretstore.json</c>), through the real tool.
/// </summary>
public sealed class HistoryCommandTests : IDisposable
{
    private const string First = "first-value-6b1d";
    private const string Second = "second-value-93fe";
    private const string Third = "third-value-2c07";
    private const string Fourth = "fourth-value-d4a8";

    private readonly FileStoreSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task History_after_set_set_delete_set_lists_four_revisions_oldest_first_with_the_deletion_and_never_reuses_its_number()
    {
        await _sandbox.SetAsync("shop/Db", First);
        await _sandbox.SetAsync("shop/Db", Second);
        var delete = await _sandbox.RunAsync("delete", "shop/Db");
        Assert.True(delete.ExitCode == 0, delete.ToString());
        var recreate = await _sandbox.RunWithInputAsync(Third, "set", "shop/Db");
        Assert.True(recreate.ExitCode == 0, recreate.ToString());

        // The deletion took revision 3, so the secret created again is 4, not 3 and not 1.
        Assert.Equal("shop/Db\trevision 4\tV2\tprimary\n", recreate.Stdout);

        var history = await _sandbox.RunAsync("history", "shop/Db");

        Assert.True(history.ExitCode == 0, history.ToString());
        Assert.Equal(string.Empty, history.Stderr);
        var rows = Rows(history);
        Assert.Equal(["1", "2", "3", "4"], rows.Select(r => r[0]));
        Assert.Equal(["V2", "V2", "-", "V2"], rows.Select(r => r[2]));
        Assert.Equal(["primary", "primary", "-", "primary"], rows.Select(r => r[3]));
        Assert.Equal(["-", "-", "deleted", "current"], rows.Select(r => r[5]));
        Assert.All(rows, r => Assert.Equal(Environment.UserName, r[4]));
        Assert.All(rows, r =>
        {
            var at = DateTimeOffset.ParseExact(r[1], "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            Assert.InRange(at, DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddMinutes(1));
        });
    }

    [Fact]
    public async Task History_never_shows_a_value_or_the_protected_bytes_of_any_revision()
    {
        await _sandbox.SetAsync("shop/Db", First);
        await _sandbox.SetAsync("shop/Db", Second);
        Assert.Equal(0, (await _sandbox.RunAsync("delete", "shop/Db")).ExitCode);
        await _sandbox.SetAsync("shop/Db", Third);
        var protectedBytes = StoredEnvelopes().Values.ToList();
        Assert.Equal(3, protectedBytes.Count);

        var history = await _sandbox.RunAsync("history", "shop/Db");

        Assert.True(history.ExitCode == 0, history.ToString());
        Assert.Equal(4, Rows(history).Count);
        ValueScanner.AssertNoValue(history, First, Second, Third);
        Assert.All(protectedBytes, envelope =>
        {
            Assert.DoesNotContain(envelope[..40], history.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain(envelope[..40], history.Stderr, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task History_of_a_secret_that_never_existed_is_SSB2001_with_nothing_on_stdout_like_get()
    {
        await _sandbox.SetAsync("shop/Other", First);

        var history = await _sandbox.RunAsync("history", "shop/Missing");

        Assert.Equal(1, history.ExitCode);
        Assert.Empty(history.StdoutBytes);
        Assert.Contains("error SSB2001: Secret 'shop/Missing' has no history in this store", history.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_with_revision_prints_exactly_that_old_revisions_value_and_get_without_it_the_current_one()
    {
        await _sandbox.SetAsync("shop/Db", First + "\n");
        await _sandbox.SetAsync("shop/Db", Second);

        var old = await _sandbox.RunAsync("get", "shop/Db", "--revision", "1");
        var current = await _sandbox.RunAsync("get", "shop/Db");

        Assert.True(old.ExitCode == 0, old.ToString());
        Assert.Equal(Encoding.UTF8.GetBytes(First + "\n"), old.StdoutBytes);
        Assert.Equal(string.Empty, old.Stderr);
        Assert.Equal(Encoding.UTF8.GetBytes(Second), current.StdoutBytes);
    }

    [Theory]
    [InlineData("9", "the store keeps no such revision")]
    [InlineData("3", "it is the deletion of the secret")]
    [InlineData("0", "a revision is a whole number from 1")]
    public async Task Get_with_a_revision_the_store_does_not_keep_or_a_deletion_is_SSB2019_with_nothing_on_stdout(string revision, string why)
    {
        await _sandbox.SetAsync("shop/Db", First);
        await _sandbox.SetAsync("shop/Db", Second);
        Assert.Equal(0, (await _sandbox.RunAsync("delete", "shop/Db")).ExitCode);

        var get = await _sandbox.RunAsync("get", "shop/Db", "--revision", revision);

        Assert.Equal(1, get.ExitCode);
        Assert.Empty(get.StdoutBytes);
        Assert.Contains($"error SSB2019: Revision {revision} of 'shop/Db' cannot be read: {why}.", get.Stderr, StringComparison.Ordinal);
        ValueScanner.AssertNoValue(get, First, Second);
    }

    [Fact]
    public async Task Rollback_writes_the_old_value_as_a_new_revision_under_a_fresh_data_key_and_the_history_shows_it()
    {
        await _sandbox.SetAsync("shop/Db", First);
        await _sandbox.SetAsync("shop/Db", Second);

        var rollback = await _sandbox.RunAsync("rollback", "shop/Db", "--to", "1");

        Assert.True(rollback.ExitCode == 0, rollback.ToString());
        Assert.Equal("shop/Db\trevision 3\tV2\tprimary\n", rollback.Stdout);
        Assert.Contains("shop/Db: revision 2 -> 3, with the value of revision 1", rollback.Stderr, StringComparison.Ordinal);
        ValueScanner.AssertNoValue(rollback, First, Second);
        Assert.Equal(Encoding.UTF8.GetBytes(First), (await _sandbox.RunAsync("get", "shop/Db")).StdoutBytes);
        Assert.Equal(Encoding.UTF8.GetBytes(Second), (await _sandbox.RunAsync("get", "shop/Db", "--revision", "2")).StdoutBytes);
        var rows = Rows(await _sandbox.RunAsync("history", "shop/Db"));
        Assert.Equal(["1", "2", "3"], rows.Select(r => r[0]));
        Assert.Equal(["-", "-", "current"], rows.Select(r => r[5]));

        // Not a copy of revision 1's record: the value is protected again, under a new data key.
        var envelopes = StoredEnvelopes();
        Assert.NotEqual(envelopes[1], envelopes[3]);
    }

    [Fact]
    public async Task Rollback_guarded_by_a_stale_if_revision_is_SSB2002_and_writes_nothing()
    {
        await _sandbox.SetAsync("shop/Db", First);
        await _sandbox.SetAsync("shop/Db", Second);

        var rollback = await _sandbox.RunAsync("rollback", "shop/Db", "--to", "1", "--if-revision", "1");

        Assert.Equal(1, rollback.ExitCode);
        Assert.Empty(rollback.StdoutBytes);
        Assert.Contains("error SSB2002: Secret 'shop/Db' is at revision 2, not the expected 1", rollback.Stderr, StringComparison.Ordinal);
        Assert.Equal(["1", "2"], Rows(await _sandbox.RunAsync("history", "shop/Db")).Select(r => r[0]));
        Assert.Equal(Encoding.UTF8.GetBytes(Second), (await _sandbox.RunAsync("get", "shop/Db")).StdoutBytes);
    }

    [Fact]
    public async Task Rollback_to_a_revision_the_store_does_not_keep_is_SSB2019_and_writes_nothing()
    {
        await _sandbox.SetAsync("shop/Db", First);

        var rollback = await _sandbox.RunAsync("rollback", "shop/Db", "--to", "5");

        Assert.Equal(1, rollback.ExitCode);
        Assert.Empty(rollback.StdoutBytes);
        Assert.Contains("error SSB2019: Revision 5 of 'shop/Db'", rollback.Stderr, StringComparison.Ordinal);
        Assert.Equal(["1"], Rows(await _sandbox.RunAsync("history", "shop/Db")).Select(r => r[0]));
    }

    [Fact]
    public async Task Delete_keeps_the_history_says_so_and_a_rollback_brings_the_secret_back()
    {
        await _sandbox.SetAsync("shop/Db", First);
        await _sandbox.SetAsync("shop/Db", Second);

        var delete = await _sandbox.RunAsync("delete", "shop/Db");

        Assert.True(delete.ExitCode == 0, delete.ToString());
        Assert.Equal("shop/Db\tdeleted\n", delete.Stdout);
        Assert.Contains("shop/Db: deleted (history kept:", delete.Stderr, StringComparison.Ordinal);
        Assert.Contains("'delete --purge' removes it", delete.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, (await _sandbox.RunAsync("get", "shop/Db")).ExitCode);
        Assert.Equal(["1", "2", "3"], Rows(await _sandbox.RunAsync("history", "shop/Db")).Select(r => r[0]));
        Assert.Equal(Encoding.UTF8.GetBytes(Second), (await _sandbox.RunAsync("get", "shop/Db", "--revision", "2")).StdoutBytes);

        var undelete = await _sandbox.RunAsync("rollback", "shop/Db", "--to", "2", "--if-revision", "0");

        Assert.True(undelete.ExitCode == 0, undelete.ToString());
        Assert.Equal("shop/Db\trevision 4\tV2\tprimary\n", undelete.Stdout);
        Assert.Equal(Encoding.UTF8.GetBytes(Second), (await _sandbox.RunAsync("get", "shop/Db")).StdoutBytes);
    }

    [Fact]
    public async Task Delete_with_purge_removes_the_secret_and_every_value_of_its_history_leaving_one_deletion()
    {
        await _sandbox.SetAsync("shop/Db", First);
        await _sandbox.SetAsync("shop/Db", Second);
        await _sandbox.SetAsync("shop/Other", Third);

        var purge = await _sandbox.RunAsync("delete", "shop/Db", "--purge");

        Assert.True(purge.ExitCode == 0, purge.ToString());
        Assert.Equal("shop/Db\tpurged\n", purge.Stdout);
        Assert.Contains("shop/Db: deleted with its whole history", purge.Stderr, StringComparison.Ordinal);
        var history = await _sandbox.RunAsync("history", "shop/Db");
        Assert.True(history.ExitCode == 0, history.ToString());
        Assert.Equal([("3", "deleted")], Rows(history).Select(r => (r[0], r[5])));
        var old = await _sandbox.RunAsync("get", "shop/Db", "--revision", "1");
        Assert.Equal(1, old.ExitCode);
        Assert.Empty(old.StdoutBytes);
        Assert.Contains("error SSB2019", old.Stderr, StringComparison.Ordinal);
        Assert.Empty(StoredEnvelopes());

        // Other secrets keep theirs.
        Assert.Equal(["1"], Rows(await _sandbox.RunAsync("history", "shop/Other")).Select(r => r[0]));
    }

    [Fact]
    public async Task Delete_with_purge_removes_the_history_a_delete_left_and_of_nothing_at_all_is_SSB2001()
    {
        await _sandbox.SetAsync("shop/Db", First);
        Assert.Equal(0, (await _sandbox.RunAsync("delete", "shop/Db")).ExitCode);

        var purge = await _sandbox.RunAsync("delete", "shop/Db", "--purge");
        var again = await _sandbox.RunAsync("delete", "shop/Db", "--purge");

        Assert.True(purge.ExitCode == 0, purge.ToString());
        Assert.Equal("shop/Db\tpurged\n", purge.Stdout);
        Assert.Equal([("3", "deleted")], Rows(await _sandbox.RunAsync("history", "shop/Db")).Select(r => (r[0], r[5])));
        Assert.Equal(1, again.ExitCode);
        Assert.Empty(again.StdoutBytes);
        Assert.Contains("error SSB2001: Secret 'shop/Db' was not found", again.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_id_with_at_and_digits_reads_that_revision_as_a_placeholder_does_and_other_commands_refuse_it()
    {
        // Red team, issue 17: 'get Shop/Db@2' read a secret named 'Db@2' while '#{secret:Db@2}' meant revision 2.
        await _sandbox.SetAsync("shop/Db", First);
        await _sandbox.SetAsync("shop/Db", Second);

        var pinned = await _sandbox.RunAsync("get", "shop/Db@1");
        var set = await _sandbox.RunWithInputAsync(Third, "set", "shop/Db@1");
        var clash = await _sandbox.RunAsync("get", "shop/Db@1", "--revision", "2");
        var escaped = await _sandbox.RunWithInputAsync(Fourth, "set", "shop/build\\@2");
        var named = await _sandbox.RunAsync("get", "shop/build\\@2");

        Assert.True(pinned.ExitCode == 0, pinned.ToString());
        Assert.Equal(First, pinned.Stdout);
        Assert.Equal(2, set.ExitCode);
        Assert.Contains("pins a revision", set.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Third, set.Stdout + set.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, clash.ExitCode);
        Assert.True(escaped.ExitCode == 0, escaped.ToString());
        Assert.Equal(Fourth, named.Stdout);
        Assert.Equal(["1", "2"], Rows(await _sandbox.RunAsync("history", "shop/Db")).Select(r => r[0]));
    }

    [Fact]
    public async Task Delete_with_purge_and_if_revision_is_a_usage_error_and_removes_nothing()
    {
        await _sandbox.SetAsync("shop/Db", First);

        var purge = await _sandbox.RunAsync("delete", "shop/Db", "--purge", "--if-revision", "1");

        Assert.Equal(2, purge.ExitCode);
        Assert.Empty(purge.StdoutBytes);
        Assert.Contains("error SSB0001: --if-revision cannot guard --purge", purge.Stderr, StringComparison.Ordinal);
        Assert.Equal(Encoding.UTF8.GetBytes(First), (await _sandbox.RunAsync("get", "shop/Db")).StdoutBytes);
    }

    [Theory]
    [InlineData("option")]
    [InlineData("variable")]
    [InlineData("settings file")]
    public async Task Keep_revisions_2_removes_the_older_revisions_and_a_pinned_read_of_one_is_SSB2019(string how)
    {
        var extra = new Dictionary<string, string>();
        string[] option = [];
        switch (how)
        {
            case "option":
                option = ["--keep-revisions", "2"];
                break;
            case "variable":
                extra["SECRETSTORE_KEEP_REVISIONS"] = "2";
                break;
            default:
                _sandbox.Folder.Write("secretstore.json", """{ "keepRevisions": 2 }""");
                break;
        }

        foreach (var value in new[] { First, Second, Third, Fourth })
        {
            var set = await _sandbox.RunWithInputAndEnvironmentAsync(value, extra, ["set", "shop/Db", .. option]);
            Assert.True(set.ExitCode == 0, set.ToString());
        }

        var history = await _sandbox.RunAsync("history", "shop/Db");
        var pruned = await _sandbox.RunAsync("get", "shop/Db", "--revision", "2");
        var kept = await _sandbox.RunAsync("get", "shop/Db", "--revision", "3");

        Assert.Equal(["3", "4"], Rows(history).Select(r => r[0]));
        Assert.Equal(1, pruned.ExitCode);
        Assert.Empty(pruned.StdoutBytes);
        Assert.Contains("error SSB2019: Revision 2 of 'shop/Db' cannot be read: the store keeps no such revision.", pruned.Stderr, StringComparison.Ordinal);
        Assert.Equal(Encoding.UTF8.GetBytes(Third), kept.StdoutBytes);
        Assert.Equal([3L, 4L], StoredEnvelopes().Keys.Order());
    }

    [Fact]
    public async Task Without_a_retention_every_revision_is_kept()
    {
        foreach (var value in new[] { First, Second, Third, Fourth })
        {
            await _sandbox.SetAsync("shop/Db", value);
        }

        Assert.Equal(["1", "2", "3", "4"], Rows(await _sandbox.RunAsync("history", "shop/Db")).Select(r => r[0]));
    }

    [Theory]
    [InlineData("0", "a number that is not a whole number from 1 to 2147483647")]
    [InlineData("-3", "a number that is not a whole number from 1 to 2147483647")]
    [InlineData("2.5", "a number that is not a whole number from 1 to 2147483647")]
    [InlineData("\"2\"", "a string")]
    public async Task A_bad_keepRevisions_in_secretstore_json_is_SSB1021_at_its_line_and_nothing_is_written(string value, string kind)
    {
        await _sandbox.SetAsync("shop/Db", First);
        var before = File.ReadAllBytes(_sandbox.StorePath);
        var settings = _sandbox.Folder.Write("secretstore.json", $"{{\n  \"keepRevisions\": {value}\n}}\n");

        var set = await _sandbox.RunWithInputAsync(Second, "set", "shop/Db");

        Assert.Equal(1, set.ExitCode);
        Assert.Empty(set.StdoutBytes);
        Assert.Contains($"{settings}(2,20): error SSB1021: 'keepRevisions' at the top level must be a whole number of revisions to keep per secret, at least 1, not {kind}.", set.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(_sandbox.StorePath));
        ValueScanner.AssertNoValue(set, First, Second);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("ten")]
    [InlineData("2.5")]
    [InlineData("99999999999")]
    public async Task A_bad_SECRETSTORE_KEEP_REVISIONS_is_a_usage_error_naming_the_variable_and_nothing_is_written(string text)
    {
        await _sandbox.SetAsync("shop/Db", First);
        var before = File.ReadAllBytes(_sandbox.StorePath);

        var set = await _sandbox.RunWithInputAndEnvironmentAsync(Second, new Dictionary<string, string> { ["SECRETSTORE_KEEP_REVISIONS"] = text }, ["set", "shop/Db"]);

        Assert.Equal(2, set.ExitCode);
        Assert.Empty(set.StdoutBytes);
        Assert.Contains($"error SSB0001: SECRETSTORE_KEEP_REVISIONS is '{text}', which is not a whole number from 1 to 2147483647", set.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(_sandbox.StorePath));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("many")]
    public async Task A_bad_keep_revisions_option_is_a_usage_error_naming_the_option_and_nothing_is_written(string text)
    {
        await _sandbox.SetAsync("shop/Db", First);
        var before = File.ReadAllBytes(_sandbox.StorePath);

        var set = await _sandbox.RunWithInputAsync(Second, "set", "shop/Db", "--keep-revisions", text);

        Assert.Equal(2, set.ExitCode);
        Assert.Empty(set.StdoutBytes);
        Assert.Contains("error SSB0001: The value given for option '--keep-revisions' of 'secretstore set' is not valid", set.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(_sandbox.StorePath));
    }

    /// <summary>The tab-separated fields of each stdout row, after checking that each row has the six columns.</summary>
    private static List<string[]> Rows(ProcessResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        var rows = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t')).ToList();
        Assert.All(rows, r => Assert.Equal(6, r.Length));
        return rows;
    }

    /// <summary>The base64 envelope of every revision the store file holds a record for (current record and history), by revision.</summary>
    private Dictionary<long, string> StoredEnvelopes(string application = "shop", string name = "Db")
    {
        using var document = JsonDocument.Parse(File.ReadAllText(_sandbox.StorePath));
        var envelopes = new Dictionary<long, string>();
        foreach (var section in new[] { "secrets", "history" })
        {
            if (!document.RootElement.TryGetProperty(section, out var records))
            {
                continue;
            }

            foreach (var record in records.EnumerateArray())
            {
                if (record.GetProperty("ApplicationName").GetString() == application && record.GetProperty("Name").GetString() == name
                    && record.TryGetProperty("Envelope", out var envelope))
                {
                    envelopes[record.GetProperty("Revision").GetInt64()] = envelope.GetString()!;
                }
            }
        }

        return envelopes;
    }
}

using System.Text.RegularExpressions;
using SecretStore.Cli.Tests.Infrastructure;

namespace SecretStore.Cli.Tests.Commands;

/// <summary>
/// Issue 23 section 3.2 and 3.3: writes that destroy. An empty CI variable must not overwrite a good secret, an
/// overwrite says which revision it replaced, and a revision a store writer pushed out of range bricks that
/// record only, never the store.
/// </summary>
public sealed class WriteSafetyCommandTests : IDisposable
{
    private const string GoodValue = "good-db-password-4711";
    private readonly FileStoreSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Theory]
    [InlineData("")]
    [InlineData(" \t\r\n  \n")]

    // Red team: what an empty variable becomes after PowerShell's Out-File (a BOM and CRLF), a BOM alone, NUL, and
    // invisible format characters and fillers were stored as values.
    [InlineData("\uFEFF")]
    [InlineData("\uFEFF\r\n")]
    [InlineData("\0")]
    [InlineData("\u200B")]
    [InlineData("\u2060\u00AD")]
    [InlineData("\u3164")]
    public async Task Set_with_empty_or_whitespace_only_stdin_is_SSB2017_and_the_good_value_stays(string input)
    {
        await _sandbox.SetAsync("shop/Db", GoodValue);
        var before = File.ReadAllBytes(_sandbox.StorePath);

        var set = await _sandbox.RunWithInputAsync(input, "set", "shop/Db");

        Assert.True(set.ExitCode == 1, set.ToString());
        Assert.Empty(set.StdoutBytes);
        Assert.Contains("error SSB2017: ", set.Stderr, StringComparison.Ordinal);
        Assert.Contains("'shop/Db'", set.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(_sandbox.StorePath));
        var get = await _sandbox.RunAsync("get", "shop/Db");
        Assert.Equal(GoodValue, get.Stdout);
        ValueScanner.AssertNoValue(set, GoodValue);
    }

    [Fact]
    public async Task Set_of_an_empty_new_secret_is_refused_and_no_store_file_is_created()
    {
        var set = await _sandbox.RunWithInputAsync(string.Empty, "set", "shop/New");

        Assert.Equal(1, set.ExitCode);
        Assert.Contains("error SSB2017: ", set.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_sandbox.StorePath));
    }

    [Fact]
    public async Task Allow_empty_stores_an_empty_value_on_purpose()
    {
        await _sandbox.SetAsync("shop/Db", GoodValue);

        var set = await _sandbox.RunWithInputAsync(string.Empty, "set", "shop/Db", "--allow-empty");

        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Equal("shop/Db\trevision 2\tV2\tprimary\n", set.Stdout);
        var get = await _sandbox.RunAsync("get", "shop/Db");
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Empty(get.StdoutBytes);
    }

    [Fact]
    public async Task Set_says_on_stderr_which_revision_it_replaced_and_never_the_value()
    {
        var first = await _sandbox.RunWithInputAsync("first-value-1234", "set", "shop/Db");
        var second = await _sandbox.RunWithInputAsync("second-value-5678", "set", "shop/Db");
        var third = await _sandbox.RunWithInputAsync("third-value-9012", "set", "shop/Db");

        Assert.True(third.ExitCode == 0, third.ToString());
        Assert.Equal("shop/Db: revision 1 (new)\n", first.Stderr);
        Assert.Equal("shop/Db: revision 1 -> 2\n", second.Stderr);
        Assert.Equal("shop/Db: revision 2 -> 3\n", third.Stderr);

        // stdout keeps its one result row for scripts.
        Assert.Equal("shop/Db\trevision 3\tV2\tprimary\n", third.Stdout);
        ValueScanner.AssertNoValue(first, "first-value-1234");
        ValueScanner.AssertNoValue(second, "second-value-5678");
        ValueScanner.AssertNoValue(third, "third-value-9012");
    }

    [Fact]
    public async Task Set_over_a_revision_at_long_MaxValue_is_SSB2014_naming_the_record_and_nothing_is_written()
    {
        await _sandbox.SetAsync("shop/Db", GoodValue);
        await _sandbox.SetAsync("shop/Api", "api-value-0000");
        var text = File.ReadAllText(_sandbox.StorePath);
        File.WriteAllText(_sandbox.StorePath, SetRevision(text, "Db", "9223372036854775807"));
        var before = File.ReadAllBytes(_sandbox.StorePath);

        var set = await _sandbox.RunWithInputAsync("new-value-1111", "set", "shop/Db");

        Assert.True(set.ExitCode == 1, set.ToString());
        Assert.Contains("error SSB2014: ", set.Stderr, StringComparison.Ordinal);
        Assert.Contains("'shop/Db'", set.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(_sandbox.StorePath));

        // The record itself still reads: the revision is in range, only its successor is not.
        var get = await _sandbox.RunAsync("get", "shop/Db");
        Assert.Equal(GoodValue, get.Stdout);
    }

    [Theory]
    [InlineData("-5")]
    [InlineData("0")]
    [InlineData("1.5")]
    [InlineData("\"7\"")]
    [InlineData("92233720368547758070")]
    public async Task A_revision_out_of_range_on_read_is_SSB2014_for_that_record_only(string revision)
    {
        await _sandbox.SetAsync("shop/Db", GoodValue);
        await _sandbox.SetAsync("shop/Api", "api-value-0000");
        File.WriteAllText(_sandbox.StorePath, SetRevision(File.ReadAllText(_sandbox.StorePath), "Db", revision));
        var planted = File.ReadAllText(_sandbox.StorePath);

        var getBad = await _sandbox.RunAsync("get", "shop/Db");
        var getOther = await _sandbox.RunAsync("get", "shop/Api");
        var list = await _sandbox.RunAsync("list", "shop");
        var setBad = await _sandbox.RunWithInputAsync("new-value-1111", "set", "shop/Db");
        Assert.Equal(planted, File.ReadAllText(_sandbox.StorePath));

        // A write to another record keeps the broken one byte for byte (the file stays merge-friendly).
        var setOther = await _sandbox.RunWithInputAsync("api-value-2222", "set", "shop/Api");

        Assert.True(getBad.ExitCode == 1, getBad.ToString());
        Assert.Empty(getBad.StdoutBytes);
        Assert.Contains("error SSB2014: ", getBad.Stderr, StringComparison.Ordinal);
        Assert.Contains("'shop/Db'", getBad.Stderr, StringComparison.Ordinal);
        Assert.True(getOther.ExitCode == 0, getOther.ToString());
        Assert.Equal("api-value-0000", getOther.Stdout);
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.StartsWith("Api\t1\tV2\tprimary\nDb\t", list.Stdout, StringComparison.Ordinal);
        Assert.Contains("warning SSB2014: ", list.Stderr, StringComparison.Ordinal);
        Assert.Contains("'shop/Db'", list.Stderr, StringComparison.Ordinal);
        Assert.True(setBad.ExitCode == 1, setBad.ToString());
        Assert.Contains("error SSB2014: ", setBad.Stderr, StringComparison.Ordinal);
        Assert.True(setOther.ExitCode == 0, setOther.ToString());
        Assert.Equal(DbRecordText(planted), DbRecordText(File.ReadAllText(_sandbox.StorePath)));
    }

    private static string SetRevision(string storeJson, string name, string revision)
    {
        var record = DbRecordText(storeJson, name);
        var changed = Regex.Replace(record, "\"Revision\": [0-9]+", $"\"Revision\": {revision}");
        Assert.NotEqual(record, changed);
        return storeJson.Replace(record, changed, StringComparison.Ordinal);
    }

    private static string DbRecordText(string storeJson, string name = "Db")
    {
        var match = Regex.Match(storeJson, "\\{[^{}]*\"Name\": \"" + name + "\"[^{}]*\\}");
        Assert.True(match.Success, storeJson);
        return match.Value;
    }
}

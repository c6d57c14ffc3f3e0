namespace Cake.SecretStore.Tests;

/// <summary>
/// Issue 23 item 3.2 through the real Cake runner: <c>SetSecret</c> with an empty, unset or whitespace-only value
/// is SSB2017 and writes nothing unless <c>AllowEmpty</c>; an overwrite logs which revision it replaced.
/// </summary>
[Collection(CakeCollection.Name)]
public sealed class CakeSetSecretTests(AddinFeed feed) : IDisposable
{
    private const string GoodValue = "canary-good-db-6c1f";
    private const string NewValue = "canary-new-db-93ad";

    private const string Script = CakeWorkspace.TryPrelude + """
        Task("Default").Does(() =>
        {
            // An unset CI variable: EnvironmentVariable gives null.
            System.IO.File.WriteAllText("unset.txt", Try(() => SetSecret("Shop", "Db", EnvironmentVariable("NO_SUCH_VARIABLE_7f3a")).Revision.ToString()));
            System.IO.File.WriteAllText("empty.txt", Try(() => SetSecret("Shop", "Db", EnvironmentVariable("EMPTY_VALUE")).Revision.ToString()));
            System.IO.File.WriteAllText("blank.txt", Try(() => SetSecret("Shop", "Db", " \n\t ").Revision.ToString()));
            System.IO.File.WriteAllText("allowed.txt", Try(() => SetSecret("Shop", "Blank", "", new SecretStoreSettings { AllowEmpty = true }).Revision.ToString()));
            System.IO.File.WriteAllText("overwrite.txt", Try(() => SetSecret("Shop", "Db", EnvironmentVariable("NEW_VALUE")).Revision.ToString()));
        });

        RunTarget("Default");
        """;

    private readonly CakeWorkspace _workspace = new(feed);

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public async Task SetSecret_refuses_empty_unset_and_blank_values_with_SSB2017_AllowEmpty_stores_one_and_an_overwrite_logs_the_revisions()
    {
        await _workspace.SeedAsync("Shop", "Db", GoodValue);

        var result = _workspace.RunCake(Script, new Dictionary<string, string> { ["EMPTY_VALUE"] = string.Empty, ["NEW_VALUE"] = NewValue });

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.StartsWith("error:SSB2017: The value given for 'Shop/Db' is empty", _workspace.Read("unset.txt"), StringComparison.Ordinal);
        Assert.StartsWith("error:SSB2017: The value given for 'Shop/Db' is empty", _workspace.Read("empty.txt"), StringComparison.Ordinal);
        Assert.StartsWith("error:SSB2017: The value given for 'Shop/Db' is empty", _workspace.Read("blank.txt"), StringComparison.Ordinal);
        Assert.Equal("ok:1", _workspace.Read("allowed.txt"));
        Assert.Equal("ok:2", _workspace.Read("overwrite.txt"));
        Assert.Equal(string.Empty, await _workspace.ReadSecretAsync("Shop", "Blank"));
        Assert.Equal(NewValue, await _workspace.ReadSecretAsync("Shop", "Db"));
        Assert.Contains("SecretStore: saved Shop/Db (revision 1 -> 2).", result.Output, StringComparison.Ordinal);
        Assert.Contains("SecretStore: saved Shop/Blank (revision 1 (new)).", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(GoodValue, result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(NewValue, result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetSecret_with_KeepRevisions_removes_the_older_revisions_and_below_1_is_SSB0003_writing_nothing()
    {
        const string KeepScript = CakeWorkspace.TryPrelude + """
            Task("Default").Does(() =>
            {
                var keepTwo = new SecretStoreSettings { KeepRevisions = 2 };
                SetSecret("Shop", "Db", "canary-keep-2-5a1e", keepTwo);
                SetSecret("Shop", "Db", "canary-keep-3-5a1e", keepTwo);
                System.IO.File.WriteAllText("zero.txt", Try(() => SetSecret("Shop", "Db", "canary-keep-4-5a1e", new SecretStoreSettings { KeepRevisions = 0 }).Revision.ToString()));
            });

            RunTarget("Default");
            """;
        await _workspace.SeedAsync("Shop", "Db", GoodValue);

        var result = _workspace.RunCake(KeepScript);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal([2L, 3L], (await _workspace.HistoryAsync("Shop", "Db")).Select(r => r.Revision));
        Assert.StartsWith("error:SSB0003: The history retention must keep at least 1 revision", _workspace.Read("zero.txt"), StringComparison.Ordinal);
        Assert.Equal("canary-keep-3-5a1e", await _workspace.ReadSecretAsync("Shop", "Db"));
    }

    [Fact]
    public async Task SetSecret_with_Recipients_writes_one_record_for_every_key_and_a_bad_list_is_a_coded_error_writing_nothing()
    {
        using (var keyring = global::SecretStore.Keys.Rsa.RsaKeyring.Load(_workspace.KeyringPath))
        {
            keyring.AddKey("ci", global::SecretStore.Keys.Rsa.RsaKeyring.MinimumKeySizeInBits);
        }

        const string RecipientsScript = CakeWorkspace.TryPrelude + """
            Task("Default").Does(() =>
            {
                var both = new SecretStoreSettings { Recipients = { "cake-test", "ci" } };
                System.IO.File.WriteAllText("both.txt", string.Join(",", SetSecret("Shop", "Db", "canary-shared-77c1", both).Recipients));
                System.IO.File.WriteAllText("twice.txt", Try(() => SetSecret("Shop", "Db", "canary-twice-77c1", new SecretStoreSettings { Recipients = { "ci", "nobody" } }).Revision.ToString()));
            });

            RunTarget("Default");
            """;

        var result = _workspace.RunCake(RecipientsScript);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal("cake-test,ci", _workspace.Read("both.txt"));
        Assert.StartsWith("error:SSB3001", _workspace.Read("twice.txt"), StringComparison.Ordinal);
        Assert.Equal("canary-shared-77c1", await _workspace.ReadSecretAsync("Shop", "Db"));
        using var store = global::SecretStore.Aws.SecretStoreFactory.Default.Open(new global::SecretStore.Configuration.StoreSettings { FilePath = _workspace.StorePath, KeyringPath = _workspace.KeyringPath });
        Assert.Equal(["cake-test", "ci"], (await store.GetAsync(new global::SecretStore.Secrets.SecretId("Shop", "Db"))).Metadata.Recipients);
        Assert.DoesNotContain("canary-shared-77c1", result.Output, StringComparison.Ordinal);
    }
}

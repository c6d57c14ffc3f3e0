using SecretStore.Cli.Tests.Infrastructure;
using SecretStore.Repositories;
using SecretStore.Repositories.File;
using SecretStore.Secrets;

namespace SecretStore.Cli.Tests.Commands;

public sealed class ImportAndRewrapCommandTests : IDisposable
{
    private readonly FileStoreSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Import_of_a_reference_json_array_keeps_records_byte_for_byte_and_they_decrypt()
    {
        var records = await ReferenceRecords.ProtectAsync(_sandbox.KeyringPath, ProtectedSecretFormat.V1, ("legacy", "Db", "reference-db-value"), ("legacy", "Api", "reference-api-value"));
        _sandbox.Folder.Write("export.json", ReferenceRecords.ToJsonArray(records));

        var import = await _sandbox.RunAsync("import", "export.json", "--allow-v1");

        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.Equal("legacy/Db\timported\trevision 1\tV1\tprimary\nlegacy/Api\timported\trevision 1\tV1\tprimary\n", import.Stdout);
        var repository = new FileSecretRepository(_sandbox.StorePath);
        foreach (var record in records)
        {
            ReferenceRecords.AssertSameProtectedBytes(record, await repository.GetAsync(record.Id));
        }

        var get = await _sandbox.RunAsync("get", "legacy/Db", "--allow-v1");
        Assert.Equal(ReferenceRecords.Utf8("reference-db-value"), get.StdoutBytes);

        // Importing the same file again changes nothing; other content is refused without --overwrite.
        var again = await _sandbox.RunAsync("import", "export.json", "--allow-v1");
        Assert.Equal("legacy/Db\tunchanged\nlegacy/Api\tunchanged\n", again.Stdout);
        Assert.Equal(0, (await _sandbox.RunWithInputAsync("changed-value", "set", "legacy/Db", "--allow-v1")).ExitCode);
        var refused = await _sandbox.RunAsync("import", "export.json", "--allow-v1");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("error SSB2002: Secret 'legacy/Db' already exists", refused.Stderr, StringComparison.Ordinal);
        var overwritten = await _sandbox.RunAsync("import", "export.json", "--overwrite", "--allow-v1");
        Assert.True(overwritten.ExitCode == 0, overwritten.ToString());
        ReferenceRecords.AssertSameProtectedBytes(records[0], await repository.GetAsync(records[0].Id));
        ValueScanner.AssertNoValue(import.Stdout + import.Stderr + refused.Stderr + overwritten.Stdout, "import output", "reference-db-value", "reference-api-value", "changed-value");
    }

    [Fact]
    public async Task Import_keeps_the_revisions_of_the_source_and_never_moves_a_stored_one_backwards()
    {
        // The source: a store file whose shop/Db is at revision 3 and shop/Api at revision 1.
        foreach (var value in new[] { "db-one", "db-two", "db-three" })
        {
            await _sandbox.SetAsync("shop/Db", value);
        }

        await _sandbox.SetAsync("shop/Api", "api-one");
        File.Copy(_sandbox.StorePath, _sandbox.Folder.Combine("export.json"));
        var target = new Dictionary<string, string> { ["SECRETSTORE_STORE"] = "file:" + _sandbox.Folder.Combine("target.json") };

        var import = await _sandbox.RunWithEnvironmentAsync(target, "import", "export.json");

        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.Equal("shop/Api\timported\trevision 1\tV2\tprimary\nshop/Db\timported\trevision 3\tV2\tprimary\n", import.Stdout);
        var get = await _sandbox.RunWithEnvironmentAsync(target, "get", "shop/Db");
        Assert.Equal("db-three"u8.ToArray(), get.StdoutBytes);

        // The target moved on past the source: the delete is revision 4 (history keeps it, issue 17) and the sets are
        // 5 to 9, so an overwrite is revision 10, not the source's 3 again, and a writer guarding on 3 or 9 fails
        // instead of matching a rolled-back number.
        await _sandbox.RunWithEnvironmentAsync(target, "delete", "shop/Db");
        foreach (var value in new[] { "t1", "t2", "t3", "t4", "t5" })
        {
            var set = await CliProcess.RunAsync(_sandbox.Folder.Path, ["set", "shop/Db"], new Dictionary<string, string>(_sandbox.Environment) { ["SECRETSTORE_STORE"] = target["SECRETSTORE_STORE"] }, System.Text.Encoding.UTF8.GetBytes(value));
            Assert.True(set.ExitCode == 0, set.ToString());
        }

        var overwrite = await _sandbox.RunWithEnvironmentAsync(target, "import", "export.json", "--overwrite");

        Assert.True(overwrite.ExitCode == 0, overwrite.ToString());
        Assert.Contains("shop/Db\timported\trevision 10\t", overwrite.Stdout, StringComparison.Ordinal);
        Assert.Contains("shop/Api\tunchanged\n", overwrite.Stdout, StringComparison.Ordinal);
        ValueScanner.AssertNoValue(import.Stdout + import.Stderr + overwrite.Stdout + overwrite.Stderr, "import output", "db-three", "api-one");
    }

    [Fact]
    public async Task Import_of_an_aws_dynamodb_scan_dump_keeps_v1_and_v2_records_and_bad_json_is_SSB2004()
    {
        var v1 = await ReferenceRecords.ProtectAsync(_sandbox.KeyringPath, ProtectedSecretFormat.V1, ("legacy", "Old", "old-format-value"));
        var v2 = await ReferenceRecords.ProtectAsync(_sandbox.KeyringPath, ProtectedSecretFormat.V2, ("legacy", "New", "new-format-value"));
        _sandbox.Folder.Write("scan.json", ReferenceRecords.ToScanDump([.. v1, .. v2]));

        var import = await _sandbox.RunAsync("import", "scan.json", "--allow-v1");

        Assert.True(import.ExitCode == 0, import.ToString());
        var repository = new FileSecretRepository(_sandbox.StorePath);
        ReferenceRecords.AssertSameProtectedBytes(v1[0], await repository.GetAsync(v1[0].Id));
        ReferenceRecords.AssertSameProtectedBytes(v2[0], await repository.GetAsync(v2[0].Id));
        var get = await _sandbox.RunAsync("get", "legacy/New");
        Assert.Equal(ReferenceRecords.Utf8("new-format-value"), get.StdoutBytes);

        _sandbox.Folder.Write("bad.json", "{\"Items\": [ {\"ApplicationName\": {\"S\": \"a\"}, ");
        var bad = await _sandbox.RunAsync("import", "bad.json");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("bad.json(1,", bad.Stderr, StringComparison.Ordinal);
        Assert.Contains("error SSB2004", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rewrap_turns_v1_into_v2_and_moves_to_a_new_key_without_showing_values()
    {
        var v1 = await ReferenceRecords.ProtectAsync(_sandbox.KeyringPath, ProtectedSecretFormat.V1, ("legacy", "Db", "rewrap-me-value"), ("legacy", "Api", "rewrap-api-value"));
        _sandbox.Folder.Write("export.json", ReferenceRecords.ToJsonArray(v1));
        Assert.Equal(0, (await _sandbox.RunAsync("import", "export.json", "--allow-v1")).ExitCode);

        var dryRun = await _sandbox.RunAsync("rewrap", "legacy", "--dry-run");
        Assert.Equal("legacy/Api\twould rewrap\tV1 primary -> V2 primary\trevision 1\nlegacy/Db\twould rewrap\tV1 primary -> V2 primary\trevision 1\n", dryRun.Stdout);

        var rewrap = await _sandbox.RunAsync("rewrap", "legacy", "--allow-v1");
        Assert.True(rewrap.ExitCode == 0, rewrap.ToString());
        Assert.Equal("legacy/Api\trewrapped\tV1 primary -> V2 primary\trevision 2\nlegacy/Db\trewrapped\tV1 primary -> V2 primary\trevision 2\n", rewrap.Stdout);

        using (var keyring = SecretStore.Keys.Rsa.RsaKeyring.Load(_sandbox.KeyringPath))
        {
            keyring.AddKey("next", 2048);
        }

        var move = await _sandbox.RunAsync("rewrap", "legacy", "--key-id", "next", "--name", "Db");
        Assert.True(move.ExitCode == 0, move.ToString());
        Assert.Equal("legacy/Db\trewrapped\tV2 primary -> V2 next\trevision 3\n", move.Stdout);

        var list = await _sandbox.RunAsync("list", "legacy");
        Assert.Equal("Api\t2\tV2\tprimary\nDb\t3\tV2\tnext\n", list.Stdout);
        var get = await _sandbox.RunAsync("get", "legacy/Db");
        Assert.Equal(ReferenceRecords.Utf8("rewrap-me-value"), get.StdoutBytes);
        var record = await new FileSecretRepository(_sandbox.StorePath).GetAsync(new SecretId("legacy", "Db"));
        Assert.Null(record!.ProtectedSecretValue);
        ValueScanner.AssertNoValue(dryRun.Stdout + rewrap.Stdout + rewrap.Stderr + move.Stdout + move.Stderr, "rewrap output", "rewrap-me-value", "rewrap-api-value");
    }
}

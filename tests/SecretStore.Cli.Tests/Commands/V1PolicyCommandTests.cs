using SecretStore.Cli.Tests.Infrastructure;
using SecretStore.Repositories;
using SecretStore.Repositories.File;
using SecretStore.Secrets;
using SecretStore.Testing.Records;

namespace SecretStore.Cli.Tests.Commands;

/// <summary>Issue 12 item 2 through the real tool: v1 is refused by default, and with --allow-v1 every failure reads the same.</summary>
public sealed class V1PolicyCommandTests : IDisposable
{
    private const string Value = "hunter2-v1";
    private static readonly SecretId Db = new("legacy", "Db");
    private readonly FileStoreSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task V1_record_is_refused_by_get_verify_resolve_and_set_with_SSB2009_naming_it_and_allow_v1()
    {
        await V1Rows.PlantAsync(_sandbox.StorePath, _sandbox.KeyringPath, Db, Value);
        var config = _sandbox.Folder.Write("site/appsettings.json", "{\"Db\":\"#{secret:legacy/Db}\"}");
        var before = File.ReadAllBytes(_sandbox.StorePath);

        var get = await _sandbox.RunAsync("get", "legacy/Db");
        var verify = await _sandbox.RunAsync("verify", "site/appsettings.json");
        var resolve = await _sandbox.RunAsync("resolve", "site/appsettings.json");
        var set = await _sandbox.RunWithInputAsync("new-value", "set", "legacy/Db");
        var list = await _sandbox.RunAsync("list", "legacy");

        foreach (var refused in new[] { get, verify, resolve, set })
        {
            Assert.True(refused.ExitCode == 1, refused.ToString());
            Assert.Contains("error SSB2009: ", refused.Stderr, StringComparison.Ordinal);
            Assert.Contains("Secret 'legacy/Db' is ", refused.Stderr, StringComparison.Ordinal);
            Assert.Contains("--allow-v1 (SECRETSTORE_ALLOW_V1=true", refused.Stderr, StringComparison.Ordinal);
        }

        // list reads no value, so it shows the v1 row for what it is.
        Assert.Equal("Db\t1\tV1\tprimary\n", list.Stdout);
        Assert.Contains("#{secret:legacy/Db}", File.ReadAllText(config), StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(_sandbox.StorePath));
        ValueScanner.AssertNoValue(get.Stderr + verify.Stderr + resolve.Stderr + set.Stderr, "refusals", Value);

        var allowed = await _sandbox.RunAsync("get", "legacy/Db", "--allow-v1");
        Assert.True(allowed.ExitCode == 0, allowed.ToString());
        Assert.Equal(Value, allowed.Stdout);
    }

    [Fact]
    public async Task Padding_oracle_attempt_on_the_last_cbc_block_gives_byte_identical_stderr_with_allow_v1()
    {
        var original = await V1Rows.PlantAsync(_sandbox.StorePath, _sandbox.KeyringPath, Db, Value);
        _sandbox.Folder.Write("appsettings.json", "{\"Db\":\"#{secret:legacy/Db}\"}");
        var outputs = new List<ProcessResult>();
        foreach (var tampering in new[] { V1Tampering.BadPadding, V1Tampering.BadUtf8 })
        {
            await V1Rows.ReplaceAsync(_sandbox.StorePath, V1Rows.TamperLastBlock(original, Value, tampering));
            outputs.Add(await _sandbox.RunAsync("get", "legacy/Db", "--allow-v1"));
            outputs.Add(await _sandbox.RunAsync("verify", "appsettings.json", "--allow-v1"));
        }

        Assert.All(outputs, o => Assert.Equal(1, o.ExitCode));
        Assert.All(outputs, o => Assert.Contains("SSB3002", o.Stderr, StringComparison.Ordinal));
        Assert.Equal(outputs[0].Stderr, outputs[2].Stderr);
        Assert.Equal(outputs[1].Stderr, outputs[3].Stderr);
        Assert.Equal(outputs[0].StdoutBytes, outputs[2].StdoutBytes);
    }

    [Theory]
    [InlineData("1")]
    [InlineData(" YES ")]
    [InlineData("true")]
    public async Task Allow_v1_environment_variable_accepts_the_documented_spellings(string text)
    {
        await V1Rows.PlantAsync(_sandbox.StorePath, _sandbox.KeyringPath, Db, Value);

        var result = await _sandbox.RunWithEnvironmentAsync(new Dictionary<string, string> { ["SECRETSTORE_ALLOW_V1"] = text }, "get", "legacy/Db");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(Value, result.Stdout);
    }

    [Theory]
    [InlineData("maybe")]
    [InlineData("ture")]
    [InlineData("2")]
    public async Task Allow_v1_environment_variable_that_is_not_a_boolean_is_a_usage_error_naming_it(string text)
    {
        await V1Rows.PlantAsync(_sandbox.StorePath, _sandbox.KeyringPath, Db, Value);

        var result = await _sandbox.RunWithEnvironmentAsync(new Dictionary<string, string> { ["SECRETSTORE_ALLOW_V1"] = text }, "get", "legacy/Db");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Empty(result.StdoutBytes);
        Assert.Contains($"error SSB0001: SECRETSTORE_ALLOW_V1 is '{text.Trim()}', which is not a boolean; use true/false, 1/0 or yes/no", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Allow_optional_environment_variable_parses_strictly_too()
    {
        await _sandbox.SetAsync("shop/Db", "db-value");
        _sandbox.Folder.Write("appsettings.json", "{\"Db\":\"#{secret:shop/Db}\",\"X\":\"#{secret:shop/Missing|optional}\"}");

        var no = await _sandbox.RunWithEnvironmentAsync(new Dictionary<string, string> { ["SECRETSTORE_ALLOW_OPTIONAL"] = "no" }, "verify", "appsettings.json");
        var bad = await _sandbox.RunWithEnvironmentAsync(new Dictionary<string, string> { ["SECRETSTORE_ALLOW_OPTIONAL"] = "nope" }, "verify", "appsettings.json");

        Assert.True(no.ExitCode == 1, no.ToString());
        Assert.Contains("SSB2001", no.Stderr, StringComparison.Ordinal);
        Assert.True(bad.ExitCode == 2, bad.ToString());
        Assert.Contains("SECRETSTORE_ALLOW_OPTIONAL is 'nope'", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_of_v1_records_needs_allow_v1_and_imports_nothing_without_it()
    {
        var records = await ReferenceRecords.ProtectAsync(_sandbox.KeyringPath, ProtectedSecretFormat.V1, ("legacy", "Db", Value));
        var v2 = await ReferenceRecords.ProtectAsync(_sandbox.KeyringPath, ProtectedSecretFormat.V2, ("legacy", "New", "new-value"));
        _sandbox.Folder.Write("export.json", ReferenceRecords.ToJsonArray([.. records, .. v2]));

        var refused = await _sandbox.RunAsync("import", "export.json");

        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Contains("error SSB2009: Secret 'legacy/Db' is a v1 record", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("--allow-v1", refused.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_sandbox.StorePath));

        var imported = await _sandbox.RunAsync("import", "export.json", "--allow-v1");
        Assert.True(imported.ExitCode == 0, imported.ToString());
        ReferenceRecords.AssertSameProtectedBytes(records[0], await new FileSecretRepository(_sandbox.StorePath).GetAsync(Db));
    }
}

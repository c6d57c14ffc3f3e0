using SecretStore.Cli.Tests.Infrastructure;
using SecretStore.Repositories;
using SecretStore.Repositories.File;
using SecretStore.Secrets;
using SecretStore.Testing.Records;

namespace SecretStore.Cli.Tests.Commands;

/// <summary>
/// Issue 23 item 3.1: a store writer tampers with v1 rows (not bound to their id; IV not covered by anything) and the
/// documented migration would sign the planted value into a trusted v2 record. rewrap and import refuse instead.
/// </summary>
public sealed class MigrationLaunderingCommandTests : IDisposable
{
    private const string ProdValue = "prod-db-password-81f0";
    private const string StagingValue = "staging-db-password-2c9b";

    // The first CBC block is "limit=1000;acct=": flipping IV byte 6 turns the '1' into a '9' without any error.
    private const string LimitValue = "limit=1000;acct=42";
    private static readonly SecretId Prod = new("shop", "Prod");
    private static readonly SecretId Staging = new("shop", "Staging");
    private static readonly SecretId Limit = new("shop", "Limit");
    private readonly FileStoreSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Rewrap_refuses_a_v1_row_copied_into_another_id_with_SSB2012_naming_both_and_writes_nothing()
    {
        var prod = await V1Rows.PlantAsync(_sandbox.StorePath, _sandbox.KeyringPath, Prod, ProdValue);
        await V1Rows.PlantAsync(_sandbox.StorePath, _sandbox.KeyringPath, Staging, StagingValue);

        // The attack: shop/Prod's v1 fields copied over shop/Staging. The copy decrypts as shop/Staging.
        await V1Rows.ReplaceAsync(_sandbox.StorePath, prod with { Id = Staging });
        var planted = await _sandbox.RunAsync("get", "shop/Staging", "--allow-v1");
        Assert.Equal(ProdValue, planted.Stdout);
        var before = File.ReadAllBytes(_sandbox.StorePath);

        var rewrap = await _sandbox.RunAsync("rewrap", "shop", "--allow-v1");
        var onlyStaging = await _sandbox.RunAsync("rewrap", "shop", "--allow-v1", "--name", "Staging");
        var dryRun = await _sandbox.RunAsync("rewrap", "shop", "--allow-v1", "--dry-run");

        foreach (var refused in new[] { rewrap, onlyStaging, dryRun })
        {
            Assert.True(refused.ExitCode == 1, refused.ToString());
            Assert.Empty(refused.StdoutBytes);
            Assert.Contains("error SSB2012: The v1 rows 'shop/Prod', 'shop/Staging' share one wrapped document key and one ciphertext", refused.Stderr, StringComparison.Ordinal);
            ValueScanner.AssertNoValue(refused, ProdValue, StagingValue);
        }

        Assert.Equal(before, File.ReadAllBytes(_sandbox.StorePath));
    }

    [Fact]
    public async Task Import_of_v1_rows_sharing_a_wrapped_key_is_SSB2012_naming_all_of_them_and_imports_nothing()
    {
        var records = await ReferenceRecords.ProtectAsync(_sandbox.KeyringPath, ProtectedSecretFormat.V1, ("shop", "Prod", ProdValue), ("shop", "Other", "other-value-5d3e"));
        var copy = records[0] with { Id = Staging };
        _sandbox.Folder.Write("export.json", ReferenceRecords.ToJsonArray([.. records, copy]));

        var import = await _sandbox.RunAsync("import", "export.json", "--allow-v1");

        Assert.True(import.ExitCode == 1, import.ToString());
        Assert.Contains("error SSB2012: The v1 rows 'shop/Prod', 'shop/Staging' share one", import.Stderr, StringComparison.Ordinal);
        Assert.Contains("export.json", import.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("shop/Other", import.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_sandbox.StorePath));
    }

    [Fact]
    public async Task Rewrap_compare_with_a_trusted_copy_refuses_a_flipped_IV_with_SSB2013_and_writes_nothing()
    {
        await V1Rows.PlantAsync(_sandbox.StorePath, _sandbox.KeyringPath, Limit, LimitValue);
        await V1Rows.PlantAsync(_sandbox.StorePath, _sandbox.KeyringPath, Prod, ProdValue);
        var trusted = _sandbox.Folder.Combine("trusted.json");
        File.Copy(_sandbox.StorePath, trusted);

        // The attack: the IV's byte 6 flipped. The row still decrypts, to "limit=9000;acct=42".
        var row = (await new FileSecretRepository(_sandbox.StorePath).GetAsync(Limit))!;
        var iv = row.InitialisationVector!.ToArray();
        iv[6] ^= (byte)('1' ^ '9');
        await V1Rows.ReplaceAsync(_sandbox.StorePath, row with { InitialisationVector = iv });
        var planted = await _sandbox.RunAsync("get", "shop/Limit", "--allow-v1");
        Assert.Equal("limit=9000;acct=42", planted.Stdout);
        var before = File.ReadAllBytes(_sandbox.StorePath);

        var rewrap = await _sandbox.RunAsync("rewrap", "shop", "--allow-v1", "--compare-with", "trusted.json");

        Assert.True(rewrap.ExitCode == 1, rewrap.ToString());
        Assert.Empty(rewrap.StdoutBytes);
        Assert.Contains($"{trusted}: error SSB2013: The v1 row 'shop/Limit' differs from the trusted copy in InitialisationVector", rewrap.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("'shop/Prod'", rewrap.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(_sandbox.StorePath));
        ValueScanner.AssertNoValue(rewrap, LimitValue, "limit=9000;acct=42", ProdValue);

        // An untampered row converts against the same copy and is reported; a row the copy lacks is refused.
        var prodOnly = await _sandbox.RunAsync("rewrap", "shop", "--allow-v1", "--compare-with", "trusted.json", "--name", "Prod");
        Assert.True(prodOnly.ExitCode == 0, prodOnly.ToString());
        Assert.Equal("shop/Prod\trewrapped\tV1 primary -> V2 primary\trevision 2\n", prodOnly.Stdout);
        await V1Rows.PlantAsync(_sandbox.StorePath, _sandbox.KeyringPath, Staging, StagingValue);
        var absent = await _sandbox.RunAsync("rewrap", "shop", "--allow-v1", "--compare-with", "trusted.json", "--name", "Staging");
        Assert.True(absent.ExitCode == 1, absent.ToString());
        Assert.Contains("error SSB2013: The v1 row 'shop/Staging' is absent from the trusted copy", absent.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rewrap_compare_with_a_missing_trusted_copy_is_SSB2011_even_when_no_v1_row_is_left()
    {
        var set = await _sandbox.RunWithInputAsync(ProdValue, "set", "shop/Prod");
        Assert.True(set.ExitCode == 0, set.ToString());
        var missing = _sandbox.Folder.Combine("trusted-misspelt.json");

        var rewrap = await _sandbox.RunAsync("rewrap", "shop", "--compare-with", missing);

        Assert.True(rewrap.ExitCode == 1, rewrap.ToString());
        Assert.Contains("error SSB2011", rewrap.Stderr, StringComparison.Ordinal);
        Assert.Contains(missing, rewrap.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(missing));
    }

    [Theory]
    [InlineData("symlink")]
    [InlineData("hardlink")]
    [InlineData("linked-folder")]
    [InlineData("/dev/stdin")]
    [InlineData("the-store")]
    public async Task A_trusted_copy_that_is_the_store_itself_a_link_or_a_device_is_refused_with_SSB2013(string kind)
    {
        // Red team: --compare-with pointing at the store (or a committed link to it) made every tampered row "match",
        // and a flipped IV was signed into a v2 record.
        await V1Rows.PlantAsync(_sandbox.StorePath, _sandbox.KeyringPath, Limit, LimitValue);
        var row = (await new FileSecretRepository(_sandbox.StorePath).GetAsync(Limit))!;
        var iv = row.InitialisationVector!.ToArray();
        iv[6] ^= (byte)('1' ^ '9');
        await V1Rows.ReplaceAsync(_sandbox.StorePath, row with { InitialisationVector = iv });
        var before = File.ReadAllBytes(_sandbox.StorePath);
        var copy = kind switch
        {
            "symlink" => File.CreateSymbolicLink(_sandbox.Folder.Combine("trusted.json"), _sandbox.StorePath).FullName,
            "hardlink" => await HardLinkAsync(_sandbox.StorePath, _sandbox.Folder.Combine("trusted.json")),
            "linked-folder" => Path.Combine(Directory.CreateSymbolicLink(_sandbox.Folder.Combine("trusted"), _sandbox.Folder.Path).FullName, Path.GetFileName(_sandbox.StorePath)),
            "the-store" => _sandbox.StorePath,
            _ => kind,
        };

        var rewrap = await _sandbox.RunAsync("rewrap", "shop", "--allow-v1", "--compare-with", copy);

        Assert.True(rewrap.ExitCode == 1, rewrap.ToString());
        Assert.Empty(rewrap.StdoutBytes);
        Assert.Contains("error SSB2013: The trusted copy ", rewrap.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(_sandbox.StorePath));
        ValueScanner.AssertNoValue(rewrap, LimitValue, "limit=9000;acct=42");
    }

    [Fact]
    public async Task A_v1_row_copied_from_one_already_rewrapped_is_caught_by_compare_with()
    {
        // Red team: after "rewrap --name Prod", Prod's old v1 row (from git history) copied over Staging shares nothing
        // with any row still v1, so the duplicate check cannot see it; the trusted copy taken before the migration does.
        var prod = await V1Rows.PlantAsync(_sandbox.StorePath, _sandbox.KeyringPath, Prod, ProdValue);
        await V1Rows.PlantAsync(_sandbox.StorePath, _sandbox.KeyringPath, Staging, StagingValue);
        var trusted = _sandbox.Folder.Combine("trusted.json");
        File.Copy(_sandbox.StorePath, trusted);
        var first = await _sandbox.RunAsync("rewrap", "shop", "--allow-v1", "--name", "Prod", "--compare-with", "trusted.json");
        Assert.True(first.ExitCode == 0, first.ToString());

        await V1Rows.ReplaceAsync(_sandbox.StorePath, prod with { Id = Staging });
        var before = File.ReadAllBytes(_sandbox.StorePath);

        var rewrap = await _sandbox.RunAsync("rewrap", "shop", "--allow-v1", "--compare-with", "trusted.json");

        Assert.True(rewrap.ExitCode == 1, rewrap.ToString());
        Assert.Contains("error SSB2013: The v1 row 'shop/Staging' differs from the trusted copy", rewrap.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(_sandbox.StorePath));
        ValueScanner.AssertNoValue(rewrap, ProdValue, StagingValue);
    }

    private static async Task<string> HardLinkAsync(string target, string link)
    {
        var ln = await CliProcess.RunProcessAsync("ln", [target, link], Path.GetDirectoryName(link)!);
        Assert.True(ln.ExitCode == 0, ln.ToString());
        return link;
    }
}

using System.Text;
using SecretStore.Cli.Tests.Infrastructure;
using SecretStore.Testing.Aws.DynamoDb;

namespace SecretStore.Cli.Tests.DynamoDb;

/// <summary>
/// Issue 23 section 2 through the tool: a table writer holding a second KMS key that the reader may decrypt with
/// plants a record under it; the reader, which expects key A, refuses it before KMS Decrypt.
/// </summary>
public sealed class MasterKeyAllowListCommandTests(DynamoDbStoreFixture fixture) : IClassFixture<DynamoDbStoreFixture>, IDisposable
{
    private const string Planted = "planted-by-the-table-writer-7f3";
    private readonly TempDirectory _folder = new();
    private readonly string _table = DynamoDbLocal.UniqueTableName("allow");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Record_planted_under_a_second_KMS_key_is_refused_by_get_and_resolve_with_SSB3012_and_no_Decrypt()
    {
        var (expected, foreign) = await PlantAsync();
        var json = _folder.Write("appsettings.json", "{\"Db\": \"#{secret:shop/Db}\"}");
        var before = File.ReadAllText(json);
        fixture.Kms.ResetCounters();

        var get = await RunAsync(null, [expected.Arn], "get", "shop/Db");
        var resolve = await RunAsync(null, [], "resolve", "appsettings.json", "--allowed-key-id", expected.Arn);

        foreach (var result in new[] { get, resolve })
        {
            Assert.True(result.ExitCode == 1, result.ToString());
            Assert.Contains("SSB3012", result.Stderr, StringComparison.Ordinal);
            Assert.Contains(foreign.Arn, result.Stderr, StringComparison.Ordinal);
            ValueScanner.AssertNoValue(result.ToString(), "output", Planted);
        }

        Assert.Empty(get.StdoutBytes);
        Assert.Equal(before, File.ReadAllText(json));
        Assert.Equal(0, fixture.Kms.RequestCount("Decrypt"));
    }

    [Fact]
    public async Task List_warns_SSB3012_for_a_record_under_a_key_outside_the_allow_list()
    {
        var (expected, foreign) = await PlantAsync();

        var list = await RunAsync(null, [expected.AliasName!], "list", "shop");

        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Equal($"Db\t1\tV2\t{foreign.Arn}\n", list.Stdout);
        Assert.Contains("SSB3012", list.Stderr, StringComparison.Ordinal);
        Assert.Contains("'shop/Db'", list.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_from_DynamoDB_with_no_allowed_key_is_refused_with_SSB3013_naming_both_settings()
    {
        await PlantAsync();
        fixture.Kms.ResetCounters();

        var get = await RunAsync(null, [], "get", "shop/Db");

        Assert.True(get.ExitCode == 1, get.ToString());
        Assert.Contains("SSB3013", get.Stderr, StringComparison.Ordinal);
        Assert.Contains("--allowed-key-id", get.Stderr, StringComparison.Ordinal);
        Assert.Contains("SECRETSTORE_ALLOWED_KEY_IDS", get.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, fixture.Kms.RequestCount("Decrypt"));
    }

    [Fact]
    public async Task Allowed_key_ids_from_the_environment_admit_the_record_comma_separated()
    {
        var (expected, foreign) = await PlantAsync();

        var get = await RunAsync(null, [expected.Arn + ", " + foreign.AliasName], "get", "shop/Db");

        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal(Encoding.UTF8.GetBytes(Planted), get.StdoutBytes);
    }

    /// <summary>The table writer's side: a table and one record written (by the tool) under the foreign key.</summary>
    private async Task<(Testing.Aws.Kms.FixtureKey Expected, Testing.Aws.Kms.FixtureKey Foreign)> PlantAsync()
    {
        var expected = fixture.Kms.CreateKey("expected-" + Guid.NewGuid().ToString("N")[..8]);
        var foreign = fixture.Kms.CreateKey("foreign-" + Guid.NewGuid().ToString("N")[..8]);
        var create = await RunAsync(null, [], "table", "create");
        Assert.True(create.ExitCode == 0, create.ToString());
        var set = await RunAsync(Encoding.UTF8.GetBytes(Planted), [], "set", "shop/Db", "--key-id", foreign.Arn);
        Assert.True(set.ExitCode == 0, set.ToString());
        return (expected, foreign);
    }

    private Task<ProcessResult> RunAsync(byte[]? stdin, string[] allowedKeyIds, params string[] args) =>
        CliProcess.RunAsync(_folder.Path, args, fixture.Environment(_table, allowedKeyIds.Length == 0 ? null : [string.Join(",", allowedKeyIds)]), stdin);
}

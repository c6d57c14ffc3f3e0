using System.Text;
using SecretStore.Cli.Tests.Infrastructure;
using SecretStore.Testing.Processes;
using SecretStore.Testing.Aws.DynamoDb;
using SecretStore.Testing.Logs;

namespace SecretStore.Cli.Tests.DynamoDb;

/// <summary><c>run</c> and <c>export</c> against DynamoDB Local and the KMS fixture: the same selection, names and values as from the file store.</summary>
public sealed class DynamoDbVariableCommandTests(DynamoDbStoreFixture fixture) : IClassFixture<DynamoDbStoreFixture>, IDisposable
{
    private const string DbValue = "Server=dynamo;Password=it's \"$x\" \\ ;]%\nsecond line";
    private const string TokenValue = "kms-tok-Cnry-98765";
    private readonly TempDirectory _folder = new();
    private readonly string _table = DynamoDbLocal.UniqueTableName("cli-vars");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Run_hands_the_DynamoDB_secrets_to_the_child_and_export_writes_them_for_the_runner()
    {
        var key = fixture.Kms.CreateKey("cli-vars-" + Guid.NewGuid().ToString("N")[..8]);
        Assert.Equal(0, (await RunAsync(null, "table", "create")).ExitCode);
        foreach (var (name, value) in new[] { ("shop/ConnectionStrings.Default", DbValue), ("shop/Api.Token", TokenValue) })
        {
            var set = await RunAsync(Encoding.UTF8.GetBytes(value), "set", name, "--key-id", key.AliasName!);
            Assert.True(set.ExitCode == 0, set.ToString());
        }

        var probeFolder = Directory.CreateDirectory(_folder.Combine("probe")).FullName;
        var probe = new EnvProbe(probeFolder);
        var run = await RunAsync(null, ["run", "--app", "shop", "--map", "DB=shop/ConnectionStrings.Default", "--", .. probe.Command("exit:3", "ConnectionStrings__Default", "Api__Token", "DB")]);

        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Equal(EnvProbe.Hash(DbValue), EnvProbe.Reported(run.Stdout, "ConnectionStrings__Default"));
        Assert.Equal(EnvProbe.Hash(DbValue), EnvProbe.Reported(run.Stdout, "DB"));
        Assert.Equal(EnvProbe.Hash(TokenValue), EnvProbe.Reported(run.Stdout, "Api__Token"));

        var envFile = _folder.Combine("github_env");
        var export = await RunAsync(null, "export", "--app", "shop", "--format", "github-env", "--output", envFile, "--append");
        Assert.True(export.ExitCode == 0, export.ToString());
        var variables = GitHubEnvFileParser.Parse(await File.ReadAllTextAsync(envFile));
        Assert.Equal(DbValue, variables["ConnectionStrings__Default"]);
        Assert.Equal(TokenValue, variables["Api__Token"]);

        var missing = await RunAsync(null, ["run", "--map", "X=shop/Missing", "--", .. probe.Command("exit:0")]);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("error SSB2001", missing.Stderr, StringComparison.Ordinal);

        foreach (var result in new[] { run, export, missing })
        {
            ValueScanner.AssertNoValue(result, DbValue, TokenValue, "second line");
        }
    }

    private Task<ProcessResult> RunAsync(byte[]? stdin, params string[] args) =>
        CliProcess.RunAsync(_folder.Path, args, fixture.Environment(_table, fixture.Kms.AllKeyIds()), stdin);
}

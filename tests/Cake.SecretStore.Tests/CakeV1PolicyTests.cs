using SecretStore.Secrets;
using SecretStore.Testing.Records;

namespace Cake.SecretStore.Tests;

/// <summary>
/// Issue 12 items 2 and 13 and issue 23 item 1.3 through the real Cake runner: v1 is refused by default and read
/// with <c>AllowV1</c> or <c>SECRETSTORE_ALLOW_V1</c> (parsed strictly); a missing store file is SSB2011.
/// </summary>
[Collection(CakeCollection.Name)]
public sealed class CakeV1PolicyTests(AddinFeed feed) : IDisposable
{
    private const string Value = "canary-legacy-v1-4b7e";

    private const string Script = CakeWorkspace.TryPrelude + """
        Task("Default").Does(() =>
        {
            System.IO.File.WriteAllText("default.txt", Try(() => GetSecret("Legacy", "Db") == EnvironmentVariable("EXPECTED") ? "same" : "different"));
            System.IO.File.WriteAllText("resolve.txt", Try(() => ResolveSecrets("./publish/appsettings.json").FilesWritten.ToString()));
            System.IO.File.WriteAllText("allowed.txt", Try(() => GetSecret("Legacy", "Db", new SecretStoreSettings { AllowV1 = true }) == EnvironmentVariable("EXPECTED") ? "same" : "different"));
            System.IO.File.WriteAllText("missing.txt", Try(() => GetSecret("Legacy", "Db", new SecretStoreSettings { StoreFile = "./.secretstore/none.json" })));
        });

        RunTarget("Default");
        """;

    private readonly CakeWorkspace _workspace = new(feed);

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public async Task V1_record_is_refused_with_SSB2009_by_default_AllowV1_reads_it_and_a_missing_store_file_is_SSB2011()
    {
        await V1Rows.PlantAsync(_workspace.StorePath, _workspace.KeyringPath, new SecretId("Legacy", "Db"), Value);
        _workspace.Write("publish/appsettings.json", """{ "Db": "#{secret:Legacy/Db}" }""");

        var result = _workspace.RunCake(Script, new Dictionary<string, string> { ["EXPECTED"] = Value });

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.StartsWith("error:SSB2009: Secret 'Legacy/Db' is a v1 record", _workspace.Read("default.txt"), StringComparison.Ordinal);
        Assert.Contains("Cake AllowV1 = true", _workspace.Read("default.txt"), StringComparison.Ordinal);
        Assert.Contains("error SSB2009", _workspace.Read("resolve.txt"), StringComparison.Ordinal);
        Assert.Contains("#{secret:Legacy/Db}", _workspace.Read("publish/appsettings.json"), StringComparison.Ordinal);
        Assert.Equal("ok:same", _workspace.Read("allowed.txt"));
        var missing = Path.Combine(_workspace.Root, ".secretstore", "none.json");
        Assert.StartsWith($"error:SSB2011: The secret store file '{missing}' does not exist", _workspace.Read("missing.txt"), StringComparison.Ordinal);
        Assert.DoesNotContain(Value, result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("maybe", "error:SSB0001: SECRETSTORE_ALLOW_V1 is 'maybe', which is not a boolean")]
    [InlineData("1", "ok:same")]
    public async Task SECRETSTORE_ALLOW_V1_is_parsed_strictly(string text, string expected)
    {
        await V1Rows.PlantAsync(_workspace.StorePath, _workspace.KeyringPath, new SecretId("Legacy", "Db"), Value);
        _workspace.Write("publish/appsettings.json", """{ "Db": "#{secret:Legacy/Db}" }""");

        var result = _workspace.RunCake(Script, new Dictionary<string, string> { ["EXPECTED"] = Value, ["SECRETSTORE_ALLOW_V1"] = text });

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.StartsWith(expected, _workspace.Read("default.txt"), StringComparison.Ordinal);
        Assert.DoesNotContain(Value, result.Output, StringComparison.Ordinal);
    }
}

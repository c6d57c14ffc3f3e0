using SecretStore.Testing.Canaries;

namespace Cake.SecretStore.Tests;

/// <summary>
/// <c>GetSecret</c> and <c>ResolveSecrets</c> in a GitHub Actions run mask every value on stderr first, as the CLI's
/// <c>get</c> and <c>resolve</c> and the variable aliases do: a value the script later hands to a tool (whose arguments
/// Cake logs) or that a later step prints is masked by the runner.
/// </summary>
[Collection(CakeCollection.Name)]
public sealed class CakeCiMaskingTests(AddinFeed feed) : IDisposable
{
    private const string DbValue = "Server=db;Password=canary-resolve-71c3";
    private const string TokenValue = "first-line-canary-get\nsecond-line-canary-get";
    private readonly CakeWorkspace _workspace = new(feed);

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public async Task GetSecret_and_ResolveSecrets_mask_every_value_before_the_script_gets_it_or_a_file_is_written()
    {
        await _workspace.SeedAsync("Shop", "Db", DbValue);
        await _workspace.SeedAsync("Shop", "Token", TokenValue);
        _workspace.Write("publish/appsettings.json", "{\"Db\": \"#{secret:Shop/Db}\"}");
        var script = """
            #addin nuget:?package=Cake.SecretStore&version=0.1.0

            Task("Default").Does(() =>
            {
                var token = GetSecret("Shop", "Token");
                Information("got-token " + token.Length);
                ResolveSecrets("publish/appsettings.json");
            });

            RunTarget("Default");
            """;

        // One stream: the masks (stderr) must come before the script's next line (stdout) in the order written, which
        // two pipes read apart do not keep (CI run 49 saw a mask arrive after "got-token").
        var result = _workspace.RunCake(script, new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true" }, oneStream: true);

        Assert.True(result.ExitCode == 0, result.Output);
        var lines = result.Output.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var got = lines.FindIndex(l => l.Contains("got-token", StringComparison.Ordinal));
        var masks = lines.Select((line, index) => (line, index)).Where(p => p.line.StartsWith("::add-mask::", StringComparison.Ordinal)).ToList();
        Assert.Contains(masks, m => m.line == "::add-mask::first-line-canary-get" && m.index < got);
        Assert.Contains(masks, m => m.line == "::add-mask::second-line-canary-get" && m.index < got);
        Assert.Contains(masks, m => m.line == "::add-mask::" + DbValue); // stdout and stderr interleave freely after the GetSecret lines
        var hits = new CanaryScanner(DbValue, TokenValue).Scan(string.Join('\n', lines.Where(l => !l.StartsWith("::add-mask::", StringComparison.Ordinal))), "the lines that are not mask commands");
        Assert.True(hits.Count == 0, string.Join("; ", hits));
        Assert.Contains(DbValue, File.ReadAllText(Path.Combine(_workspace.Root, "publish", "appsettings.json")), StringComparison.Ordinal);
    }
}

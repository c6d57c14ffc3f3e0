using SecretStore.Hardening.Tests.Support;
using SecretStore.Testing.Canaries;
using SecretStore.Testing.Processes;

namespace SecretStore.Hardening.Tests.Leaks;

/// <summary>
/// The CLI's stdout and stderr of every command except <c>get</c> (whose stdout is the value by design), on success
/// and on failure, scanned for the canary values in every encoded form; and the temp folder and working tree
/// after the run, except the resolved file itself.
/// </summary>
public sealed class CliOutputLeakTests(KeyringFixture keyring) : IClassFixture<KeyringFixture>, IDisposable
{
    private const string Value = "cli-canary P@ss\"word\" <&> +/= é 0123456789";
    private const string MultiLine = "-----BEGIN CANARY-----\nline-one-abcdef\nline-two-ghijkl\n-----END CANARY-----";
    private readonly TempDirectory _tree = new();
    private readonly CanaryScanner _canaries = new(Value, MultiLine);

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task No_command_but_get_prints_a_value_in_any_form_on_success_or_failure()
    {
        var store = "file:" + Path.Combine(_tree.Path, "secrets.json");
        string[] common = ["--store", store, "--keyring", keyring.KeyringPath];
        var config = _tree.Write("publish/appsettings.json", """{ "Db": "#{secret:Db}", "Pem": "#{secret:Pem}" }""");
        var broken = _tree.Write("broken/appsettings.json", """{ "Db": "#{secret:Db}", "X": "#{secret:Missing}" }""");

        var runs = new List<(string Name, int Exit, string Stdout, string Stderr)>
        {
            await RunAsync("set", ["set", "acme-web/Db", .. common], Value),
            await RunAsync("set multi-line", ["set", "acme-web/Pem", .. common], MultiLine),
            await RunAsync("set conflict", ["set", "acme-web/Db", "--if-revision", "7", .. common], Value),
            await RunAsync("list", ["list", "acme-web", .. common]),
            await RunAsync("resolve failing", ["resolve", "broken/*.json", "--app", "acme-web", .. common]),
            await RunAsync("resolve", ["resolve", "publish/*.json", "--app", "acme-web", .. common]),
            await RunAsync("resolve again (nothing to do)", ["resolve", "publish/*.json", "--app", "acme-web", .. common]),
            await RunAsync("get missing", ["get", "acme-web/Missing", .. common]),
            await RunAsync("set bad store", ["set", "acme-web/Db", "--store", "file:/nonexistent/x.json", "--keyring", "/nonexistent"], Value),
        };

        Assert.Equal(0, runs.Single(r => r.Name == "resolve").Exit);
        Assert.NotEqual(0, runs.Single(r => r.Name == "resolve failing").Exit);
        Assert.NotEqual(0, runs.Single(r => r.Name == "set conflict").Exit);
        var hits = runs.SelectMany(r => _canaries.Scan(r.Stdout, r.Name + " stdout").Concat(_canaries.Scan(r.Stderr, r.Name + " stderr"))).ToList();
        hits.ShouldBeEmpty();

        // The resolved file holds the values (intended output); nothing else in the tree does.
        Assert.NotEmpty(await _canaries.ScanFileAsync(config));
        var tree = await _canaries.ScanDirectoryAsync(_tree.Path);
        tree.Where(h => h.Source != config).ToList().ShouldBeEmpty();
        Assert.Equal("""{ "Db": "#{secret:Db}", "X": "#{secret:Missing}" }""", File.ReadAllText(broken));
    }

    private async Task<(string Name, int Exit, string Stdout, string Stderr)> RunAsync(string name, string[] args, string? stdin = null)
    {
        // The shared runner's scrubbed environment, without the test process's own SECRETSTORE_* variables.
        var environment = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("SECRETSTORE_", StringComparison.Ordinal))
            .ToDictionary(k => k, _ => (string?)null, StringComparer.Ordinal);
        var result = await ToolProcess.RunBytesAsync("dotnet", [Cli.Dll, .. args], _tree.Path, TimeSpan.FromMinutes(2), environment, stdin is null ? null : System.Text.Encoding.UTF8.GetBytes(stdin));
        return (name, result.ExitCode, System.Text.Encoding.UTF8.GetString(result.StandardOutput), result.StandardError);
    }
}

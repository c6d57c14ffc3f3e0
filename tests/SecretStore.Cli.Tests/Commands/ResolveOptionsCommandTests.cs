using SecretStore.Cli.Tests.Infrastructure;

namespace SecretStore.Cli.Tests.Commands;

/// <summary>
/// The CLI cells of the parity table (docs/settings.md) that reach the engine's options: optional files,
/// mappings and the placeholder requirement, each shown by what the run does, not by what it echoes.
/// </summary>
public sealed class ResolveOptionsCommandTests : IDisposable
{
    private const string Password = "cli-parity-p@ss\"word";
    private readonly FileStoreSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task An_absent_optional_file_is_skipped_while_the_same_path_as_a_plain_file_is_SSB1009_and_nothing_is_written()
    {
        await _sandbox.SetAsync("shop/Password", Password);
        var json = _sandbox.Folder.Write("site/appsettings.json", "{\n  \"Db\": \"#{secret:Password}\"\n}\n");
        var absent = _sandbox.Folder.Combine("site", "appsettings.Production.json");

        var plain = await _sandbox.RunAsync("resolve", "site/appsettings.json", "site/appsettings.Production.json", "--app", "shop");

        Assert.Equal(1, plain.ExitCode);
        Assert.Contains($"{absent}: error SSB1009: The listed file does not exist.", plain.Stderr, StringComparison.Ordinal);
        Assert.Contains("#{secret:Password}", File.ReadAllText(json), StringComparison.Ordinal);

        var optional = await _sandbox.RunAsync("resolve", "site/appsettings.json", "--optional-file", "site/appsettings.Production.json", "--app", "shop");

        Assert.True(optional.ExitCode == 0, optional.ToString());
        Assert.Equal($"{json}\n", optional.Stdout);
        Assert.DoesNotContain("SSB1009", optional.Stderr, StringComparison.Ordinal);
        Assert.Contains("\"Db\": \"cli-parity-p@ss\\\"word\"", File.ReadAllText(json), StringComparison.Ordinal);
        Assert.False(File.Exists(absent));
        ValueScanner.AssertNoValue(optional, Password);
    }

    [Fact]
    public async Task A_present_optional_file_is_resolved_like_the_files_and_each_optional_file_option_adds_one()
    {
        await _sandbox.SetAsync("shop/Password", Password);
        var json = _sandbox.Folder.Write("site/appsettings.json", "{\n  \"Db\": \"#{secret:Password}\"\n}\n");
        var xml = _sandbox.Folder.Write("site/web.config", "<configuration>\n  <add key=\"pwd\" value=\"#{secret:Password}\" />\n</configuration>\n");

        var result = await _sandbox.RunAsync("resolve", "site/none-*.json", "--optional-file", "site/appsettings.json", "--optional-file", "site/web.config", "--optional-file", "site/missing.config", "--app", "shop");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"{json}\n{xml}\n", result.Stdout);
        Assert.Contains("value=\"cli-parity-p@ss&quot;word\"", File.ReadAllText(xml), StringComparison.Ordinal);
        ValueScanner.AssertNoValue(result, Password);
    }

    [Theory]
    [InlineData("site/*.json")]
    [InlineData("!site/web.config")]
    public async Task A_glob_or_exclusion_given_to_optional_file_is_SSB0001_exit_2_and_nothing_is_written(string pattern)
    {
        await _sandbox.SetAsync("shop/Password", Password);
        var json = _sandbox.Folder.Write("site/appsettings.json", "{\n  \"Db\": \"#{secret:Password}\"\n}\n");

        var result = await _sandbox.RunAsync("resolve", "site/appsettings.json", "--optional-file", pattern, "--app", "shop");

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.StdoutBytes);
        Assert.Contains($"error SSB0001: --optional-file '{pattern}' is a glob or an exclusion, but an optional file is one plain path (skipped when it does not exist). Give the glob with the other files instead: a glob that matches nothing is skipped already.", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("#{secret:Password}", File.ReadAllText(json), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_map_writes_its_configuration_key_into_a_file_without_placeholders_and_a_missing_optional_one_keeps_the_file_value()
    {
        await _sandbox.SetAsync("shop/Db", Password);
        var json = _sandbox.Folder.Write("site/appsettings.json", "{\n  \"ConnectionStrings\": { \"Default\": \"Server=localhost\" },\n  \"Api\": { \"Token\": \"dev-token\" }\n}\n");

        var result = await _sandbox.RunAsync("resolve", "site/appsettings.json", "--map", "ConnectionStrings:Default=shop/Db", "--map", "Api:Token=Token?", "--app", "shop");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"{json}\n", result.Stdout);
        var written = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(json))!;
        Assert.Equal(Password, (string?)written["ConnectionStrings"]?["Default"]);
        Assert.Equal("dev-token", (string?)written["Api"]?["Token"]);
        Assert.Contains("warning SSB1013: ", result.Stderr, StringComparison.Ordinal);
        ValueScanner.AssertNoValue(result, Password);
    }

    [Theory]
    [InlineData("true", 1)]
    [InlineData("", 0)]
    [InlineData("maybe", 2)]
    public async Task SECRETSTORE_REQUIRE_PLACEHOLDERS_fails_a_file_with_none_with_SSB1010_and_is_parsed_strictly(string value, int exitCode)
    {
        var text = _sandbox.Folder.Write("site/notes.txt", "no placeholders here\n");

        var result = await _sandbox.RunWithEnvironmentAsync(new Dictionary<string, string> { ["SECRETSTORE_REQUIRE_PLACEHOLDERS"] = value }, "resolve", "site/notes.txt", "--app", "shop");

        Assert.True(result.ExitCode == exitCode, result.ToString());
        switch (exitCode)
        {
            case 1:
                Assert.Contains("error SSB1010: None of the 1 listed file(s) holds a secret placeholder or mapped value, and at least one was required.", result.Stderr, StringComparison.Ordinal);
                break;
            case 2:
                Assert.Contains("error SSB0001: SECRETSTORE_REQUIRE_PLACEHOLDERS is 'maybe', which is not a boolean", result.Stderr, StringComparison.Ordinal);
                break;
            default:
                Assert.DoesNotContain("SSB1010", result.Stderr, StringComparison.Ordinal);
                break;
        }

        Assert.Equal("no placeholders here\n", File.ReadAllText(text));
    }
}

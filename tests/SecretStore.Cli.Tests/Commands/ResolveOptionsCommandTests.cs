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
    public async Task Format_reads_every_file_given_as_that_format_and_a_name_that_is_none_is_a_usage_error()
    {
        await _sandbox.SetAsync("shop/Password", "  padded  ");
        var cfg = _sandbox.Folder.Write("site/service.cfg", "; a service's INI file\n[Db]\nPassword = #{secret:Password}\n");

        var asText = await _sandbox.RunAsync("verify", "site/service.cfg", "--app", "shop");
        var wrong = await _sandbox.RunAsync("resolve", "site/service.cfg", "--app", "shop", "--format", "toml");
        var asIni = await _sandbox.RunAsync("resolve", "site/service.cfg", "--app", "shop", "--format", "INI");

        Assert.True(asText.ExitCode == 0, asText.ToString()); // As text: one line, written as is (edge spaces lost to an INI reader).
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("--format 'toml' is not a file format; use one of json, xml, text, ini, properties, env, yaml.", wrong.Stderr, StringComparison.Ordinal);
        Assert.True(asIni.ExitCode == 0, asIni.ToString());
        Assert.Equal("; a service's INI file\n[Db]\nPassword = \"  padded  \"\n", File.ReadAllText(cfg));
        ValueScanner.AssertNoValue(asIni, "  padded  ");
    }

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

        var result = await _sandbox.RunAsync("resolve", "site/appsettings.json", "--optional-file", "site/none-*.json", "--optional-file", "site/web.config", "--optional-file", "site/missing.config", "--app", "shop");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"{json}\n{xml}\n", result.Stdout);
        Assert.Contains("value=\"cli-parity-p@ss&quot;word\"", File.ReadAllText(xml), StringComparison.Ordinal);
        ValueScanner.AssertNoValue(result, Password);
    }

    [Fact]
    public async Task A_file_glob_that_matches_nothing_is_SSB1009_naming_it_exit_1_and_nothing_is_written_while_as_an_optional_file_it_is_skipped()
    {
        await _sandbox.SetAsync("shop/Password", Password);
        var json = _sandbox.Folder.Write("site/appsettings.json", "{\n  \"Db\": \"#{secret:Password}\"\n}\n");

        var required = await _sandbox.RunAsync("resolve", "site/appsettings.json", "site/config/*.xml", "--app", "shop");

        Assert.Equal(1, required.ExitCode);
        Assert.Empty(required.StdoutBytes);
        Assert.Contains($"error SSB1009: The glob 'site/config/*.xml' matches no file in '{_sandbox.Folder.Path}'. Fix: correct the glob (it is relative to that folder), or mark it optional if finding nothing is fine: ", required.Stderr, StringComparison.Ordinal);
        Assert.Contains("#{secret:Password}", File.ReadAllText(json), StringComparison.Ordinal);

        var optional = await _sandbox.RunAsync("resolve", "site/appsettings.json", "--optional-file", "site/config/*.xml", "--app", "shop");

        Assert.True(optional.ExitCode == 0, optional.ToString());
        Assert.Equal($"{json}\n", optional.Stdout);
        Assert.DoesNotContain("SSB1009", optional.Stderr, StringComparison.Ordinal);
        ValueScanner.AssertNoValue(required, Password);
        ValueScanner.AssertNoValue(optional, Password);
    }

    [Fact]
    public async Task An_optional_glob_that_finds_files_resolves_them_and_only_optional_entries_finding_nothing_is_warning_SSB1023()
    {
        await _sandbox.SetAsync("shop/Password", Password);
        var json = _sandbox.Folder.Write("site/appsettings.json", "{\n  \"Db\": \"#{secret:Password}\"\n}\n");
        var production = _sandbox.Folder.Write("site/appsettings.Production.json", "{\n  \"Db\": \"#{secret:Password}\"\n}\n");

        var found = await _sandbox.RunAsync("resolve", "site/appsettings.json", "--optional-file", "site/appsettings.*.json", "--app", "shop");

        Assert.True(found.ExitCode == 0, found.ToString());
        Assert.Equal($"{json}\n{production}\n", found.Stdout);
        Assert.DoesNotContain("#{secret:", File.ReadAllText(production), StringComparison.Ordinal);

        var nothing = await _sandbox.RunAsync("resolve", "--optional-file", "site/none-*.json", "--optional-file", "site/missing.json", "--app", "shop");

        Assert.True(nothing.ExitCode == 0, nothing.ToString());
        Assert.Empty(nothing.StdoutBytes);
        Assert.Contains("warning SSB1023: No file in ", nothing.Stderr, StringComparison.Ordinal);
        ValueScanner.AssertNoValue(found, Password);
    }

    [Theory]
    [InlineData("resolve")]
    [InlineData("verify")]
    [InlineData("required")]
    public async Task No_file_and_no_optional_file_is_a_usage_error_not_a_run_that_resolves_nothing(string command)
    {
        var result = await _sandbox.RunAsync(command, "--app", "shop");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"error SSB0001: No file was given to {command}. Fix: give file paths or globs, or --optional-file for ones that may find nothing.", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("!site/web.config")]
    [InlineData("!**/*.json")]
    public async Task An_exclusion_given_to_optional_file_is_SSB0001_exit_2_and_nothing_is_written(string pattern)
    {
        await _sandbox.SetAsync("shop/Password", Password);
        var json = _sandbox.Folder.Write("site/appsettings.json", "{\n  \"Db\": \"#{secret:Password}\"\n}\n");

        var result = await _sandbox.RunAsync("resolve", "site/appsettings.json", "--optional-file", pattern, "--app", "shop");

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.StdoutBytes);
        Assert.Contains($"error SSB0001: --optional-file '{pattern}' is an exclusion, but an optional entry is a path or glob that may find no file. Fix: give the exclusion with the other files instead.", result.Stderr, StringComparison.Ordinal);
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

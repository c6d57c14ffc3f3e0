using System.Text;
using SecretStore.Cli.Tests.Ci;
using SecretStore.Cli.Tests.Infrastructure;
using SecretStore.Testing.Logs;

namespace SecretStore.Cli.Tests.Commands;

public sealed class ResolveCommandTests : IDisposable
{
    private const string Password = "p@ss;w]rd%25\"<x>&";
    private const string Certificate = "-----BEGIN-----\nline-one\nline-two\n-----END-----";
    private readonly FileStoreSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private async Task<(string Json, string Xml, string Text)> SampleFolderAsync()
    {
        await _sandbox.SetAsync("shop/Password", Password);
        await _sandbox.SetAsync("shop/Cert", Certificate);
        var json = _sandbox.Folder.Write("site/appsettings.json", "{\n  \"Db\": \"#{secret:Password}\",\n  \"Cert\": \"#{secret:shop/Cert}\"\n}\n");
        var xml = _sandbox.Folder.Write("site/web.config", "<configuration>\n  <add key=\"pwd\" value=\"#{secret:Password}\" />\n  <cert>#{secret:Cert|base64}</cert>\n</configuration>\n");
        var text = _sandbox.Folder.Write("site/notes/readme.txt", "no placeholders here\n");
        return (json, xml, text);
    }

    [Fact]
    public async Task Resolve_of_a_sample_folder_writes_escaped_values_and_lists_written_files_only()
    {
        var (json, xml, text) = await SampleFolderAsync();

        var result = await _sandbox.RunAsync("resolve", "site/**/*", "--app", "shop", "--report", "out/report.json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"{json}\n{xml}\n", result.Stdout);
        // The one summary wording of every face (the runner's), naming the folder the globs were taken from.
        Assert.Contains($"info SSB0004: SecretStore resolve in '{_sandbox.Folder.Path}': 3 file(s) read, 4 placeholder(s) naming 2 secret(s), 2 file(s) written, 0 error(s).", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("{\n  \"Db\": \"p@ss;w]rd%25\\\"<x>&\",\n  \"Cert\": \"-----BEGIN-----\\nline-one\\nline-two\\n-----END-----\"\n}\n", File.ReadAllText(json));
        Assert.Contains("value=\"p@ss;w]rd%25&quot;&lt;x&gt;&amp;\"", File.ReadAllText(xml), StringComparison.Ordinal);
        Assert.Contains(Convert.ToBase64String(Encoding.UTF8.GetBytes(Certificate)), File.ReadAllText(xml), StringComparison.Ordinal);
        Assert.Equal("no placeholders here\n", File.ReadAllText(text));
        ValueScanner.AssertNoValue(result, Password, Certificate, "line-one");
        ValueScanner.AssertNoValue(File.ReadAllText(_sandbox.Folder.Combine("out/report.json")), "report", Password, Certificate);
    }

    [Fact]
    public async Task A_missing_secret_exits_1_with_a_located_SSB2001_and_writes_no_file()
    {
        var (json, xml, _) = await SampleFolderAsync();
        var broken = _sandbox.Folder.Write("site/broken.json", "{\n  \"a\": \"#{secret:shop/Password}\",\n  \"b\": \"#{secret:shop/Nope}\"\n}\n");
        var before = File.ReadAllText(json);

        var result = await _sandbox.RunAsync("resolve", "site/*.json", "site/web.config", "--app", "shop");

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.StdoutBytes);
        Assert.Contains($"{broken}(3,9): error SSB2001:", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(json));
        Assert.Contains("#{secret:Password}", File.ReadAllText(xml), StringComparison.Ordinal);
        ValueScanner.AssertNoValue(result, Password, Certificate);
    }

    [Fact]
    public async Task Verify_writes_nothing_and_required_lists_secrets_without_a_store()
    {
        var (json, _, _) = await SampleFolderAsync();
        var before = File.ReadAllText(json);

        var verify = await _sandbox.RunAsync("verify", "site/**/*.json", "site/*.config", "--app", "shop");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Empty(verify.StdoutBytes);
        Assert.Equal(before, File.ReadAllText(json));
        ValueScanner.AssertNoValue(verify, Password, Certificate);

        // No SECRETSTORE_STORE at all: listing needs no store.
        var required = await CliProcess.RunAsync(_sandbox.Folder.Path, ["required", "site/**/*", "!site/notes/**", "--app", "shop"]);
        Assert.True(required.ExitCode == 0, required.ToString());
        Assert.Equal("shop/Cert\trequired\t2\nshop/Password\trequired\t2\n", required.Stdout);
    }

    [Theory]
    [InlineData("GITHUB_ACTIONS", "true")]
    [InlineData("TF_BUILD", "True")]
    public async Task In_CI_a_missing_secret_is_also_an_annotation_with_the_file_line_column_and_code_that_the_runner_parses(string variable, string value)
    {
        await SampleFolderAsync();
        var broken = _sandbox.Folder.Write("site/broken.json", "{\n  \"b\": \"#{secret:shop/Nope}\"\n}\n");

        var result = await _sandbox.RunWithEnvironmentAsync(new Dictionary<string, string> { [variable] = value }, "resolve", "site/broken.json", "--app", "shop");

        Assert.Equal(1, result.ExitCode);
        var lines = result.Stderr.Split('\n');
        var plainPrefix = $"{broken}(2,9): error SSB2001: ";
        var plain = Assert.Single(lines, l => l.StartsWith(plainPrefix, StringComparison.Ordinal));
        var annotation = Assert.Single(lines, l => l.StartsWith(variable == "TF_BUILD" ? "##vso[task.logissue " : "::error ", StringComparison.Ordinal));
        // Right after the plain line it annotates.
        Assert.Equal(Array.IndexOf(lines, plain) + 1, Array.IndexOf(lines, annotation));
        var command = variable == "TF_BUILD" ? CiCommandParser.ParseAzure(annotation) : CiCommandParser.ParseGitHub(annotation);
        Assert.NotNull(command);
        var expected = variable == "TF_BUILD"
            ? new Dictionary<string, string> { ["type"] = "error", ["sourcepath"] = broken, ["linenumber"] = "2", ["columnnumber"] = "9", ["code"] = "SSB2001" }
            : new Dictionary<string, string> { ["file"] = broken, ["line"] = "2", ["col"] = "9", ["title"] = "SSB2001" };
        Assert.Equal(expected.OrderBy(p => p.Key), command.Properties.OrderBy(p => p.Key));
        Assert.Equal(plain[plainPrefix.Length..], command.Data);
        Assert.Contains("shop/Nope", command.Data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_GitHub_Actions_every_value_form_is_masked_on_stderr_before_anything_else_and_stdout_lists_only_the_written_files()
    {
        var (json, xml, _) = await SampleFolderAsync();

        var result = await _sandbox.RunWithEnvironmentAsync(new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true" }, "resolve", "site/**/*", "--app", "shop");

        Assert.True(result.ExitCode == 0, result.ToString());

        // stdout is what `files=$(secretstore resolve ...)` or `| xargs` captures: the written files and nothing else.
        Assert.Equal($"{json}\n{xml}\n", result.Stdout);
        var masks = CiOutput.AssertMasksFirstOnStderr(result, CiOutput.GitHubPrefix, Password, Certificate, "line-one");

        // The runner's escaping: % -> %25, CR -> %0D, LF -> %0A.
        Assert.Contains("::add-mask::p@ss;w]rd%2525\"<x>&", masks);
        Assert.Contains("::add-mask::p@ss;w]rd%2525\\\"<x>&", masks);
        Assert.Contains("::add-mask::p@ss;w]rd%2525&quot;&lt;x&gt;&amp;", masks);
        Assert.Contains("::add-mask::-----BEGIN-----%0Aline-one%0Aline-two%0A-----END-----", masks);
        Assert.Contains("::add-mask::line-one", masks);
        Assert.Contains("::add-mask::" + Convert.ToBase64String(Encoding.UTF8.GetBytes(Certificate)), masks);
        Assert.Contains("::add-mask::" + Convert.ToBase64String(Encoding.UTF8.GetBytes(Password)), masks);
    }

    [Fact]
    public async Task On_GitHub_Actions_the_counts_are_appended_to_the_step_outputs_file()
    {
        await SampleFolderAsync();
        var outputs = _sandbox.Folder.Write("runner/output.txt", "earlier=1\n");

        var result = await _sandbox.RunWithEnvironmentAsync(
            new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true", ["GITHUB_OUTPUT"] = outputs }, "resolve", "site/**/*", "--app", "shop");

        Assert.True(result.ExitCode == 0, result.ToString());
        // Appended after what earlier commands of the step wrote; the counts of the summary line, nothing else.
        Assert.Equal("earlier=1\nfiles=2\nplaceholders=4\nsecrets=2\n", File.ReadAllText(outputs));
    }

    [Fact]
    public async Task On_GitHub_Actions_a_failed_run_still_reports_its_counts_with_no_file_written()
    {
        await SampleFolderAsync();
        _sandbox.Folder.Write("site/broken.json", "{\"b\": \"#{secret:shop/Nope}\"}\n");
        var outputs = _sandbox.Folder.Combine("runner/output.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(outputs)!);

        var result = await _sandbox.RunWithEnvironmentAsync(
            new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true", ["GITHUB_OUTPUT"] = outputs }, "resolve", "site/*.json", "--app", "shop");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("files=0\nplaceholders=3\nsecrets=3\n", File.ReadAllText(outputs));
    }

    [Fact]
    public async Task Outside_CI_no_step_output_is_written_even_when_GITHUB_OUTPUT_is_set()
    {
        await SampleFolderAsync();
        var outputs = _sandbox.Folder.Write("runner/output.txt", string.Empty);

        var result = await _sandbox.RunWithEnvironmentAsync(new Dictionary<string, string> { ["GITHUB_OUTPUT"] = outputs }, "resolve", "site/appsettings.json", "--app", "shop");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(string.Empty, File.ReadAllText(outputs));
        Assert.DoesNotContain("task.setvariable", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("verify", "0")]
    [InlineData("required", "0")]
    [InlineData("resolve", "1")]
    public async Task On_Azure_Pipelines_the_counts_are_output_variables_set_on_stderr(string mode, string files)
    {
        await SampleFolderAsync();

        var result = await _sandbox.RunWithEnvironmentAsync(new Dictionary<string, string> { ["TF_BUILD"] = "True" }, mode, "site/appsettings.json", "--app", "shop");

        Assert.True(result.ExitCode == 0, result.ToString());
        var variables = result.Stderr.Split('\n').Select(l => CiCommandParser.ParseAzure(l)).OfType<CiCommand>()
            .Where(c => c.Name == "task.setvariable").ToList();
        Assert.Equal(["files", "placeholders", "secrets"], variables.Select(v => v.Properties["variable"]));
        Assert.All(variables, v => Assert.Equal("true", v.Properties["isOutput"]));
        Assert.Equal([files, "2", "2"], variables.Select(v => v.Data));
        Assert.DoesNotContain("task.setvariable", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_Azure_Pipelines_values_are_registered_with_setsecret_escaping_on_stderr_and_stdout_lists_only_the_written_file()
    {
        await SampleFolderAsync();

        var result = await _sandbox.RunWithEnvironmentAsync(new Dictionary<string, string> { ["TF_BUILD"] = "True" }, "resolve", "site/appsettings.json", "--app", "shop");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(_sandbox.Folder.Combine("site/appsettings.json") + "\n", result.Stdout);
        var masks = CiOutput.AssertMasksFirstOnStderr(result, CiOutput.AzurePrefix, Password, Certificate, "line-one");

        // The agent's escaping: % -> %AZP25, ; -> %3B, ] -> %5D, CR -> %0D, LF -> %0A.
        Assert.Contains("##vso[task.setsecret]p@ss%3Bw%5Drd%AZP2525\"<x>&", masks);
        Assert.Contains("##vso[task.setsecret]-----BEGIN-----%0Aline-one%0Aline-two%0A-----END-----", masks);
    }

    [Theory]
    [MemberData(nameof(AzureAgentModel.Behaviours), MemberType = typeof(AzureAgentModel))]
    public async Task On_Azure_Pipelines_a_value_with_literal_percent_3B_0D_0A_5D_is_masked_by_the_agent_whether_it_decodes_percents_or_not(string behaviour)
    {
        const string Value = "first-part%3Bsecond-part%0Athird-part%5Dlast-part%0D;end";
        await _sandbox.SetAsync("shop/Literal", Value);
        var file = _sandbox.Folder.Write("literal.json", "{\"Literal\": \"#{secret:shop/Literal}\"}\n");

        var result = await _sandbox.RunWithEnvironmentAsync(new Dictionary<string, string> { ["TF_BUILD"] = "True" }, "resolve", "literal.json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var agent = AzureAgentModel.For(behaviour);
        foreach (var line in result.Stderr.Split('\n'))
        {
            agent.ProcessLine(line);
        }

        // A later step prints the published file: what the log shows of it.
        var shown = agent.Mask(File.ReadAllText(file).TrimEnd('\n'));
        Assert.Equal(
            behaviour == "not-decoding-before-3.220.1" ? "{\"Literal\": \"***%3B***%0A***%5D***%0D***\"}" : "{\"Literal\": \"***\"}",
            shown);
        Assert.DoesNotContain("SSB0005", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_Azure_Pipelines_a_piece_between_literal_reserved_sequences_too_short_to_mask_gets_SSB0005_naming_the_secret()
    {
        await _sandbox.SetAsync("shop/Short", "ab%3Blong-enough-rest");
        _sandbox.Folder.Write("short.json", "{\"Short\": \"#{secret:shop/Short}\"}");

        var result = await _sandbox.RunWithEnvironmentAsync(new Dictionary<string, string> { ["TF_BUILD"] = "True" }, "resolve", "short.json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("warning SSB0005: Secret 'shop/Short' holds a literal %3B, %0D, %0A or %5D", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("##vso[task.setsecret]long-enough-rest\n", result.Stderr, StringComparison.Ordinal);
        CiOutput.AssertMasksFirstOnStderr(result, CiOutput.AzurePrefix, "ab%3Blong-enough-rest", "long-enough-rest");
    }

    [Fact]
    public async Task Values_shorter_than_4_characters_are_not_registered_and_get_SSB0005_naming_the_secret()
    {
        await _sandbox.SetAsync("shop/Pin", "12\nlong-enough");
        _sandbox.Folder.Write("pin.json", "{\"pin\": \"#{secret:shop/Pin}\"}");

        var result = await _sandbox.RunWithEnvironmentAsync(new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true" }, "resolve", "pin.json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("warning SSB0005: Secret 'shop/Pin'", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("::add-mask::12\n", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("::add-mask::long-enough\n", result.Stderr, StringComparison.Ordinal);
        CiOutput.AssertMasksFirstOnStderr(result, CiOutput.GitHubPrefix, "long-enough");
    }
}

using System.Text;
using SecretStore.Cli.Tests.Infrastructure;

namespace SecretStore.Cli.Tests.Packaging;

public sealed class ToolPackageTests(ToolPackageFixture package) : IClassFixture<ToolPackageFixture>
{
    private const string Password = "ci-pa%ss;w]rd\"x";
    private const string Multiline = "first-line-of-key\nsecond-line-of-key";

    [Fact]
    public async Task The_packed_tool_installs_with_tool_path_from_a_folder_feed_and_runs_as_secretstore()
    {
        var tools = package.Folder.Combine("tool-path");
        var install = await CliProcess.RunProcessAsync(
            CliProcess.DotnetHost,
            ["tool", "install", "SecretStore.Tool", "--tool-path", tools, "--version", package.Version],
            package.InstallRoot,
            package.Environment,
            timeout: TimeSpan.FromMinutes(5));
        Assert.True(install.ExitCode == 0, install.ToString());

        var command = Path.Combine(tools, OperatingSystem.IsWindows() ? "secretstore.exe" : "secretstore");
        var version = await CliProcess.RunProcessAsync(command, ["--version"], package.InstallRoot, package.Environment);
        Assert.True(version.ExitCode == 0, version.ToString());

        // The package was made with --no-build, so the tool reports the version of the binaries it carries.
        Assert.Equal(System.Diagnostics.FileVersionInfo.GetVersionInfo(CliProcess.CliDll).ProductVersion + "\n", version.Stdout);

        var init = await CliProcess.RunProcessAsync(command, ["keys", "init", "kr", "--key-size", "2048"], package.Folder.Path, package.Environment);
        Assert.Equal("default\n", init.Stdout);
        var environment = new Dictionary<string, string>(package.Environment)
        {
            ["SECRETSTORE_STORE"] = "file:" + package.Folder.Combine("installed.json"),
            ["SECRETSTORE_KEYRING"] = package.Folder.Combine("kr"),
        };
        var set = await CliProcess.RunProcessAsync(command, ["set", "app/Key"], package.Folder.Path, environment, Encoding.UTF8.GetBytes("installed-tool-value"));
        Assert.True(set.ExitCode == 0, set.ToString());
        var get = await CliProcess.RunProcessAsync(command, ["get", "app/Key"], package.Folder.Path, environment);
        Assert.Equal("installed-tool-value"u8.ToArray(), get.StdoutBytes);
    }

    [Fact]
    public async Task The_GitHub_action_step_installs_the_tool_resolves_and_masks_before_any_other_output()
    {
        using var work = await PrepareWorkspaceAsync();
        var step = CiStepScript.FromGitHubAction(
            Path.Combine(CliProcess.RepositoryRoot, "action.yml"),
            new Dictionary<string, string>
            {
                ["files"] = "config/*.json\n  config/web.config  \n",
                ["store"] = "file:" + work.Combine("secrets.json"),
                ["keyring"] = work.Combine("keyring"),
                ["app"] = "shop",
                ["report"] = work.Combine("out", "report.md"),
                ["version"] = package.Version,
                ["tool-source"] = package.Feed,
            },
            runnerTemp: work.Combine("runner-temp"));

        var result = await RunStepAsync(step, work, ("GITHUB_ACTIONS", "true"));

        Assert.True(result.ExitCode == 0, result.ToString());
        AssertMasksFirst(result, "::add-mask::", work);
        Assert.Contains("::add-mask::ci-pa%25ss;w]rd\"x", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("::add-mask::first-line-of-key%0Asecond-line-of-key", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"Password\": \"ci-pa%ss;w]rd\\\"x\"", File.ReadAllText(work.Combine("config", "appsettings.json")), StringComparison.Ordinal);
        Assert.True(File.Exists(work.Combine("out", "report.md")));
    }

    [Fact]
    public async Task The_Azure_Pipelines_template_step_installs_the_tool_resolves_and_registers_secrets_first()
    {
        using var work = await PrepareWorkspaceAsync();
        var step = CiStepScript.FromAzureTemplate(
            Path.Combine(CliProcess.RepositoryRoot, "build", "azure-pipelines", "secretstore-resolve.yml"),
            new Dictionary<string, string>
            {
                ["files"] = "config/**/*.json\nconfig/web.config",
                ["store"] = "file:" + work.Combine("secrets.json"),
                ["keyring"] = work.Combine("keyring"),
                ["app"] = "shop",
                ["version"] = package.Version,
                ["toolSource"] = package.Feed,
            },
            agentTemp: work.Combine("agent-temp"));

        var result = await RunStepAsync(step, work, ("TF_BUILD", "True"));

        Assert.True(result.ExitCode == 0, result.ToString());
        AssertMasksFirst(result, "##vso[task.setsecret]", work);
        Assert.Contains("##vso[task.setsecret]ci-pa%AZP25ss%3Bw%5Drd\"x", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("value=\"first-line-of-key&#xA;second-line-of-key\"", File.ReadAllText(work.Combine("config", "web.config")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("github", "", 1)]
    [InlineData("github", "maybe", 2)]
    [InlineData("github", "1", 0)]
    [InlineData("azure", "", 1)]
    [InlineData("azure", "yes", 0)]
    public async Task The_allow_v1_input_of_the_action_and_template_is_off_by_default_and_parsed_strictly(string ci, string allowV1, int exitCode)
    {
        using var work = await PrepareWorkspaceAsync();
        await SecretStore.Testing.Records.V1Rows.PlantAsync(work.Combine("secrets.json"), work.Combine("keyring"), new SecretStore.Secrets.SecretId("shop", "Password"), Password);
        var inputs = new Dictionary<string, string>
        {
            ["files"] = "config/appsettings.json",
            ["store"] = "file:" + work.Combine("secrets.json"),
            ["keyring"] = work.Combine("keyring"),
            ["app"] = "shop",
            ["version"] = package.Version,
        };
        if (allowV1.Length > 0)
        {
            inputs[ci == "github" ? "allow-v1" : "allowV1"] = allowV1;
        }

        ProcessResult result;
        if (ci == "github")
        {
            inputs["tool-source"] = package.Feed;
            result = await RunStepAsync(CiStepScript.FromGitHubAction(Path.Combine(CliProcess.RepositoryRoot, "action.yml"), inputs, work.Combine("runner-temp")), work, ("GITHUB_ACTIONS", "true"));
        }
        else
        {
            inputs["toolSource"] = package.Feed;
            result = await RunStepAsync(CiStepScript.FromAzureTemplate(Path.Combine(CliProcess.RepositoryRoot, "build", "azure-pipelines", "secretstore-resolve.yml"), inputs, work.Combine("agent-temp")), work, ("TF_BUILD", "True"));
        }

        Assert.True(result.ExitCode == exitCode, result.ToString());
        var expected = exitCode switch
        {
            0 => "ci-pa%ss;w]rd",
            1 => "error SSB2009",
            _ => "error SSB0001: SECRETSTORE_ALLOW_V1 is 'maybe', which is not a boolean",
        };
        Assert.Contains(expected, exitCode == 0 ? File.ReadAllText(work.Combine("config", "appsettings.json")) : result.Stderr, StringComparison.Ordinal);
        ValueScanner.AssertNoValue(result.Stderr, "stderr", Password);
    }

    private async Task<TempFolder> PrepareWorkspaceAsync()
    {
        var work = new TempFolder();
        using (SecretStore.Keys.Rsa.RsaKeyring.Create(work.Combine("keyring"), "primary", 2048))
        {
        }

        var environment = new Dictionary<string, string>
        {
            ["SECRETSTORE_STORE"] = "file:" + work.Combine("secrets.json"),
            ["SECRETSTORE_KEYRING"] = work.Combine("keyring"),
        };
        foreach (var (name, value) in new[] { ("Password", Password), ("SigningKey", Multiline) })
        {
            var set = await CliProcess.RunAsync(work.Path, ["set", "shop/" + name], environment, Encoding.UTF8.GetBytes(value));
            Assert.True(set.ExitCode == 0, set.ToString());
        }

        work.Write("config/appsettings.json", "{\n  \"Password\": \"#{secret:Password}\",\n  \"Key\": \"#{secret:SigningKey}\"\n}\n");
        work.Write("config/web.config", "<configuration>\n  <add key=\"k\" value=\"#{secret:SigningKey}\" />\n</configuration>\n");
        return work;
    }

    private async Task<ProcessResult> RunStepAsync(CiStepScript step, TempFolder work, (string Name, string Value) ci)
    {
        var environment = new Dictionary<string, string>(step.Environment, StringComparer.Ordinal);
        foreach (var (key, value) in package.Environment)
        {
            environment[key] = value;
        }

        environment[ci.Name] = ci.Value;
        var script = work.Write("step.sh", step.Script);
        Directory.CreateDirectory(work.Combine("runner-temp"));
        Directory.CreateDirectory(work.Combine("agent-temp"));

        // The install reads nuget.config from the working folder: give the step one that lists only the test feed.
        File.Copy(Path.Combine(package.InstallRoot, "nuget.config"), work.Combine("nuget.config"));
        return await CliProcess.RunProcessAsync("bash", [script], work.Path, environment, timeout: TimeSpan.FromMinutes(5));
    }

    private static void AssertMasksFirst(ProcessResult result, string prefix, TempFolder work)
    {
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var masks = lines.TakeWhile(l => l.StartsWith(prefix, StringComparison.Ordinal)).Count();
        Assert.True(masks >= 4, result.ToString());

        // After the masks come only the written files; no line outside a mask command holds any value form.
        Assert.Equal([work.Combine("config", "appsettings.json"), work.Combine("config", "web.config")], lines.Skip(masks).Order(StringComparer.Ordinal));
        foreach (var line in lines.Skip(masks))
        {
            ValueScanner.AssertNoValue(line, "stdout after the masks", Password, Multiline, "first-line-of-key", "second-line-of-key");
        }

        ValueScanner.AssertNoValue(result.Stderr, "stderr", Password, Multiline, "first-line-of-key", "second-line-of-key");
    }
}

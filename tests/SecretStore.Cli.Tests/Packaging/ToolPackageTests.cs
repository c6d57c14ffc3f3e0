using System.Text;
using SecretStore.Cli.Tests.Ci;
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
        Assert.Contains("::add-mask::ci-pa%25ss;w]rd\"x\n", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("::add-mask::first-line-of-key%0Asecond-line-of-key\n", result.Stderr, StringComparison.Ordinal);
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
        Assert.Contains("##vso[task.setsecret]ci-pa%AZP25ss%3Bw%5Drd\"x\n", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("value=\"first-line-of-key&#xA;second-line-of-key\"", File.ReadAllText(work.Combine("config", "web.config")), StringComparison.Ordinal);
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
        // The install chatter goes to stderr before the tool runs; the tool's own stderr opens with the masks.
        var stderr = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var toolStderr = string.Join('\n', stderr.SkipWhile(l => !l.StartsWith(prefix, StringComparison.Ordinal)));
        var masks = CiOutput.AssertMasksFirstOnStderr(result with { Stderr = toolStderr }, prefix, Password, Multiline, "first-line-of-key", "second-line-of-key");
        Assert.True(masks.Count >= 4, result.ToString());

        // stdout holds only the written files; no line that is not a mask command holds any value form.
        Assert.Equal([work.Combine("config", "appsettings.json"), work.Combine("config", "web.config")], result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        ValueScanner.AssertNoValue(string.Join('\n', stderr.TakeWhile(l => !l.StartsWith(prefix, StringComparison.Ordinal))), "install output", Password, Multiline, "first-line-of-key", "second-line-of-key");
    }
}

using System.Text;
using SecretStore.Cli.Tests.Ci;
using SecretStore.Cli.Tests.Infrastructure;
using SecretStore.Testing.Logs;
using YamlDotNet.RepresentationModel;

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

        // The package is built with its version, which the tool reports (with the commit after a '+').
        Assert.StartsWith(package.Version, version.Stdout, StringComparison.Ordinal);

        // Issue 20: on Linux x64 the ReadyToRun package is the one installed; elsewhere the framework-dependent 'any' one.
        var rid = OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.X64 ? "linux-x64" : "any";
        Assert.True(Directory.Exists(Path.Combine(tools, ".store", "secretstore.tool", package.Version, "secretstore.tool." + rid)), "not the " + rid + " package: " + string.Join(", ", Directory.GetDirectories(Path.Combine(tools, ".store", "secretstore.tool", package.Version))));

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
    public async Task The_GitHub_action_outputs_are_the_counts_its_step_writes()
    {
        // action.yml maps each output to the step's own output of that name...
        var action = LoadYaml(Path.Combine(CliProcess.RepositoryRoot, "action.yml"));
        var steps = (YamlSequenceNode)((YamlMappingNode)action["runs"])["steps"];
        var id = ((YamlScalarNode)((YamlMappingNode)steps.Children.Single())["id"]).Value;
        var outputs = ((YamlMappingNode)action["outputs"]).Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => ((YamlScalarNode)((YamlMappingNode)p.Value)["value"]).Value);
        Assert.Equal(
            new Dictionary<string, string?> { ["files"] = $"${{{{ steps.{id}.outputs.files }}}}", ["placeholders"] = $"${{{{ steps.{id}.outputs.placeholders }}}}", ["secrets"] = $"${{{{ steps.{id}.outputs.secrets }}}}" },
            outputs);

        // ...and the step, run as the runner runs it, writes them to the runner's output file.
        using var work = await PrepareWorkspaceAsync();
        var (step, variable) = Step("github", work, work.Combine("runner-temp"), new() { ["files"] = "config/*.json", ["version"] = package.Version, ["tool-source"] = package.Feed });
        var file = work.Write("runner-temp/github-output", string.Empty);

        var result = await RunStepAsync(step, work, variable, ("GITHUB_OUTPUT", file));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("files=1\nplaceholders=2\nsecrets=2\n", File.ReadAllText(file));
    }

    [Fact]
    public async Task The_Azure_Pipelines_template_step_is_named_for_its_output_variables()
    {
        var template = LoadYaml(Path.Combine(CliProcess.RepositoryRoot, "build", "azure-pipelines", "secretstore-resolve.yml"));
        var step = (YamlMappingNode)((YamlSequenceNode)template["steps"]).Children.Single();
        Assert.Equal("${{ parameters.name }}", ((YamlScalarNode)step["name"]).Value);
        var parameter = ((YamlSequenceNode)template["parameters"]).Children.Cast<YamlMappingNode>().Single(p => ((YamlScalarNode)p["name"]).Value == "name");
        Assert.Equal("secretstore", ((YamlScalarNode)parameter["default"]).Value);

        using var work = await PrepareWorkspaceAsync();
        var (script, variable) = Step("azure", work, work.Combine("agent-temp"), new() { ["files"] = "config/*.json", ["version"] = package.Version, ["toolSource"] = package.Feed });

        var result = await RunStepAsync(script, work, variable);

        Assert.True(result.ExitCode == 0, result.ToString());
        var variables = result.Stderr.Split('\n').Select(l => CiCommandParser.ParseAzure(l)).OfType<CiCommand>().Where(c => c.Name == "task.setvariable");
        Assert.Equal(["files=1", "placeholders=2", "secrets=2"], variables.Select(v => $"{v.Properties["variable"]}={v.Data}"));
    }

    private static YamlMappingNode LoadYaml(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
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

        // stderr carries the mask commands of a resolved value first (issue 23 1.1); no other line holds it.
        var otherLines = string.Join('\n', result.Stderr.Split('\n').Where(l => !l.StartsWith("::add-mask::", StringComparison.Ordinal) && !l.StartsWith("##vso[task.setsecret]", StringComparison.Ordinal)));
        ValueScanner.AssertNoValue(otherLines, "stderr without its mask commands", Password);
        ValueScanner.AssertNoValue(result.Stdout, "stdout", Password);
    }

    public static TheoryData<string> CiSystems => new() { "github", "azure" };

    [Theory]
    [MemberData(nameof(CiSystems))]
    public async Task A_secretstore_binary_planted_in_the_runner_temp_folder_between_two_runs_of_the_step_is_never_executed(string ci)
    {
        using var work = await PrepareWorkspaceAsync();
        var temp = work.Combine("runner-temp");
        var (step, variable) = Step(ci, work, temp, new() { ["version"] = package.Version, [ToolSourceInput(ci)] = package.Feed });

        var first = await RunStepAsync(step, work, variable);
        Assert.True(first.ExitCode == 0, first.ToString());

        // An earlier step of the job (a third-party action, a pull request's build script) plants a script that
        // records its environment (the private key, AWS credentials) wherever a secretstore binary is or was.
        var record = work.Combine("planted-ran.txt");
        var planted = "#!/bin/sh\nenv > '" + record + "'\n";
        var targets = Directory.EnumerateFiles(temp, "secretstore*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileNameWithoutExtension(f) == "secretstore")
            .Append(Path.Combine(temp, "secretstore-tool", "secretstore"))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        foreach (var target in targets)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllText(target, planted);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        WriteConfigFiles(work);
        var second = await RunStepAsync(step, work, variable);

        Assert.False(File.Exists(record), "the planted binary ran with the step's environment:\n" + second);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("\"Password\": \"ci-pa%ss;w]rd\\\"x\"", File.ReadAllText(work.Combine("config", "appsettings.json")), StringComparison.Ordinal);

        // Each run's fresh folder is gone when the step ends; only the planted one is left.
        Assert.Equal([Path.Combine(temp, "secretstore-tool")], Directory.EnumerateDirectories(temp));
    }

    [Theory]
    [MemberData(nameof(CiSystems))]
    public async Task With_tool_source_given_a_higher_SecretStore_Tool_version_on_another_feed_does_not_win(string ci)
    {
        using var work = await PrepareWorkspaceAsync();

        // The other feed is one the job's NuGet configuration lists (here the workspace's nuget.config).
        var otherFeed = work.Combine("other-feed");
        var higher = "0.0.2-" + package.Version.Split('-', 2)[1];
        await package.PackAsync(otherFeed, higher);
        File.WriteAllText(
            work.Combine("nuget.config"),
            $"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <packageSources>\n    <clear />\n    <add key=\"other\" value=\"{otherFeed}\" />\n  </packageSources>\n</configuration>\n");

        // A floating version takes the highest version it can see: only the tool-source may be seen.
        var (step, variable) = Step(ci, work, work.Combine("runner-temp"), new() { ["version"] = "*-*", [ToolSourceInput(ci)] = package.Feed });
        var result = await RunStepAsync(step, work, variable);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"(version '{package.Version}')", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(higher, result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CiSystems))]
    public async Task The_step_refuses_an_empty_version_with_SSB0001_and_installs_nothing(string ci)
    {
        using var work = await PrepareWorkspaceAsync();
        var (step, variable) = Step(ci, work, work.Combine("runner-temp"), new() { ["version"] = string.Empty, [ToolSourceInput(ci)] = package.Feed });

        var result = await RunStepAsync(step, work, variable);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error SSB0001: The 'version' ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("#{secret:Password}", File.ReadAllText(work.Combine("config", "appsettings.json")), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CiSystems))]
    public async Task The_allowed_key_ids_input_of_the_action_and_template_reaches_the_tool_as_SECRETSTORE_ALLOWED_KEY_IDS(string ci)
    {
        using var work = await PrepareWorkspaceAsync();
        var input = ci == "github" ? "allowed-key-ids" : "allowedKeyIds";

        // The records are under keyring key 'primary': a list without it refuses them, a comma-separated list with it reads them.
        var (refusedStep, variable) = Step(ci, work, work.Combine("runner-temp"), new() { ["version"] = package.Version, [ToolSourceInput(ci)] = package.Feed, [input] = "other-key" });
        var refused = await RunStepAsync(refusedStep, work, variable);

        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Contains("error SSB3012", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("#{secret:Password}", File.ReadAllText(work.Combine("config", "appsettings.json")), StringComparison.Ordinal);

        var (allowedStep, _) = Step(ci, work, work.Combine("runner-temp"), new() { ["version"] = package.Version, [ToolSourceInput(ci)] = package.Feed, [input] = "other-key, primary" });
        var allowed = await RunStepAsync(allowedStep, work, variable);
        Assert.True(allowed.ExitCode == 0, allowed.ToString());
        Assert.Contains("ci-pa%ss;w]rd", File.ReadAllText(work.Combine("config", "appsettings.json")), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CiSystems))]
    public async Task The_allow_insecure_endpoint_input_of_the_action_and_template_is_off_by_default_and_reaches_the_tool(string ci)
    {
        using var work = await PrepareWorkspaceAsync();
        var input = ci == "github" ? "allow-insecure-endpoint" : "allowInsecureEndpoint";
        var (refusedStep, variable) = Step(ci, work, work.Combine("runner-temp"), new() { ["version"] = package.Version, [ToolSourceInput(ci)] = package.Feed });
        var (allowedStep, _) = Step(ci, work, work.Combine("runner-temp"), new() { ["version"] = package.Version, [ToolSourceInput(ci)] = package.Feed, [input] = "true" });

        // A DynamoDB store behind a plain-http endpoint that is not this machine (a name that never resolves).
        CiStepScript Remote(CiStepScript step) => step with
        {
            Environment = new Dictionary<string, string>(step.Environment)
            {
                ["SECRETSTORE_STORE"] = "dynamodb:Secrets",
                ["SECRETSTORE_SERVICE_URL"] = "http://example.invalid:8000",
                ["SECRETSTORE_KEY_ID"] = "alias/app",
                ["AWS_ACCESS_KEY_ID"] = "test",
                ["AWS_SECRET_ACCESS_KEY"] = "test",
            },
        };
        var refused = await RunStepAsync(Remote(refusedStep), work, variable);
        var allowed = await RunStepAsync(Remote(allowedStep), work, variable);

        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.True(refused.Stderr.Contains("error SSB2016: ServiceUrl", StringComparison.Ordinal), refused.ToString());
        Assert.Contains("action input allow-insecure-endpoint, Azure template parameter allowInsecureEndpoint", refused.Stderr, StringComparison.Ordinal);
        Assert.True(allowed.ExitCode == 1, allowed.ToString());
        Assert.DoesNotContain("SSB2016", allowed.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("github")]
    [InlineData("azure")]
    public async Task The_settings_and_environment_inputs_of_the_action_and_template_reach_the_tool_without_a_store_input(string ci)
    {
        using var work = await PrepareWorkspaceAsync();
        var settings = work.Write("ci/secretstore.json", $$"""
            {
              "environments": {
                "Release": { "storage": "file:{{work.Combine("secrets.json")}}", "protection": "rsa:{{work.Combine("keyring")}}" }
              }
            }
            """);
        // The same names in both: action inputs and template parameters (one word each, so no kebab/camel split).
        const string environmentInput = "environment", settingsInput = "settings";
        CiStepScript StepFor(string environment)
        {
            var inputs = new Dictionary<string, string>
            {
                ["files"] = "config/*.json",
                ["app"] = "shop",
                [settingsInput] = settings,
                [environmentInput] = environment,
                ["version"] = package.Version,
                [ToolSourceInput(ci)] = package.Feed,
            };
            return ci == "github"
                ? CiStepScript.FromGitHubAction(Path.Combine(CliProcess.RepositoryRoot, "action.yml"), inputs, work.Combine("runner-temp"))
                : CiStepScript.FromAzureTemplate(Path.Combine(CliProcess.RepositoryRoot, "build", "azure-pipelines", "secretstore-resolve.yml"), inputs, work.Combine("agent-temp"));
        }

        var variable = ci == "github" ? ("GITHUB_ACTIONS", "true") : ("TF_BUILD", "True");
        var unknown = await RunStepAsync(StepFor("Staging"), work, variable);
        Assert.True(unknown.ExitCode == 1, unknown.ToString());
        Assert.Contains("error SSB1022: ", unknown.Stderr, StringComparison.Ordinal);
        Assert.Contains("'Staging'", unknown.Stderr, StringComparison.Ordinal);
        Assert.Contains("#{secret:Password}", File.ReadAllText(work.Combine("config", "appsettings.json")), StringComparison.Ordinal);

        var release = await RunStepAsync(StepFor("Release"), work, variable);
        Assert.True(release.ExitCode == 0, release.ToString());
        Assert.Contains("\"Password\": \"ci-pa%ss;w]rd\\\"x\"", File.ReadAllText(work.Combine("config", "appsettings.json")), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CiSystems))]
    public async Task The_mode_input_of_the_action_and_template_verifies_without_writing_lists_the_required_secrets_and_refuses_anything_else(string ci)
    {
        using var work = await PrepareWorkspaceAsync();
        var before = File.ReadAllText(work.Combine("config", "appsettings.json"));
        CiStepScript StepFor(string mode) => Step(ci, work, work.Combine("runner-temp"), new() { ["mode"] = mode, ["version"] = package.Version, [ToolSourceInput(ci)] = package.Feed }).Step;
        var variable = Step(ci, work, work.Combine("runner-temp"), new()).Variable;

        var verified = await RunStepAsync(StepFor("verify"), work, variable);
        Assert.True(verified.ExitCode == 0, verified.ToString());
        Assert.Contains("info SSB0004: SecretStore verify in ", verified.Stderr, StringComparison.Ordinal);
        Assert.Empty(verified.Stdout);
        Assert.Equal(before, File.ReadAllText(work.Combine("config", "appsettings.json")));

        work.Write("config/broken.json", "{ \"Token\": \"#{secret:shop/Nope}\" }\n");
        var missing = await RunStepAsync(StepFor("verify"), work, variable);
        Assert.True(missing.ExitCode == 1, missing.ToString());
        Assert.Contains($"{work.Combine("config", "broken.json")}(1,13): error SSB2001: ", missing.Stderr, StringComparison.Ordinal);

        // 'required' opens no store: the names come from the files alone, one row per secret.
        var required = await RunStepAsync(StepFor("required"), work, variable);
        Assert.True(required.ExitCode == 0, required.ToString());
        Assert.Equal("shop/Nope\trequired\t1\nshop/Password\trequired\t1\nshop/SigningKey\trequired\t1\n", required.Stdout);

        // A typo is refused before anything is installed, whatever it is.
        var unknown = await RunStepAsync(StepFor("resolv"), work, variable);
        Assert.True(unknown.ExitCode == 2, unknown.ToString());
        Assert.Equal(
            ci == "github"
                ? "secretstore: error SSB0001: The 'mode' input is not resolve, verify, required or export (the text is not repeated here); give one of the four (default: resolve).\n"
                : "secretstore: error SSB0001: The 'mode' parameter is not resolve, verify or required (the text is not repeated here); give one of the three (default: resolve).\n",
            unknown.Stderr);
        Assert.Empty(unknown.Stdout);
        Assert.Equal(before, File.ReadAllText(work.Combine("config", "appsettings.json")));
        ValueScanner.AssertNoValue(verified.Stdout + verified.Stderr + missing.Stderr + required.Stdout + required.Stderr, "verify and required output", Password, Multiline);
    }

    [Fact]
    public async Task The_GitHub_action_export_mode_appends_every_chosen_secret_to_GITHUB_ENV_after_masking_it_and_sets_no_output()
    {
        using var work = await PrepareWorkspaceAsync();
        var githubEnv = work.Write("runner-temp/github-env", "EARLIER=kept\n");
        var githubOutput = work.Write("runner-temp/github-output", string.Empty);
        var step = CiStepScript.FromGitHubAction(
            Path.Combine(CliProcess.RepositoryRoot, "action.yml"),
            new Dictionary<string, string>
            {
                ["mode"] = "export",
                ["variables"] = "DB_PASSWORD=shop/Password\n\n  KEY=shop/SigningKey  \n",
                ["variables-app"] = "shop",
                ["variables-prefix"] = "SHOP_",
                ["store"] = "file:" + work.Combine("secrets.json"),
                ["keyring"] = work.Combine("keyring"),
                ["version"] = package.Version,
                ["tool-source"] = package.Feed,
            },
            runnerTemp: work.Combine("runner-temp"));

        var result = await RunStepAsync(step, work, ("GITHUB_ACTIONS", "true"), ("GITHUB_ENV", githubEnv), ("GITHUB_OUTPUT", githubOutput));

        Assert.True(result.ExitCode == 0, result.ToString());

        // What the runner gives the later steps: exactly the values, and what earlier steps added is kept.
        var variables = GitHubEnvFileParser.Parse(File.ReadAllText(githubEnv));
        Assert.Equal(["DB_PASSWORD", "EARLIER", "KEY", "SHOP_Password", "SHOP_SigningKey"], variables.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("kept", variables["EARLIER"]);
        Assert.True(variables["DB_PASSWORD"] == Password && variables["SHOP_Password"] == Password, "GITHUB_ENV does not read back to the password");
        Assert.True(variables["KEY"] == Multiline && variables["SHOP_SigningKey"] == Multiline, "GITHUB_ENV does not read back to the multi-line value");

        // The tool's stderr opens with a mask for every form of every value; stdout is empty; no other line holds a value.
        Assert.Empty(result.Stdout);
        var stderr = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var toolStderr = string.Join('\n', stderr.SkipWhile(l => !l.StartsWith(CiOutput.GitHubPrefix, StringComparison.Ordinal)));
        var masks = CiOutput.AssertMasksFirstOnStderr(result with { Stderr = toolStderr }, CiOutput.GitHubPrefix, Password, Multiline, "first-line-of-key", "second-line-of-key");
        Assert.Contains("::add-mask::ci-pa%25ss;w]rd\"x", masks);
        Assert.Contains("::add-mask::first-line-of-key%0Asecond-line-of-key", masks);
        Assert.Contains("::add-mask::first-line-of-key", masks);
        Assert.Contains("::add-mask::second-line-of-key", masks);
        ValueScanner.AssertNoValue(string.Join('\n', stderr.TakeWhile(l => !l.StartsWith(CiOutput.GitHubPrefix, StringComparison.Ordinal))), "install output", Password, Multiline, "first-line-of-key", "second-line-of-key");
        Assert.Contains("SecretStore export: 4 variable(s) as github-env added to ", toolStderr, StringComparison.Ordinal);

        // files, placeholders and secrets count a resolve: export mode sets none of them.
        Assert.Equal(string.Empty, File.ReadAllText(githubOutput));
    }

    [Theory]
    [InlineData("files", "config/*.json")]
    [InlineData("optional-files", "config/maybe.json")]
    [InlineData("mappings", "Password=shop/Password")]
    [InlineData("no GITHUB_ENV", "")]
    public async Task The_GitHub_action_export_mode_refuses_a_resolve_input_or_a_missing_GITHUB_ENV_with_SSB0001_before_installing_anything(string input, string value)
    {
        using var work = await PrepareWorkspaceAsync();
        var githubEnv = work.Write("runner-temp/github-env", string.Empty);
        var inputs = new Dictionary<string, string>
        {
            ["mode"] = "export",
            ["variables"] = "DB_PASSWORD=shop/Password",
            ["store"] = "file:" + work.Combine("secrets.json"),
            ["keyring"] = work.Combine("keyring"),
            ["version"] = package.Version,
            ["tool-source"] = package.Feed,
        };
        var variables = new List<(string, string)> { ("GITHUB_ACTIONS", "true") };
        if (input == "no GITHUB_ENV")
        {
            // ToolProcess removes the test host's own GITHUB_ENV, so the step sees none.
        }
        else
        {
            inputs[input] = value;
            variables.Add(("GITHUB_ENV", githubEnv));
        }

        var step = CiStepScript.FromGitHubAction(Path.Combine(CliProcess.RepositoryRoot, "action.yml"), inputs, work.Combine("runner-temp"));

        var result = await RunStepAsync(step, work, [.. variables]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal(
            input == "no GITHUB_ENV"
                ? "secretstore: error SSB0001: GITHUB_ENV is not set, so mode export has no file to add the variables to; it runs in a GitHub Actions job only.\n"
                : $"secretstore: error SSB0001: The '{input}' input is for the resolve, verify and required modes; mode export takes variables, variables-app and variables-prefix. Fix: remove '{input}', or use another step to resolve files.\n",
            result.Stderr);
        Assert.Empty(result.Stdout);
        Assert.Equal(string.Empty, File.ReadAllText(githubEnv));
        Assert.False(Directory.EnumerateFileSystemEntries(work.Combine("runner-temp")).Any(e => Path.GetFileName(e).StartsWith("secretstore-tool.", StringComparison.Ordinal)), "the step left a tool folder");
    }

    [Theory]
    [MemberData(nameof(CiSystems))]
    public async Task The_mappings_input_of_the_action_and_template_writes_each_mapped_key_one_per_line_blank_lines_ignored(string ci)
    {
        using var work = await PrepareWorkspaceAsync();
        var mapped = work.Write("config/mapped.json", "{\n  \"ConnectionStrings\": { \"Default\": \"Server=localhost\" },\n  \"Api\": { \"Token\": \"dev-token\" }\n}\n");
        var (step, variable) = Step(ci, work, work.Combine("runner-temp"), new()
        {
            ["files"] = "config/mapped.json",
            ["mappings"] = "\n  ConnectionStrings:Default=shop/Password  \r\n\nApi:Token=Nope?\n",
            ["version"] = package.Version,
            [ToolSourceInput(ci)] = package.Feed,
        });

        var result = await RunStepAsync(step, work, variable);

        Assert.True(result.ExitCode == 0, result.ToString());
        var written = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(mapped))!;
        Assert.Equal(Password, (string?)written["ConnectionStrings"]?["Default"]);
        Assert.Equal("dev-token", (string?)written["Api"]?["Token"]);
        Assert.Contains("warning SSB1013: ", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CiSystems))]
    public async Task The_format_input_of_the_action_and_template_reads_the_files_as_that_format_and_a_name_that_is_none_is_exit_2(string ci)
    {
        // A Helm values template without a YAML extension: as text the quote in the password would break it.
        using var work = await PrepareWorkspaceAsync();
        var values = work.Write("config/values.tpl", "db:\n  password: \"#{secret:Password}\" # from the store\n");
        var (step, variable) = Step(ci, work, work.Combine("runner-temp"), new() { ["files"] = "config/values.tpl", ["format"] = "yaml", ["version"] = package.Version, [ToolSourceInput(ci)] = package.Feed });
        var result = await RunStepAsync(step, work, variable);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("db:\n  password: \"ci-pa%ss;w]rd\\\"x\" # from the store\n", File.ReadAllText(values));

        work.Write("config/values.tpl", "db:\n  password: \"#{secret:Password}\"\n");
        var (wrongStep, _) = Step(ci, work, work.Combine("runner-temp"), new() { ["files"] = "config/values.tpl", ["format"] = "toml", ["version"] = package.Version, [ToolSourceInput(ci)] = package.Feed });
        var wrong = await RunStepAsync(wrongStep, work, variable);
        Assert.True(wrong.ExitCode == 2, wrong.ToString());
        Assert.Contains("'toml' is not a file format", wrong.Stderr, StringComparison.Ordinal);
        Assert.Contains("#{secret:Password}", File.ReadAllText(values), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CiSystems))]
    public async Task The_optional_files_input_of_the_action_and_template_skips_an_absent_file_or_an_unmatched_glob_that_the_files_input_reports(string ci)
    {
        using var work = await PrepareWorkspaceAsync();
        var input = ci == "github" ? "optional-files" : "optionalFiles";
        var absent = work.Combine("config", "appsettings.Production.json");

        var (plainStep, variable) = Step(ci, work, work.Combine("runner-temp"), new() { ["files"] = "config/appsettings.json\nconfig/appsettings.Production.json", ["version"] = package.Version, [ToolSourceInput(ci)] = package.Feed });
        var plain = await RunStepAsync(plainStep, work, variable);
        Assert.True(plain.ExitCode == 1, plain.ToString());
        Assert.Contains($"{absent}: error SSB1009: The listed file does not exist.", plain.Stderr, StringComparison.Ordinal);
        Assert.Contains("#{secret:Password}", File.ReadAllText(work.Combine("config", "appsettings.json")), StringComparison.Ordinal);

        var (optionalStep, _) = Step(ci, work, work.Combine("runner-temp"), new() { ["files"] = "config/appsettings.json", [input] = "config/appsettings.Production.json\n\n  config/web.config\nconfig/none-*.json\n", ["version"] = package.Version, [ToolSourceInput(ci)] = package.Feed });
        var optional = await RunStepAsync(optionalStep, work, variable);
        Assert.True(optional.ExitCode == 0, optional.ToString());
        Assert.Equal([work.Combine("config", "appsettings.json"), work.Combine("config", "web.config")], optional.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        Assert.Contains("value=\"first-line-of-key&#xA;second-line-of-key\"", File.ReadAllText(work.Combine("config", "web.config")), StringComparison.Ordinal);
        Assert.False(File.Exists(absent));
    }

    [Theory]
    [MemberData(nameof(CiSystems))]
    public async Task A_files_line_that_looks_like_an_option_reaches_the_tool_as_a_file_after_the_separator_never_as_an_option(string ci)
    {
        // Without "--" before the files, a line "--store=file:<elsewhere>" of the files input was an option of the tool:
        // the step read another store than the one its inputs name.
        using var work = await PrepareWorkspaceAsync();
        var elsewhere = work.Combine("elsewhere.json");
        var (step, variable) = Step(ci, work, work.Combine("runner-temp"), new() { ["files"] = $"config/appsettings.json\n--store=file:{elsewhere}", ["version"] = package.Version, [ToolSourceInput(ci)] = package.Feed });

        var result = await RunStepAsync(step, work, variable);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("error SSB0001: File argument 2 of 'resolve' starts with '-' but is no option of this command", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(elsewhere, result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(elsewhere));
        Assert.Contains("#{secret:Password}", File.ReadAllText(work.Combine("config", "appsettings.json")), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CiSystems))]
    public async Task The_require_placeholders_input_of_the_action_and_template_fails_a_file_with_none_and_is_off_by_default(string ci)
    {
        using var work = await PrepareWorkspaceAsync();
        work.Write("config/notes.txt", "no placeholders here\n");
        var input = ci == "github" ? "require-placeholders" : "requirePlaceholders";
        var (offStep, variable) = Step(ci, work, work.Combine("runner-temp"), new() { ["files"] = "config/notes.txt", ["version"] = package.Version, [ToolSourceInput(ci)] = package.Feed });
        var (onStep, _) = Step(ci, work, work.Combine("runner-temp"), new() { ["files"] = "config/notes.txt", [input] = "true", ["version"] = package.Version, [ToolSourceInput(ci)] = package.Feed });

        var off = await RunStepAsync(offStep, work, variable);
        var on = await RunStepAsync(onStep, work, variable);

        Assert.True(off.ExitCode == 0, off.ToString());
        Assert.DoesNotContain("SSB1010", off.Stderr, StringComparison.Ordinal);
        Assert.True(on.ExitCode == 1, on.ToString());
        Assert.Contains("error SSB1010: None of the 1 listed file(s) holds a secret placeholder or mapped value, and at least one was required.", on.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_action_and_the_template_install_a_release_not_older_than_the_last_tag_by_default()
    {
        // Their default is the action's own version: a plain release, the same in both, never older than the last
        // release tag of this history (it is raised just before the next tag; build/pack.sh refuses a tagged release
        // whose default differs). Before the first tag, not older than the version MinVer starts from.
        var action = CiStepScript.FromGitHubAction(Path.Combine(CliProcess.RepositoryRoot, "action.yml"), new Dictionary<string, string>(), "/tmp");
        var template = CiStepScript.FromAzureTemplate(Path.Combine(CliProcess.RepositoryRoot, "build", "azure-pipelines", "secretstore-resolve.yml"), new Dictionary<string, string>(), "/tmp");
        var version = action.Environment["SECRETSTORE_TOOL_VERSION"];
        Assert.Equal(version, template.Environment["SECRETSTORE_TOOL_VERSION"]);
        Assert.Matches(@"^\d+\.\d+\.\d+$", version);

        var describe = await SecretStore.Testing.Processes.ToolProcess.RunAsync(
            "git", ["describe", "--tags", "--abbrev=0", "--match", "v[0-9]*"], CliProcess.RepositoryRoot, TimeSpan.FromMinutes(1));
        var floor = describe.Succeeded
            ? describe.StandardOutput.Trim()[1..].Split('-')[0]
            : System.Xml.Linq.XDocument.Load(Path.Combine(CliProcess.RepositoryRoot, "src", "Directory.Build.props")).Descendants("MinVerMinimumMajorMinor").Single().Value + ".0";
        Assert.True(System.Version.Parse(version) >= System.Version.Parse(floor), $"default {version} is older than {floor}");
    }

    private static string ToolSourceInput(string ci) => ci == "github" ? "tool-source" : "toolSource";

    private static (CiStepScript Step, (string Name, string Value) Variable) Step(string ci, TempDirectory work, string temp, Dictionary<string, string> inputs)
    {
        inputs.TryAdd("files", "config/*.json");
        inputs.TryAdd("store", "file:" + work.Combine("secrets.json"));
        inputs.TryAdd("keyring", work.Combine("keyring"));
        inputs.TryAdd("app", "shop");
        return ci == "github"
            ? (CiStepScript.FromGitHubAction(Path.Combine(CliProcess.RepositoryRoot, "action.yml"), inputs, temp), ("GITHUB_ACTIONS", "true"))
            : (CiStepScript.FromAzureTemplate(Path.Combine(CliProcess.RepositoryRoot, "build", "azure-pipelines", "secretstore-resolve.yml"), inputs, temp), ("TF_BUILD", "True"));
    }

    private async Task<TempDirectory> PrepareWorkspaceAsync()
    {
        var work = new TempDirectory();
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

        WriteConfigFiles(work);
        return work;
    }

    private static void WriteConfigFiles(TempDirectory work)
    {
        work.Write("config/appsettings.json", "{\n  \"Password\": \"#{secret:Password}\",\n  \"Key\": \"#{secret:SigningKey}\"\n}\n");
        work.Write("config/web.config", "<configuration>\n  <add key=\"k\" value=\"#{secret:SigningKey}\" />\n</configuration>\n");
    }

    private async Task<ProcessResult> RunStepAsync(CiStepScript step, TempDirectory work, params (string Name, string Value)[] variables)
    {
        var environment = new Dictionary<string, string>(step.Environment, StringComparer.Ordinal);
        foreach (var (key, value) in package.Environment)
        {
            environment[key] = value;
        }

        foreach (var (name, value) in variables)
        {
            environment[name] = value;
        }

        var script = work.Write("step.sh", step.Script);
        Directory.CreateDirectory(work.Combine("runner-temp"));
        Directory.CreateDirectory(work.Combine("agent-temp"));

        // The install reads nuget.config from the working folder: give the step one that lists only the test feed.
        if (!File.Exists(work.Combine("nuget.config")))
        {
            File.Copy(Path.Combine(package.InstallRoot, "nuget.config"), work.Combine("nuget.config"));
        }

        return await CliProcess.RunProcessAsync("bash", [script], work.Path, environment, timeout: TimeSpan.FromMinutes(5));
    }

    private static void AssertMasksFirst(ProcessResult result, string prefix, TempDirectory work)
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

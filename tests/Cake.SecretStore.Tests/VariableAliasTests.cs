using SecretStore.Testing.Canaries;
using SecretStore.Testing.Logs;
using SecretStore.Testing.Processes;

namespace Cake.SecretStore.Tests;

/// <summary>
/// <c>RunWithSecrets</c> and <c>ExportSecrets</c> in real build.cake runs: a real child (<see cref="EnvProbe"/>, which
/// prints hashes of its variables, never values), real files read back by bash and by a model of the GitHub runner.
/// </summary>
[Collection(CakeCollection.Name)]
public sealed class VariableAliasTests(AddinFeed feed) : IDisposable
{
    // A quote, a '$', a space and angle brackets (no single quote: dotenv could not carry it with the '$').
    private const string DbValue = "Server=db;Password=\"<canary-db-4e1a>&$HOME x";
    private const string TokenValue = "canary-token-8b2f";
    private const string KeyValue = "first-line-canary-key\nsecond-line-canary-key";

    private readonly CakeWorkspace _workspace = new(feed);

    [Fact]
    public async Task RunWithSecrets_gives_the_child_mapped_and_application_secrets_and_the_script_gets_its_exit_code()
    {
        await SeedAsync();
        var probe = new EnvProbe(Directory.CreateDirectory(Path.Combine(_workspace.Root, "probe")).FullName);
        var script = $$"""
            #addin nuget:?package=Cake.SecretStore&version=0.1.0

            Task("Default").Does(() =>
            {
                var settings = new SecretVariablesSettings { Prefix = "SHOP_" };
                settings.Variables["DB"] = "Shop/Db";
                settings.Applications.Add("Tools");
                foreach (var argument in new[] { "{{probe.Folder}}", "exit:3", "DB", "SHOP_Api__Token", "SHOP_Signing__Key", "CALLER_VARIABLE" })
                {
                    settings.Arguments.Add(argument);
                }

                var exitCode = RunWithSecrets("{{probe.Path}}", settings);
                System.IO.File.WriteAllText("exit.txt", exitCode.ToString());
            });

            RunTarget("Default");
            """;

        var result = _workspace.RunCake(script, new Dictionary<string, string> { ["CALLER_VARIABLE"] = "from-the-caller" });

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.True(probe.Started);
        Assert.Equal("3", _workspace.Read("exit.txt"));
        Assert.Equal(EnvProbe.Hash(DbValue), EnvProbe.Reported(result.Output, "DB"));
        Assert.Equal(EnvProbe.Hash(TokenValue), EnvProbe.Reported(result.Output, "SHOP_Api__Token"));
        Assert.Equal(EnvProbe.Hash(KeyValue), EnvProbe.Reported(result.Output, "SHOP_Signing__Key"));

        // The caller's own variables are passed on (not pristine); the values only through the environment.
        Assert.Equal(EnvProbe.Hash("from-the-caller"), EnvProbe.Reported(result.Output, "CALLER_VARIABLE"));
        Assert.Contains("SecretStore run: ", result.Output, StringComparison.Ordinal);
        AssertNoValue(result.Output, "the Cake output");
    }

    [Fact]
    public async Task RunWithSecrets_passes_each_argument_as_it_is_in_the_working_directory_and_honours_pristine_and_no_clobber()
    {
        await SeedAsync();
        Directory.CreateDirectory(Path.Combine(_workspace.Root, "child"));
        // The child records its arguments one per line and its folder in args-<run>.txt, and which variables it has
        // (hashes only) in vars-<run>.txt.
        const string record = """
            run="$1"; shift
            { printf '%s\n' "$#" "$@"; pwd; } > "args-$run.txt"
            for n in DB API CALLER_VARIABLE; do if [ -n "${!n+set}" ]; then printf '%s=%s\n' "$n" "$(printf '%s' "${!n}" | sha256sum | cut -c1-64)"; else printf '%s=unset\n' "$n"; fi; done > "vars-$run.txt"
            """;
        _workspace.Write("child/record.sh", record);
        const string script = """
            #addin nuget:?package=Cake.SecretStore&version=0.1.0

            SecretVariablesSettings Settings(string run)
            {
                var settings = new SecretVariablesSettings { WorkingDirectory = "./child" };
                settings.Variables["DB"] = "Shop/Db";
                settings.Variables["API"] = "Tools/Api.Token";
                foreach (var argument in new[] { "record.sh", run, "two words", "$HOME", "*", "" })
                {
                    settings.Arguments.Add(argument);
                }

                return settings;
            }

            Task("Default").Does(() =>
            {
                var pristine = Settings("pristine");
                pristine.Pristine = true;
                var noClobber = Settings("no-clobber");
                noClobber.NoClobber = true;
                System.IO.File.WriteAllText("exit.txt", RunWithSecrets("bash", pristine) + " " + RunWithSecrets("bash", noClobber));
            });

            RunTarget("Default");
            """;

        var result = _workspace.RunCake(script, new Dictionary<string, string> { ["CALLER_VARIABLE"] = "from-the-caller", ["DB"] = "set-by-the-caller" });

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal("0 0", _workspace.Read("exit.txt"));
        foreach (var run in new[] { "pristine", "no-clobber" })
        {
            Assert.Equal($"4\ntwo words\n$HOME\n*\n\n{Path.Combine(_workspace.Root, "child")}\n", _workspace.Read($"child/args-{run}.txt"));
        }

        // Pristine: the caller's variables are gone (DB too), so the secret is set and nothing is replaced.
        Assert.Equal($"DB={EnvProbe.Hash(DbValue)}\nAPI={EnvProbe.Hash(TokenValue)}\nCALLER_VARIABLE=unset\n", _workspace.Read("child/vars-pristine.txt"));

        // No clobber: the caller's DB wins over the secret, with warning SSB4005 naming the variable.
        Assert.Equal($"DB={EnvProbe.Hash("set-by-the-caller")}\nAPI={EnvProbe.Hash(TokenValue)}\nCALLER_VARIABLE={EnvProbe.Hash("from-the-caller")}\n", _workspace.Read("child/vars-no-clobber.txt"));
        Assert.Single(result.Output.Split('\n'), l => l.Contains("warning SSB4005", StringComparison.Ordinal) && l.Contains("'DB'", StringComparison.Ordinal));
        AssertNoValue(result.Output, "the Cake output");
    }

    [Fact]
    public async Task RunWithSecrets_fails_the_run_with_SSB2001_for_a_missing_secret_and_127_for_an_unknown_command_and_starts_nothing()
    {
        await SeedAsync();
        var probe = new EnvProbe(Directory.CreateDirectory(Path.Combine(_workspace.Root, "probe")).FullName);
        var script = $$"""
            #addin nuget:?package=Cake.SecretStore&version=0.1.0

            Task("Default").Does(() =>
            {
                var unknown = new SecretVariablesSettings();
                unknown.Variables["DB"] = "Shop/Db";
                try
                {
                    RunWithSecrets("no-such-command-5a1c", unknown);
                }
                catch (CakeException e)
                {
                    System.IO.File.WriteAllText("unknown.txt", e.ExitCode + " " + e.Message);
                }

                var missing = new SecretVariablesSettings();
                missing.Variables["DB"] = "Shop/Db";
                missing.Variables["GONE"] = "Shop/Gone";
                missing.Arguments.Add("{{probe.Folder}}");
                missing.Arguments.Add("exit:0");
                RunWithSecrets("{{probe.Path}}", missing);
                System.IO.File.WriteAllText("reached.txt", "the alias did not throw");
            });

            RunTarget("Default");
            """;

        var result = _workspace.RunCake(script);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("error SSB2001", result.Output, StringComparison.Ordinal);
        Assert.Contains("Shop/Gone", result.Output, StringComparison.Ordinal);
        Assert.False(probe.Started);
        Assert.False(File.Exists(Path.Combine(_workspace.Root, "reached.txt")));
        Assert.StartsWith("127 SSB4004: The command 'no-such-command-5a1c' was not found", _workspace.Read("unknown.txt"), StringComparison.Ordinal);
        AssertNoValue(result.Output, "the Cake output");
    }

    [Fact]
    public async Task ExportSecrets_writes_an_owner_only_dotenv_file_that_bash_reads_back_exactly_and_appends_github_env_blocks()
    {
        await SeedAsync();
        var githubEnv = _workspace.Write("runner/github-env", "EARLIER=kept\n");
        const string script = """
            #addin nuget:?package=Cake.SecretStore&version=0.1.0

            Task("Default").Does(() =>
            {
                var settings = new SecretVariablesSettings();
                settings.Variables["DB"] = "Shop/Db";
                settings.Applications.Add("Tools");
                EnsureDirectoryExists("./out");
                ExportSecrets("./out/shop.env", "dotenv", settings);

                var append = new SecretVariablesSettings { Append = true };
                append.Variables["ConnectionStrings__Default"] = "Shop/Db";
                append.Variables["KEY"] = "Tools/Signing.Key";
                ExportSecrets(EnvironmentVariable("TEST_GITHUB_ENV"), "github-env", append);

                try
                {
                    ExportSecrets("./out/other.env", "yaml", settings);
                }
                catch (CakeException e)
                {
                    System.IO.File.WriteAllText("format.txt", e.Message);
                }
            });

            RunTarget("Default");
            """;

        var result = _workspace.RunCake(script, new Dictionary<string, string> { ["TEST_GITHUB_ENV"] = githubEnv });

        Assert.True(result.ExitCode == 0, result.Output);
        var file = Path.Combine(_workspace.Root, "out", "shop.env");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        var read = await ToolProcess.RunAsync(
            "bash",
            ["-c", "set -a; . \"$1\"; for n in DB Api__Token Signing__Key; do printf '%s=%s\\n' \"$n\" \"$(printf '%s' \"${!n}\" | sha256sum | cut -c1-64)\"; done", "bash", file],
            _workspace.Root,
            TimeSpan.FromMinutes(1));
        Assert.True(read.Succeeded, read.ToString());
        Assert.Equal(EnvProbe.Hash(DbValue), EnvProbe.Reported(read.StandardOutput, "DB"));
        Assert.Equal(EnvProbe.Hash(TokenValue), EnvProbe.Reported(read.StandardOutput, "Api__Token"));
        Assert.Equal(EnvProbe.Hash(KeyValue), EnvProbe.Reported(read.StandardOutput, "Signing__Key"));

        var variables = GitHubEnvFileParser.Parse(File.ReadAllText(githubEnv));
        Assert.Equal(["ConnectionStrings__Default", "EARLIER", "KEY"], variables.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("kept", variables["EARLIER"]);
        Assert.True(variables["ConnectionStrings__Default"] == DbValue, "GITHUB_ENV does not read back to the value");
        Assert.True(variables["KEY"] == KeyValue, "GITHUB_ENV does not read back to the multi-line value");

        Assert.StartsWith("SSB0001: The export format is not one of dotenv, json, shell, github-env, azure-variables.", _workspace.Read("format.txt"), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_workspace.Root, "out", "other.env")));
        Assert.Contains("SecretStore export: 3 variable(s) as dotenv written to ", result.Output, StringComparison.Ordinal);
        AssertNoValue(result.Output, "the Cake output");
    }

    [Fact]
    public async Task In_GitHub_Actions_every_value_is_masked_on_stderr_before_the_child_writes_anything()
    {
        await SeedAsync();
        var probe = new EnvProbe(Directory.CreateDirectory(Path.Combine(_workspace.Root, "probe")).FullName);
        var script = $$"""
            #addin nuget:?package=Cake.SecretStore&version=0.1.0

            Task("Default").Does(() =>
            {
                var settings = new SecretVariablesSettings();
                settings.Variables["DB"] = "Shop/Db";
                settings.Variables["KEY"] = "Tools/Signing.Key";
                settings.Arguments.Add("{{probe.Folder}}");
                settings.Arguments.Add("exit:0");
                settings.Arguments.Add("DB");
                RunWithSecrets("{{probe.Path}}", settings);
            });

            RunTarget("Default");
            """;

        var result = _workspace.RunCake(script, new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true" }, oneStream: true); // the order written, across stderr and stdout

        Assert.True(result.ExitCode == 0, result.Output);
        var lines = result.Output.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var masks = lines.Select((line, index) => (line, index)).Where(p => p.line.StartsWith("::add-mask::", StringComparison.Ordinal)).ToList();
        var child = lines.FindIndex(l => l == "child-started");
        Assert.True(child >= 0, result.Output);
        Assert.NotEmpty(masks);
        Assert.All(masks, m => Assert.True(m.index < child, "a mask command came after the child's first line"));
        var commands = masks.Select(m => m.line).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("::add-mask::Server=db;Password=\"<canary-db-4e1a>&$HOME x", commands);
        Assert.Contains("::add-mask::first-line-canary-key%0Asecond-line-canary-key", commands);
        Assert.Contains("::add-mask::first-line-canary-key", commands);
        Assert.Contains("::add-mask::second-line-canary-key", commands);
        Assert.Equal(EnvProbe.Hash(DbValue), EnvProbe.Reported(result.Output, "DB"));
        AssertNoValue(string.Join('\n', lines.Where(l => !l.StartsWith("::add-mask::", StringComparison.Ordinal))), "the lines that are not mask commands");
    }

    public void Dispose() => _workspace.Dispose();

    private async Task SeedAsync()
    {
        await _workspace.SeedAsync("Shop", "Db", DbValue);
        await _workspace.SeedAsync("Tools", "Api.Token", TokenValue);
        await _workspace.SeedAsync("Tools", "Signing.Key", KeyValue);
    }

    private static void AssertNoValue(string text, string what)
    {
        var hits = new CanaryScanner(DbValue, TokenValue, KeyValue).Scan(text, what);
        Assert.True(hits.Count == 0, $"{what} holds a form of a value: {string.Join("; ", hits)}");
    }
}

using System.Diagnostics;
using System.Text;

namespace SecretStore.Build.Tests.Infrastructure;

/// <summary>The outcome of one dotnet command: exit code and the combined console output.</summary>
public sealed record CommandResult(string CommandLine, int ExitCode, string Output)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>For assertion messages: the command and the end of its output.</summary>
    public override string ToString() =>
        $"{CommandLine} exited {ExitCode}{Environment.NewLine}{(Output.Length > 6000 ? "..." + Output[^6000..] : Output)}";
}

/// <summary>Runs the dotnet CLI out of process, the way a user or CI would.</summary>
public static class DotNet
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    public static async Task<CommandResult> RunAsync(string workingDirectory, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        // No MSBuild node outlives its test: a reused node would keep the packed task assembly loaded.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        // The test host's own MSBuild settings must not leak into the child build.
        // Nor the CI system it runs on: a test asks for GitHub or Azure annotations by setting the variable itself.
        foreach (var inherited in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "DOTNET_HOST_PATH_OVERRIDE", "GITHUB_ACTIONS", "GITHUB_OUTPUT", "TF_BUILD" })
        {
            start.Environment.Remove(inherited);
        }

        if (environment is not null)
        {
            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish within {Timeout}.{Environment.NewLine}{output}");
        }

        // WaitForExitAsync returns once the process ends; the output pipes may still be draining.
        process.WaitForExit();
        string text;
        lock (output)
        {
            text = output.ToString();
        }

        return new CommandResult("dotnet " + string.Join(' ', arguments), process.ExitCode, text);
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }
}

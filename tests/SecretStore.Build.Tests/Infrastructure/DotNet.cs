using SecretStore.Testing.Processes;

namespace SecretStore.Build.Tests.Infrastructure;

/// <summary>The outcome of one dotnet command: exit code and the combined console output.</summary>
public sealed record CommandResult(string CommandLine, int ExitCode, string Output)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>For assertion messages: the command and the end of its output.</summary>
    public override string ToString() =>
        $"{CommandLine} exited {ExitCode}{Environment.NewLine}{(Output.Length > 6000 ? "..." + Output[^6000..] : Output)}";
}

/// <summary>
/// Runs the dotnet CLI out of process, the way a user or CI would, through the shared <see cref="ToolProcess"/>:
/// no MSBuild node outlives its test (a reused node would keep the packed task assembly loaded), and neither the
/// test host's MSBuild settings nor its CI variables leak into the child build (a test asks for GitHub or Azure
/// annotations by setting the variable itself).
/// </summary>
public static class DotNet
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    public static async Task<CommandResult> RunAsync(string workingDirectory, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var result = await ToolProcess.RunAsync("dotnet", arguments, workingDirectory, Timeout, environment);
        return new CommandResult(result.Command, result.ExitCode, result.Output);
    }
}

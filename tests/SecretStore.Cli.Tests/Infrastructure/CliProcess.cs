using System.Reflection;
using System.Text;
using SecretStore.Testing.Processes;

namespace SecretStore.Cli.Tests.Infrastructure;

/// <summary>The outcome of one real process run.</summary>
public sealed record ProcessResult(int ExitCode, byte[] StdoutBytes, string Stderr)
{
    public string Stdout => Encoding.UTF8.GetString(StdoutBytes);

    /// <summary>Both streams, for failure messages.</summary>
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>
/// Runs the built tool as a real process (<c>dotnet SecretStore.Cli.dll ...</c>) with a clean environment:
/// no inherited <c>SECRETSTORE_*</c> or CI variables, so a test sees exactly what it sets.
/// </summary>
public static class CliProcess
{
    public static string CliDirectory { get; } = Metadata("CliDirectory");

    public static string RepositoryRoot { get; } = Metadata("RepositoryRoot");

    public static string Configuration { get; } = Metadata("Configuration");

    public static string CliDll => Path.Combine(CliDirectory, "SecretStore.Cli.dll");

    /// <summary>The dotnet host running the tests (the same SDK runs the tool).</summary>
    public static string DotnetHost { get; } =
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    public static Task<ProcessResult> RunAsync(
        string workingDirectory,
        IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string>? environment = null,
        byte[]? stdin = null) =>
        RunProcessAsync(DotnetHost, [CliDll, .. args], workingDirectory, environment, stdin);

    /// <summary>
    /// Runs <paramref name="fileName"/> through the shared <see cref="ToolProcess"/> (one scrubbed environment for
    /// every child process of the suite), with the test process's <c>SECRETSTORE_*</c> variables removed too.
    /// </summary>
    public static async Task<ProcessResult> RunProcessAsync(
        string fileName,
        IReadOnlyList<string> args,
        string workingDirectory,
        IReadOnlyDictionary<string, string>? environment = null,
        byte[]? stdin = null,
        TimeSpan? timeout = null)
    {
        Assert.True(File.Exists(CliDll), $"The CLI is not built at {CliDll}; build src/SecretStore.Cli first.");
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal) { ["AWS_EC2_METADATA_DISABLED"] = "true" };
        foreach (var key in Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("SECRETSTORE_", StringComparison.Ordinal)))
        {
            variables[key] = null;
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            variables[key] = value;
        }

        var (exitCode, stdout, stderr) = await ToolProcess.RunBytesAsync(fileName, args, workingDirectory, timeout ?? TimeSpan.FromMinutes(2), variables, stdin);
        return new ProcessResult(exitCode, stdout, stderr);
    }

    private static string Metadata(string key) =>
        typeof(CliProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}

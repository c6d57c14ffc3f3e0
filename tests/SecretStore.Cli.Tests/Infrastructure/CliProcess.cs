using System.Diagnostics;
using System.Reflection;
using System.Text;

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
    private static readonly string[] InheritedCiVariables = ["GITHUB_ACTIONS", "GITHUB_OUTPUT", "TF_BUILD"];

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

    public static async Task<ProcessResult> RunProcessAsync(
        string fileName,
        IReadOnlyList<string> args,
        string workingDirectory,
        IReadOnlyDictionary<string, string>? environment = null,
        byte[]? stdin = null,
        TimeSpan? timeout = null)
    {
        Assert.True(File.Exists(CliDll), $"The CLI is not built at {CliDll}; build src/SecretStore.Cli first.");
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("SECRETSTORE_", StringComparison.Ordinal) || InheritedCiVariables.Contains(k)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdoutTask = ReadAllAsync(process.StandardOutput.BaseStream);
        var stderrTask = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{fileName} {string.Join(' ', args)}' did not finish in time.");
        }

        return new ProcessResult(process.ExitCode, await stdoutTask, await stderrTask);
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private static string Metadata(string key) =>
        typeof(CliProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}

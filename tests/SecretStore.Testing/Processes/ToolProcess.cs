using System.Diagnostics;
using System.Text;

namespace SecretStore.Testing.Processes;

/// <summary>What a finished child process printed, and its exit code.</summary>
/// <param name="Command">The command line, for failure messages (tests never pass a secret as an argument).</param>
/// <param name="ExitCode">The exit code.</param>
/// <param name="StandardOutput">Everything written to stdout.</param>
/// <param name="StandardError">Everything written to stderr.</param>
/// <param name="Output">Both streams, interleaved in the order the lines arrived.</param>
public sealed record ToolProcessResult(string Command, int ExitCode, string StandardOutput, string StandardError, string Output)
{
    /// <summary>Exit code 0.</summary>
    public bool Succeeded => ExitCode == 0;

    /// <inheritdoc />
    public override string ToString() => $"{Command} exited with {ExitCode}:{Environment.NewLine}{Output}";
}

/// <summary>
/// Runs a real tool (dotnet, bash, the installed secretstore) as a child process the way a user's shell would, but
/// without the test host's own surroundings: no MSBuild settings of the test run, no CI variables (a test asks for
/// GitHub or Azure annotations by setting them itself), no colour codes, no MSBuild node that outlives the test.
/// </summary>
public static class ToolProcess
{
    private static readonly string[] Scrubbed =
    [
        "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "DOTNET_HOST_PATH_OVERRIDE", "MSBuildLoadMicrosoftTargetsReadOnly",
        "GITHUB_ACTIONS", "GITHUB_OUTPUT", "GITHUB_ENV", "TF_BUILD", "CI",
    ];

    /// <summary>
    /// Runs <paramref name="fileName"/> with <paramref name="arguments"/> (each one argument, never split) in
    /// <paramref name="workingDirectory"/>; a <c>null</c> value in <paramref name="environment"/> removes the variable.
    /// Kills the process tree and throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<ToolProcessResult> RunAsync(
        string fileName,
        IReadOnlyList<string> arguments,
        string workingDirectory,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? standardInput = null)
    {
        var start = StartInfo(fileName, arguments, workingDirectory, environment);
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var both = new StringBuilder();
        var sync = new object();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data, stdout);
        process.ErrorDataReceived += (_, e) => Append(e.Data, stderr);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
        }

        process.StandardInput.Close();
        var command = fileName + " " + string.Join(' ', arguments);
        if (!await ExitedWithinAsync(process, timeout))
        {
            lock (sync)
            {
                throw new TimeoutException($"{command} did not finish within {timeout}:{Environment.NewLine}{both}");
            }
        }

        // WaitForExitAsync returns once the process ends; the output pipes may still be draining.
        process.WaitForExit();
        lock (sync)
        {
            return new ToolProcessResult(command, process.ExitCode, stdout.ToString(), stderr.ToString(), both.ToString());
        }

        void Append(string? line, StringBuilder stream)
        {
            if (line is null)
            {
                return;
            }

            lock (sync)
            {
                stream.AppendLine(line);
                both.AppendLine(line);
            }
        }
    }

    /// <summary>
    /// Runs like <see cref="RunAsync"/> but keeps stdout as bytes (a value printed by <c>get</c> is compared byte for
    /// byte) and writes <paramref name="standardInput"/> as bytes; stderr is text.
    /// </summary>
    public static async Task<(int ExitCode, byte[] StandardOutput, string StandardError)> RunBytesAsync(
        string fileName,
        IReadOnlyList<string> arguments,
        string workingDirectory,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment = null,
        byte[]? standardInput = null)
    {
        var start = StartInfo(fileName, arguments, workingDirectory, environment);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start.");
        var stdout = ReadAllAsync(process.StandardOutput.BaseStream);
        var stderr = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(standardInput);
        }

        process.StandardInput.Close();
        if (!await ExitedWithinAsync(process, timeout))
        {
            throw new TimeoutException($"'{fileName} {string.Join(' ', arguments)}' did not finish within {timeout}.");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Waits for <paramref name="process"/>; after <paramref name="timeout"/> kills its tree and returns false.</summary>
    private static async Task<bool> ExitedWithinAsync(Process process, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return false;
        }
    }

    /// <summary>
    /// The start info every runner uses: arguments one by one, the test run's MSBuild and CI variables removed, no
    /// telemetry, banners, colours or node reuse, then <paramref name="environment"/> (a null value removes one).
    /// </summary>
    public static ProcessStartInfo StartInfo(string fileName, IReadOnlyList<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in Scrubbed)
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["NO_COLOR"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        return start;
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}

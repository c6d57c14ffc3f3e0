using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using SecretStore.Testing;
using SecretStore.Testing.Processes;

namespace SecretStore.Extensions.Configuration.Tests.Infrastructure;

/// <summary>
/// samples/RuntimeApp as a real Kestrel process (its own build output, <c>dotnet RuntimeApp.dll</c>), and the CLI it
/// is set up with, both from this build. Each test copies the sample's files to a folder of its own, which is the
/// app's content root, so nothing is written into the repository.
/// </summary>
public static partial class RuntimeSample
{
    private static string Metadata(string key) => typeof(RuntimeSample).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == key).Value!;

    public static string SourceDirectory { get; } = Metadata("RuntimeAppDirectory");

    public static string AppDll { get; } = Path.Combine(SourceDirectory, "bin", "Release", "net10.0", "RuntimeApp.dll");

    public static string CliDll { get; } = Path.Combine(Metadata("CliDirectory"), "SecretStore.Cli.dll");

    /// <summary>Copies the sample's config and settings files and its setup script to <paramref name="folder"/>.</summary>
    public static void CopyTo(string folder, bool withSettings = true)
    {
        foreach (var name in new[] { "appsettings.json", "appsettings.Development.json", "setup-dev.sh" }.Concat(withSettings ? ["secretstore.json"] : []))
        {
            File.Copy(Path.Combine(SourceDirectory, name), Path.Combine(folder, name), overwrite: true);
        }
    }

    /// <summary>
    /// A <c>secretstore</c> command on PATH that runs this build's CLI, so setup-dev.sh takes it (as it takes an
    /// installed tool) instead of building one.
    /// </summary>
    public static Dictionary<string, string?> ToolOnPath(TempDirectory temp)
    {
        var bin = temp.Combine("tool-bin");
        Directory.CreateDirectory(bin);
        var shim = Path.Combine(bin, "secretstore");
        File.WriteAllText(shim, $"#!/bin/sh\nexec dotnet '{CliDll}' \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(shim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return new() { ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}" };
    }

    /// <summary>Runs the CLI in <paramref name="folder"/>; the value, if any, goes to standard input.</summary>
    public static Task<ToolProcessResult> CliAsync(string folder, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, string? input = null) =>
        ToolProcess.RunAsync("dotnet", [CliDll, .. arguments], folder, TimeSpan.FromMinutes(2), environment, input ?? string.Empty);

    /// <summary>Starts the app in <paramref name="folder"/> on a free loopback port and waits until it listens.</summary>
    public static async Task<RunningApp> StartAsync(string folder, IReadOnlyDictionary<string, string?> environment)
    {
        var variables = new Dictionary<string, string?>(environment)
        {
            ["ASPNETCORE_ENVIRONMENT"] = environment.GetValueOrDefault("ASPNETCORE_ENVIRONMENT") ?? "Development",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["SecretStore__ReloadInterval"] = environment.GetValueOrDefault("SecretStore__ReloadInterval") ?? "00:00:01",
        };
        var app = new RunningApp(Process.Start(ToolProcess.StartInfo("dotnet", [AppDll], folder, variables))!);
        await app.ListeningAsync();
        return app;
    }

    /// <summary>One running app: its address, its output so far, and a stop that returns all of it.</summary>
    public sealed partial class RunningApp : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(20) };

        public RunningApp(Process process)
        {
            _process = process;
            _process.OutputDataReceived += (_, e) => Append(e.Data);
            _process.ErrorDataReceived += (_, e) => Append(e.Data);
            _process.EnableRaisingEvents = true;
            _process.Exited += (_, _) => _listening.TrySetException(new InvalidOperationException($"The app exited with {_process.ExitCode} before it listened:{Environment.NewLine}{Output}"));
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public Uri Address { get; private set; } = null!;

        /// <summary>Standard output and standard error so far, in arrival order.</summary>
        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public async Task ListeningAsync() => Address = await _listening.Task.WaitAsync(TimeSpan.FromSeconds(60));

        /// <summary>GET / as JSON.</summary>
        public async Task<JsonElement> GetAsync()
        {
            using var response = await _http.GetAsync(Address);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"GET / answered {(int)response.StatusCode}: {text}{Environment.NewLine}{Output}");
            return JsonDocument.Parse(text).RootElement.Clone();
        }

        /// <summary>Polls GET / until <paramref name="condition"/> holds; fails with the app's output after <paramref name="timeout"/>.</summary>
        public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> condition, TimeSpan timeout, string what)
        {
            var until = DateTime.UtcNow + timeout;
            JsonElement last;
            do
            {
                last = await GetAsync();
                if (condition(last))
                {
                    return last;
                }

                await Task.Delay(200);
            }
            while (DateTime.UtcNow < until);
            throw new Xunit.Sdk.XunitException($"{what} did not happen within {timeout}; last answer {last}.{Environment.NewLine}{Output}");
        }

        /// <summary>Waits until the output holds <paramref name="text"/>.</summary>
        public async Task WaitForOutputAsync(string text, TimeSpan timeout)
        {
            var until = DateTime.UtcNow + timeout;
            while (!Output.Contains(text, StringComparison.Ordinal))
            {
                if (DateTime.UtcNow > until)
                {
                    throw new Xunit.Sdk.XunitException($"The app's output did not show '{text}' within {timeout}:{Environment.NewLine}{Output}");
                }

                await Task.Delay(200);
            }
        }

        /// <summary>Stops the app and returns everything it wrote.</summary>
        public async Task<string> StopAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }

            return Output;
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            _process.Dispose();
            _http.Dispose();
        }

        private void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
            }

            if (Listening().Match(line) is { Success: true } match)
            {
                _listening.TrySetResult(new Uri(match.Groups[1].Value.TrimEnd('/') + "/"));
            }
        }

        [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
        private static partial Regex Listening();
    }
}

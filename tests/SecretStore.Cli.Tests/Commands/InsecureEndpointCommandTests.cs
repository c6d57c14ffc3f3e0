using SecretStore.Cli.Tests.Infrastructure;

namespace SecretStore.Cli.Tests.Commands;

/// <summary>
/// Issue 23 section 4, endpoints: an http:// service URL for a host that is not this machine is refused before any
/// client is built (KMS answers carry plaintext data keys), unless the insecure opt-in is given.
/// </summary>
public sealed class InsecureEndpointCommandTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    // Dummy credentials, so that a run that gets past the check fails on the network, not on the credential chain.
    private static Dictionary<string, string> Environment(params (string Key, string Value)[] extra)
    {
        var environment = new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = "test",
            ["AWS_SECRET_ACCESS_KEY"] = "test",
            ["SECRETSTORE_KEY_ID"] = "alias/app",
        };
        foreach (var (key, value) in extra)
        {
            environment[key] = value;
        }

        return environment;
    }

    private Task<ProcessResult> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        CliProcess.RunAsync(_folder.Path, ["get", "shop/Db", "--store", "dynamodb:Secrets", .. args], environment);

    [Fact]
    public async Task Http_service_url_for_a_remote_host_is_refused_with_SSB2016_naming_the_setting()
    {
        var started = DateTime.UtcNow;
        var get = await RunAsync(Environment(), "--service-url", "http://example.invalid:8000");

        Assert.Equal(1, get.ExitCode);
        Assert.Contains("error SSB2016: ServiceUrl (--service-url", get.Stderr, StringComparison.Ordinal);
        Assert.Contains("'example.invalid'", get.Stderr, StringComparison.Ordinal);
        Assert.Contains("--allow-insecure-endpoint", get.Stderr, StringComparison.Ordinal);
        Assert.Empty(get.Stdout);

        // No network: no retries, no connection timeout.
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20), get.ToString());
    }

    [Fact]
    public async Task Http_kms_service_url_for_a_remote_host_is_refused_with_SSB2016_naming_the_setting()
    {
        var get = await RunAsync(Environment(), "--service-url", "http://127.0.0.1:9", "--kms-service-url", "http://10.255.255.1/");

        Assert.Equal(1, get.ExitCode);
        Assert.Contains("error SSB2016: KmsServiceUrl (--kms-service-url", get.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--allow-insecure-endpoint")]
    [InlineData("SECRETSTORE_ALLOW_INSECURE_ENDPOINT=yes")]
    public async Task With_the_opt_in_an_http_remote_service_url_gets_past_the_check(string optIn)
    {
        var get = optIn.StartsWith("--", StringComparison.Ordinal)
            ? await RunAsync(Environment(), "--service-url", "http://example.invalid:8000", optIn)
            : await RunAsync(Environment((optIn.Split('=')[0], optIn.Split('=')[1])), "--service-url", "http://example.invalid:8000");

        // It fails later, on the name that does not resolve (the SDK's client error), not on the endpoint rule.
        Assert.Equal(1, get.ExitCode);
        Assert.DoesNotContain("SSB2016", get.Stderr, StringComparison.Ordinal);
        Assert.Contains("secretstore: error SSB", get.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Https_and_loopback_http_service_urls_pass_the_check()
    {
        var https = await RunAsync(Environment(), "--service-url", "https://example.invalid:8000", "--kms-service-url", "https://example.invalid:8001");
        var loopback = await RunAsync(Environment(), "--service-url", "http://localhost:9", "--kms-service-url", "http://[::1]:9");

        Assert.DoesNotContain("SSB2016", https.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("SSB2016", loopback.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_opt_in_variable_is_parsed_strictly()
    {
        var get = await RunAsync(Environment(("SECRETSTORE_ALLOW_INSECURE_ENDPOINT", "maybe")), "--service-url", "http://example.invalid:8000");

        Assert.Equal(2, get.ExitCode);
        Assert.Contains("SECRETSTORE_ALLOW_INSECURE_ENDPOINT is 'maybe', which is not a boolean", get.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AWS_ENDPOINT_URL")]
    [InlineData("AWS_ENDPOINT_URL_DYNAMODB")]
    public async Task The_SDKs_endpoint_variable_for_a_remote_http_host_is_refused_with_SSB2016_naming_it(string variable)
    {
        // Red team: with no --service-url the SDK read AWS_ENDPOINT_URL itself and sent the requests in clear text.
        var get = await RunAsync(Environment((variable, "http://10.255.255.1:18888")));

        Assert.Equal(1, get.ExitCode);
        Assert.Contains($"error SSB2016: {variable} (the AWS SDK's endpoint variable", get.Stderr, StringComparison.Ordinal);
        Assert.Contains("'10.255.255.1'", get.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_SDKs_KMS_endpoint_variable_for_a_remote_http_host_is_refused_with_SSB2016_naming_it()
    {
        var get = await RunAsync(Environment(("AWS_ENDPOINT_URL_KMS", "http://10.255.255.1:18888")), "--service-url", "http://127.0.0.1:9");

        Assert.Equal(1, get.ExitCode);
        Assert.Contains("error SSB2016: AWS_ENDPOINT_URL_KMS (the AWS SDK's endpoint variable", get.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_loopback_http_endpoint_is_reached_directly_never_through_an_HTTP_PROXY()
    {
        // Red team: HTTP_PROXY (an earlier CI step's, or the runner's) carried the clear-text requests to
        // http://localhost:… off the machine. Here the "proxy" is a listener that counts connections.
        using var proxy = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        proxy.Start();
        var proxyUrl = $"http://127.0.0.1:{((System.Net.IPEndPoint)proxy.LocalEndpoint).Port}";
        var connections = 0;
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    using var client = await proxy.AcceptTcpClientAsync(stop.Token);
                    Interlocked.Increment(ref connections);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        var closedPort = ClosedPort();
        var get = await RunAsync(
            Environment(("HTTP_PROXY", proxyUrl), ("http_proxy", proxyUrl), ("NO_PROXY", ""), ("no_proxy", "")),
            "--region", "us-east-1", "--service-url", $"http://localhost:{closedPort}");
        await stop.CancelAsync();
        await accepting;

        Assert.Equal(1, get.ExitCode);
        Assert.Equal(0, Volatile.Read(ref connections));
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

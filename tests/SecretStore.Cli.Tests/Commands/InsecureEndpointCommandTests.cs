using SecretStore.Cli.Tests.Infrastructure;

namespace SecretStore.Cli.Tests.Commands;

/// <summary>
/// Issue 23 section 4, endpoints: an http:// service URL for a host that is not this machine is refused before any
/// client is built (KMS answers carry plaintext data keys), unless the insecure opt-in is given.
/// </summary>
public sealed class InsecureEndpointCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

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
}

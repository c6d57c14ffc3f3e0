namespace Cake.SecretStore.Tests;

/// <summary>
/// Issue 23 section 4 through the real Cake runner: an http:// ServiceUrl for a host that is not loopback is SSB2016
/// unless <c>AllowInsecureEndpoint</c>; no DynamoDB or KMS is needed, the refusal comes before any client exists.
/// </summary>
[Collection(CakeCollection.Name)]
public sealed class CakeEndpointPolicyTests(AddinFeed feed) : IDisposable
{
    private const string Script = CakeWorkspace.TryPrelude + """
        Task("Default").Does(() =>
        {
            var settings = new SecretStoreSettings { Protection = "kms", Table = "Secrets", KeyId = "alias/app", ServiceUrl = "http://example.invalid:8000" };
            System.IO.File.WriteAllText("refused.txt", Try(() => GetSecret("Shop", "Db", settings)));
            settings.AllowInsecureEndpoint = true;
            System.IO.File.WriteAllText("allowed.txt", Try(() => GetSecret("Shop", "Db", settings)));
        });

        RunTarget("Default");
        """;

    private readonly CakeWorkspace _workspace = new(feed);

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public void GetSecret_with_an_http_remote_ServiceUrl_is_SSB2016_and_AllowInsecureEndpoint_gets_past_the_check()
    {
        var result = _workspace.RunCake(Script, new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = "test",
            ["AWS_SECRET_ACCESS_KEY"] = "test",
            ["AWS_EC2_METADATA_DISABLED"] = "true",
        });

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.StartsWith("error:SSB2016: ServiceUrl (--service-url", _workspace.Read("refused.txt"), StringComparison.Ordinal);
        Assert.Contains("Cake AllowInsecureEndpoint = true", _workspace.Read("refused.txt"), StringComparison.Ordinal);
        var allowed = _workspace.Read("allowed.txt");
        Assert.StartsWith("error:", allowed, StringComparison.Ordinal);
        Assert.DoesNotContain("SSB2016", allowed, StringComparison.Ordinal);
    }
}

using Amazon;
using Amazon.DynamoDBv2;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using SecretStore.Configuration;
using SecretStore.Diagnostics;

namespace SecretStore.Aws.Clients;

/// <summary>
/// Builds AWS clients from <see cref="StoreSettings"/> the way AWS users expect: the SDK's default
/// credential chain (environment, profiles incl. SSO, container and instance roles), a region, an optional
/// service URL for local endpoints, and the SDK's standard retry mode set explicitly (no second retry layer).
/// </summary>
public static class AwsClientFactory
{
    /// <summary>Retries after the first attempt (standard mode; 3 attempts in all, the SDK default, made explicit).</summary>
    public const int MaxErrorRetry = 2;

    /// <summary>The signing region used with a service URL when no region is configured.</summary>
    public const string LocalSigningRegion = "us-east-1";

    /// <summary>A DynamoDB client for <see cref="StoreSettings.Region"/> and <see cref="StoreSettings.ServiceUrl"/>.</summary>
    public static AmazonDynamoDBClient CreateDynamoDbClient(StoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var (url, setting) = DynamoDbEndpoint(settings);
        EndpointPolicy.Check(setting, url, settings.AllowInsecureEndpoint);
        var config = new AmazonDynamoDBConfig();
        Configure(config, settings.Region, url, settings.AllowInsecureEndpoint);
        var credentials = CredentialsFor(url);
        return credentials is null ? new AmazonDynamoDBClient(config) : new AmazonDynamoDBClient(credentials, config);
    }

    /// <summary>A KMS client for <see cref="StoreSettings.Region"/> and <see cref="StoreSettings.KmsServiceUrl"/>.</summary>
    public static AmazonKeyManagementServiceClient CreateKmsClient(StoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var (url, setting) = KmsEndpoint(settings);
        EndpointPolicy.Check(setting, url, settings.AllowInsecureEndpoint);
        var config = new AmazonKeyManagementServiceConfig();
        Configure(config, settings.Region, url, settings.AllowInsecureEndpoint);
        var credentials = CredentialsFor(url);
        return credentials is null ? new AmazonKeyManagementServiceClient(config) : new AmazonKeyManagementServiceClient(credentials, config);
    }

    /// <summary>
    /// Refuses (SSB2016) a plain-http endpoint for a remote host among those <paramref name="settings"/> will use:
    /// DynamoDB for DynamoDB storage, KMS for KMS protection. Called before any key or client is made, so the
    /// refusal is the first thing a user sees, whatever else is missing.
    /// </summary>
    public static void CheckEndpoints(StoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Storage == StorageKind.DynamoDb)
        {
            var (url, setting) = DynamoDbEndpoint(settings);
            EndpointPolicy.Check(setting, url, settings.AllowInsecureEndpoint);
        }

        if (settings.Protection == ProtectionKind.Kms)
        {
            var (url, setting) = KmsEndpoint(settings);
            EndpointPolicy.Check(setting, url, settings.AllowInsecureEndpoint);
        }
    }

    /// <summary>True when <paramref name="serviceUrl"/> names this machine (127.0.0.0/8, ::1 or localhost).</summary>
    public static bool IsLoopback(string? serviceUrl) => EndpointPolicy.IsLoopback(serviceUrl);

    /// <summary>
    /// The endpoint the client will use and the setting it came from. The SDK's own endpoint settings
    /// (<c>AWS_ENDPOINT_URL_&lt;SERVICE&gt;</c>, <c>AWS_ENDPOINT_URL</c>) are honoured here, where the endpoint rule sees
    /// them, and the SDK is told to ignore configured endpoints itself (<see cref="Configure"/>), so no endpoint
    /// reaches a client unchecked; <c>endpoint_url</c> in the shared config file is not used at all.
    /// </summary>
    private static (string? Url, string Setting) DynamoDbEndpoint(StoreSettings settings) =>
        Endpoint(settings.ServiceUrl, "ServiceUrl (--service-url, SECRETSTORE_SERVICE_URL, MSBuild SecretStoreServiceUrl, Cake ServiceUrl)", "AWS_ENDPOINT_URL_DYNAMODB");

    private static (string? Url, string Setting) KmsEndpoint(StoreSettings settings) =>
        Endpoint(settings.KmsServiceUrl, "KmsServiceUrl (--kms-service-url, SECRETSTORE_KMS_SERVICE_URL, MSBuild SecretStoreKmsServiceUrl, Cake KmsServiceUrl)", "AWS_ENDPOINT_URL_KMS");

    private static (string? Url, string Setting) Endpoint(string? configured, string setting, string serviceVariable)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return (configured, setting);
        }

        foreach (var variable in new[] { serviceVariable, "AWS_ENDPOINT_URL" })
        {
            var value = Environment.GetEnvironmentVariable(variable);
            if (!string.IsNullOrWhiteSpace(value))
            {
                return (value, $"{variable} (the AWS SDK's endpoint variable; {setting} takes precedence)");
            }
        }

        return (null, setting);
    }

    private static void Configure(ClientConfig config, string? region, string? serviceUrl, bool allowInsecure)
    {
        config.RetryMode = RequestRetryMode.Standard;
        config.MaxErrorRetry = MaxErrorRetry;

        // Every endpoint was checked by EndpointPolicy above; none may come from elsewhere.
        config.IgnoreConfiguredEndpointUrls = true;
        if (!string.IsNullOrWhiteSpace(serviceUrl))
        {
            if (!Uri.TryCreate(serviceUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new SecretStoreException(DiagnosticCodes.InvalidStoreConfiguration, $"The AWS service URL '{serviceUrl}' is not an absolute http(s) URL.");
            }

            config.ServiceURL = serviceUrl;
            if (!allowInsecure && uri.Scheme == Uri.UriSchemeHttp)
            {
                // A clear-text loopback endpoint is reached directly: an HTTP_PROXY (set by an earlier CI step, or
                // for the whole runner) would otherwise carry the requests and the KMS answers off the machine.
                // An empty WebProxy has no address, so every request bypasses it.
                config.SetWebProxy(new System.Net.WebProxy());
            }

            config.AuthenticationRegion = string.IsNullOrWhiteSpace(region) ? LocalSigningRegion : region;
        }
        else if (!string.IsNullOrWhiteSpace(region))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }
    }

    /// <summary>
    /// Null means "let the SDK use its default chain". Only for a loopback service URL, and only when no
    /// credentials are configured (no <c>AWS_ACCESS_KEY_ID</c>, no profile named by <c>AWS_PROFILE</c> or
    /// <c>default</c>), do we fall back to dummy credentials: local emulators accept any signature, and real AWS
    /// endpoints are never loopback, so this cannot hide a missing credential in production. We look only at
    /// the environment and the profile files here, never at the instance metadata service, so a local run
    /// makes no request off this machine.
    /// </summary>
    private static BasicAWSCredentials? CredentialsFor(string? serviceUrl)
    {
        if (!IsLoopback(serviceUrl))
        {
            return null;
        }

        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID")))
        {
            return null;
        }

        var profile = Environment.GetEnvironmentVariable("AWS_PROFILE");
        var profiles = new CredentialProfileStoreChain();
        return profiles.TryGetProfile(string.IsNullOrEmpty(profile) ? "default" : profile, out _)
            ? null
            : new BasicAWSCredentials("local", "local");
    }
}

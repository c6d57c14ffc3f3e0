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
        EndpointPolicy.Check("ServiceUrl (--service-url, SECRETSTORE_SERVICE_URL, MSBuild SecretStoreServiceUrl, Cake ServiceUrl)", settings.ServiceUrl, settings.AllowInsecureEndpoint);
        var config = new AmazonDynamoDBConfig();
        Configure(config, settings.Region, settings.ServiceUrl);
        var credentials = CredentialsFor(settings.ServiceUrl);
        return credentials is null ? new AmazonDynamoDBClient(config) : new AmazonDynamoDBClient(credentials, config);
    }

    /// <summary>A KMS client for <see cref="StoreSettings.Region"/> and <see cref="StoreSettings.KmsServiceUrl"/>.</summary>
    public static AmazonKeyManagementServiceClient CreateKmsClient(StoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        EndpointPolicy.Check("KmsServiceUrl (--kms-service-url, SECRETSTORE_KMS_SERVICE_URL, MSBuild SecretStoreKmsServiceUrl, Cake KmsServiceUrl)", settings.KmsServiceUrl, settings.AllowInsecureEndpoint);
        var config = new AmazonKeyManagementServiceConfig();
        Configure(config, settings.Region, settings.KmsServiceUrl);
        var credentials = CredentialsFor(settings.KmsServiceUrl);
        return credentials is null ? new AmazonKeyManagementServiceClient(config) : new AmazonKeyManagementServiceClient(credentials, config);
    }

    /// <summary>True when <paramref name="serviceUrl"/> names this machine (127.0.0.0/8, ::1 or localhost).</summary>
    public static bool IsLoopback(string? serviceUrl) => EndpointPolicy.IsLoopback(serviceUrl);

    private static void Configure(ClientConfig config, string? region, string? serviceUrl)
    {
        config.RetryMode = RequestRetryMode.Standard;
        config.MaxErrorRetry = MaxErrorRetry;
        if (!string.IsNullOrWhiteSpace(serviceUrl))
        {
            if (!Uri.TryCreate(serviceUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new SecretStoreException(DiagnosticCodes.InvalidStoreConfiguration, $"The AWS service URL '{serviceUrl}' is not an absolute http(s) URL.");
            }

            config.ServiceURL = serviceUrl;
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

using System.Net;
using Amazon;
using Amazon.DynamoDBv2;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
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
        var config = new AmazonDynamoDBConfig();
        Configure(config, settings.Region, settings.ServiceUrl);
        var credentials = CredentialsFor(config, settings.ServiceUrl);
        return credentials is null ? new AmazonDynamoDBClient(config) : new AmazonDynamoDBClient(credentials, config);
    }

    /// <summary>A KMS client for <see cref="StoreSettings.Region"/> and <see cref="StoreSettings.KmsServiceUrl"/>.</summary>
    public static AmazonKeyManagementServiceClient CreateKmsClient(StoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var config = new AmazonKeyManagementServiceConfig();
        Configure(config, settings.Region, settings.KmsServiceUrl);
        var credentials = CredentialsFor(config, settings.KmsServiceUrl);
        return credentials is null ? new AmazonKeyManagementServiceClient(config) : new AmazonKeyManagementServiceClient(credentials, config);
    }

    /// <summary>True when <paramref name="serviceUrl"/> names this machine (127.0.0.0/8, ::1 or localhost).</summary>
    public static bool IsLoopback(string? serviceUrl) =>
        Uri.TryCreate(serviceUrl, UriKind.Absolute, out var uri)
        && (uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address)));

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
    /// Null means "let the SDK use its default chain". Only for a loopback service URL, and only when that
    /// chain finds nothing, do we fall back to dummy credentials: local emulators accept any signature, and
    /// real AWS endpoints are never loopback, so this cannot hide a missing credential in production.
    /// </summary>
    private static BasicAWSCredentials? CredentialsFor(ClientConfig config, string? serviceUrl)
    {
        if (!IsLoopback(serviceUrl))
        {
            return null;
        }

        try
        {
            _ = DefaultAWSCredentialsIdentityResolver.GetCredentials(config);
            return null;
        }
        catch (AmazonClientException)
        {
            return new BasicAWSCredentials("local", "local");
        }
    }
}

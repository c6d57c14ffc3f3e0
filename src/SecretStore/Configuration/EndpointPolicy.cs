using System.Net;
using SecretStore.Diagnostics;

namespace SecretStore.Configuration;

/// <summary>
/// The one rule for service endpoints, for every backend (DynamoDB, KMS, later PostgreSQL): <c>https://</c> always;
/// <c>http://</c> only to this machine (DynamoDB Local, a test fixture) unless <see cref="StoreSettings.AllowInsecureEndpoint"/>
/// says otherwise. KMS answers carry plaintext data keys, so a clear-text hop off the machine gives them to anyone
/// on the path.
/// </summary>
public static class EndpointPolicy
{
    /// <summary>The environment variable of the opt-in, read by every face.</summary>
    public const string AllowInsecureEndpointVariable = "SECRETSTORE_ALLOW_INSECURE_ENDPOINT";

    /// <summary>How to turn the opt-in on, in every face; quoted in the refusal.</summary>
    public const string OptIn = "--allow-insecure-endpoint (SECRETSTORE_ALLOW_INSECURE_ENDPOINT=true, MSBuild SecretStoreAllowInsecureEndpoint=true, Cake AllowInsecureEndpoint = true, action input allow-insecure-endpoint, Azure template parameter allowInsecureEndpoint)";

    /// <summary>True when <paramref name="url"/> names this machine (127.0.0.0/8, ::1 or localhost).</summary>
    public static bool IsLoopback(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address)));

    /// <summary>
    /// Refuses (<c>SSB2016</c>, naming <paramref name="settingName"/>) an <c>http://</c> <paramref name="url"/> for a
    /// host that is not loopback, unless <paramref name="allowInsecure"/>. Blank, <c>https://</c> and anything that is
    /// not an http URL pass (the caller checks the URL's shape).
    /// </summary>
    public static void Check(string settingName, string? url, bool allowInsecure)
    {
        ArgumentException.ThrowIfNullOrEmpty(settingName);
        if (allowInsecure || string.IsNullOrWhiteSpace(url)
            || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || !string.Equals(uri.Scheme, Uri.UriSchemeHttp, StringComparison.OrdinalIgnoreCase)
            || IsLoopback(url))
        {
            return;
        }

        // The host only: a URL may carry user info, which is never repeated.
        throw new SecretStoreException(
            DiagnosticCodes.InsecureEndpoint,
            $"{settingName} is an http:// URL for host '{uri.Host}', which is not this machine: requests and answers (KMS data keys included) would cross the network without TLS. Fix: use https://, or for a trusted network pass {OptIn}.");
    }
}

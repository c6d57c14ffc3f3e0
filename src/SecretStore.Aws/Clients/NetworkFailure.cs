using System.Net.Http;
using System.Net.Sockets;
using Amazon.Runtime;

namespace SecretStore.Aws.Clients;

/// <summary>
/// Tells a call that never got an answer (connection refused, a host name that does not resolve, a timeout, a
/// connection lost mid-request) from a service that answered "slow down", so the message points at the service
/// URL and the network rather than at quotas. The endpoint is named as host:port only: a service URL may carry
/// user info, which never reaches a message.
/// </summary>
internal static class NetworkFailure
{
    /// <summary>
    /// What went wrong on the wire, as a phrase naming the endpoint ("could not connect to host:port (connection
    /// refused)", "timed out reaching host:port", ...); null when <paramref name="exception"/> is not a network failure.
    /// </summary>
    public static string? Describe(Exception exception, IClientConfig? config, string service, string endpointPrefix)
    {
        var chain = Chain(exception).ToList();
        var endpoint = Endpoint(config, service, endpointPrefix);

        // A timeout first: the SDK's TimeoutException wraps the socket's "operation canceled" (ECANCELED).
        if (chain.Any(e => e is TimeoutException or TaskCanceledException))
        {
            return $"timed out reaching {endpoint}";
        }

        if (chain.OfType<SocketException>().FirstOrDefault() is { } socket)
        {
            return socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => $"could not connect to {endpoint} (connection refused)",
                SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => $"could not connect to {endpoint} (the host name did not resolve)",
                SocketError.TimedOut => $"timed out reaching {endpoint}",
                SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown or SocketError.NotConnected
                    => $"lost the connection to {endpoint} before an answer",
                SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.NetworkDown or SocketError.HostDown
                    => $"could not connect to {endpoint} (network or host unreachable)",
                var other => $"could not connect to {endpoint} ({other})",
            };
        }

        var httpError = chain.OfType<HttpRequestException>().Select(e => e.HttpRequestError).FirstOrDefault(e => e != HttpRequestError.Unknown);
        var phrase = httpError switch
        {
            HttpRequestError.NameResolutionError => $"could not connect to {endpoint} (the host name did not resolve)",
            HttpRequestError.ConnectionError => $"could not connect to {endpoint}",
            HttpRequestError.SecureConnectionError => $"could not connect to {endpoint} (the TLS handshake failed)",
            HttpRequestError.ProxyTunnelError => $"could not connect to {endpoint} (the proxy refused the tunnel)",
            HttpRequestError.ResponseEnded => $"lost the connection to {endpoint} before an answer",
            _ => null,
        };
        if (phrase is not null)
        {
            return phrase;
        }

        return chain.Any(e => e is IOException) ? $"lost the connection to {endpoint} before an answer" : null;
    }

    /// <summary>
    /// host:port of the endpoint the client calls: its service URL, else the regional endpoint
    /// (<c>prefix.region.dns-suffix:443</c>), else a description.
    /// </summary>
    internal static string Endpoint(IClientConfig? config, string service, string endpointPrefix)
    {
        if (Uri.TryCreate(config?.ServiceURL, UriKind.Absolute, out var uri))
        {
            return $"{uri.Host}:{uri.Port}";
        }

        if (config?.RegionEndpoint is { } region)
        {
            var suffix = string.IsNullOrEmpty(region.PartitionDnsSuffix) ? "amazonaws.com" : region.PartitionDnsSuffix;
            return $"{endpointPrefix}.{region.SystemName}.{suffix}:443";
        }

        return $"the {service} endpoint of the SDK's default region";
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            yield return current;
        }
    }
}

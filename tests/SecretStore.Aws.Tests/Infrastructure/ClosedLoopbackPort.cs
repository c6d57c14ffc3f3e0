using System.Net;
using System.Net.Sockets;

namespace SecretStore.Aws.Tests.Infrastructure;

/// <summary>A loopback endpoint nobody listens on, for connections that must be refused.</summary>
public static class ClosedLoopbackPort
{
    /// <summary>
    /// <c>http://127.0.0.1:&lt;port&gt;/</c> for a port the system just handed out and that was closed again: a
    /// connection to it is refused at once (no timeout, no request off the machine).
    /// </summary>
    public static Uri NewUrl()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/");
    }
}

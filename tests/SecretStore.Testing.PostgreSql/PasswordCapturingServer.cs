using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SecretStore.Testing.PostgreSql;

/// <summary>
/// What a host that a changed connection string names can do: speak the start of the PostgreSQL protocol on a loopback
/// port, ask every client for its password in clear text (AuthenticationCleartextPassword), and keep what it is sent.
/// It refuses TLS and GSS encryption, as an attacker's server may, then ends each login with <c>28P01</c>.
/// </summary>
public sealed class PasswordCapturingServer : IAsyncDisposable
{
    private const int SslRequest = 80877103, GssRequest = 80877104;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _passwords = [];
    private readonly Task _accepting;
    private int _logins;

    private PasswordCapturingServer(EndPoint endPoint)
    {
        _listener = new Socket(endPoint.AddressFamily, SocketType.Stream, endPoint.AddressFamily == AddressFamily.Unix ? ProtocolType.Unspecified : ProtocolType.Tcp);
        _listener.Bind(endPoint);
        _listener.Listen(16);
        _accepting = AcceptAsync();
    }

    /// <summary>The loopback port it listens on (TCP).</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    /// <summary>How many clients sent a startup message (reached the point of being asked for a password).</summary>
    public int Logins => Volatile.Read(ref _logins);

    /// <summary>The passwords clients sent, in order.</summary>
    public IReadOnlyList<string> Passwords
    {
        get
        {
            lock (_passwords)
            {
                return [.. _passwords];
            }
        }
    }

    /// <summary>Starts listening.</summary>
    public static PasswordCapturingServer Start() => new(new IPEndPoint(IPAddress.Loopback, 0));

    /// <summary>
    /// Listens on the Unix socket a client given <c>Host=<paramref name="directory"/>;Port=<paramref name="port"/></c>
    /// connects to (<c>.s.PGSQL.port</c> in that folder), as a local user can in <c>/tmp</c>.
    /// </summary>
    public static PasswordCapturingServer StartUnix(string directory, int port = 5432) =>
        new(new UnixDomainSocketEndPoint(Path.Combine(directory, $".s.PGSQL.{port}")));

    /// <summary>Stops listening.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using (client)
        {
            try
            {
                await using var stream = new NetworkStream(client, ownsSocket: false);
                while (true)
                {
                    // Untyped start-up messages: length, then a code (an SSL or GSS request, or the protocol version).
                    var head = await ReadExactlyAsync(stream, 8);
                    var length = BinaryPrimitives.ReadInt32BigEndian(head);
                    var code = BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(4));
                    if (code is SslRequest or GssRequest)
                    {
                        await stream.WriteAsync("N"u8.ToArray(), _stop.Token);
                        continue;
                    }

                    _ = await ReadExactlyAsync(stream, length - 8);
                    break;
                }

                Interlocked.Increment(ref _logins);
                await stream.WriteAsync(new byte[] { (byte)'R', 0, 0, 0, 8, 0, 0, 0, 3 }, _stop.Token);
                var type = await ReadExactlyAsync(stream, 5);
                if (type[0] == (byte)'p')
                {
                    var body = await ReadExactlyAsync(stream, BinaryPrimitives.ReadInt32BigEndian(type.AsSpan(1)) - 4);
                    lock (_passwords)
                    {
                        _passwords.Add(Encoding.UTF8.GetString(body).TrimEnd('\0'));
                    }
                }

                var error = Encoding.ASCII.GetBytes("SFATAL\0C28P01\0Mpassword authentication failed\0\0");
                var message = new byte[5 + error.Length];
                message[0] = (byte)'E';
                BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(1), 4 + error.Length);
                error.CopyTo(message, 5);
                await stream.WriteAsync(message, _stop.Token);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or EndOfStreamException)
            {
                // The client hung up: it had no password to give.
            }
        }
    }

    private async Task<byte[]> ReadExactlyAsync(NetworkStream stream, int count)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer, _stop.Token);
        return buffer;
    }
}

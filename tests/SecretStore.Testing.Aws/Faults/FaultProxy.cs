using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SecretStore.Testing.Aws.Faults;

/// <summary>
/// An HTTP/1.1 fault proxy on a loopback port in front of a real AWS-protocol endpoint (DynamoDB Local, the KMS
/// fixture). It forwards each request unchanged (the SDK's signature is not checked by either upstream) unless
/// a queued <see cref="Fault"/> matches: then it drops the connection, stalls, answers 500/503/throttling, or
/// forwards and loses the response ("applied but response lost"). It counts what it received and forwarded per
/// operation, so a test can tell how often the SDK retried and whether a write reached the upstream.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Host", "Content-Length", "Expect", "Upgrade", "Proxy-Connection", "TE", "Trailer",
    };

    private readonly Uri _upstream;
    private readonly HttpClient _client = new(new SocketsHttpHandler { UseProxy = false, AutomaticDecompression = DecompressionMethods.None });
    private readonly ConcurrentQueue<FaultSlot> _faults = new();
    private readonly ConcurrentDictionary<string, int> _received = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _forwarded = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _faulted = new(StringComparer.Ordinal);
    private WebApplication? _app;

    private FaultProxy(Uri upstream) => _upstream = upstream;

    /// <summary>The proxy's base URL, to use as the SDK's ServiceURL.</summary>
    public Uri ServiceUrl { get; private set; } = null!;

    /// <summary>The service flavour decides the error bodies: DynamoDB (JSON 1.0) or KMS (JSON 1.1).</summary>
    public bool IsDynamoDb { get; private set; }

    /// <summary>Starts a proxy on a free loopback port in front of <paramref name="upstream"/>.</summary>
    public static async Task<FaultProxy> StartAsync(Uri upstream, bool dynamoDb, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        var proxy = new FaultProxy(upstream) { IsDynamoDb = dynamoDb };
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(FaultProxy).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(proxy.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        proxy.ServiceUrl = new Uri(address.EndsWith('/') ? address : address + "/");
        proxy._app = app;
        return proxy;
    }

    /// <summary>Queues a fault; faults apply in the order queued, each to its next <see cref="Fault.Count"/> matching requests.</summary>
    public void Inject(Fault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        _faults.Enqueue(new FaultSlot(fault));
    }

    /// <summary>Removes every queued fault.</summary>
    public void Clear() => _faults.Clear();

    /// <summary>Requests of <paramref name="operation"/> that arrived.</summary>
    public int Received(string operation) => _received.GetValueOrDefault(operation);

    /// <summary>Requests of <paramref name="operation"/> that reached the upstream.</summary>
    public int Forwarded(string operation) => _forwarded.GetValueOrDefault(operation);

    /// <summary>Requests of <paramref name="operation"/> that a fault hit.</summary>
    public int Faulted(string operation) => _faulted.GetValueOrDefault(operation);

    /// <summary>Requests that a fault hit, all operations.</summary>
    public int TotalFaulted => _faulted.Values.Sum();

    /// <summary>Zeroes the counters.</summary>
    public void ResetCounters()
    {
        _received.Clear();
        _forwarded.Clear();
        _faulted.Clear();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }

        _client.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var target = context.Request.Headers["X-Amz-Target"].ToString();
        var operation = target[(target.LastIndexOf('.') + 1)..];
        _received.AddOrUpdate(operation, 1, (_, n) => n + 1);
        var fault = Take(operation);
        if (fault is not null)
        {
            _faulted.AddOrUpdate(operation, 1, (_, n) => n + 1);
        }

        switch (fault?.Kind ?? FaultKind.None)
        {
            case FaultKind.DropConnection:
                context.Abort();
                return;
            case FaultKind.Stall:
                await StallAsync(context, fault!.Delay).ConfigureAwait(false);
                return;
            case FaultKind.InternalError:
                await ErrorAsync(context, 500, IsDynamoDb ? "InternalServerError" : "KMSInternalException", "Injected internal error").ConfigureAwait(false);
                return;
            case FaultKind.ServiceUnavailable:
                await ErrorAsync(context, 503, "ServiceUnavailable", "Injected unavailability").ConfigureAwait(false);
                return;
            case FaultKind.Throttle:
                await ErrorAsync(context, 400, "ThrottlingException", "Rate exceeded").ConfigureAwait(false);
                return;
        }

        using var response = await ForwardAsync(context, operation).ConfigureAwait(false);
        switch (fault?.Kind)
        {
            case FaultKind.ForwardThenDrop:
                context.Abort();
                return;
            case FaultKind.ForwardThenStall:
                await StallAsync(context, fault.Delay).ConfigureAwait(false);
                return;
        }

        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var header in response.Headers.Concat(response.Content.Headers))
        {
            if (!HopHeaders.Contains(header.Key))
            {
                context.Response.Headers[header.Key] = header.Value.ToArray();
            }
        }

        var body = await response.Content.ReadAsByteArrayAsync(context.RequestAborted).ConfigureAwait(false);
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> ForwardAsync(HttpContext context, string operation)
    {
        var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted).ConfigureAwait(false);
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(_upstream, context.Request.Path + context.Request.QueryString))
        {
            Content = new ByteArrayContent(body.ToArray()),
        };
        foreach (var header in context.Request.Headers)
        {
            if (HopHeaders.Contains(header.Key))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray()))
            {
                request.Content.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray());
            }
        }

        // The upstream applies the request even if the client has gone: that is the point of "response lost".
        var response = await _client.SendAsync(request, CancellationToken.None).ConfigureAwait(false);
        await response.Content.LoadIntoBufferAsync(CancellationToken.None).ConfigureAwait(false);
        _forwarded.AddOrUpdate(operation, 1, (_, n) => n + 1);
        return response;
    }

    private static async Task StallAsync(HttpContext context, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The client gave up first, as intended.
        }

        context.Abort();
    }

    private async Task ErrorAsync(HttpContext context, int status, string type, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = IsDynamoDb ? "application/x-amz-json-1.0" : "application/x-amz-json-1.1";
        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        var prefix = IsDynamoDb ? "com.amazonaws.dynamodb.v20120810#" : string.Empty;
        await context.Response.WriteAsync($$"""{"__type":"{{prefix}}{{type}}","message":"{{message}}"}""", context.RequestAborted).ConfigureAwait(false);
    }

    private Fault? Take(string operation)
    {
        foreach (var slot in _faults)
        {
            if (slot.Fault.Operation is { } only && !string.Equals(only, operation, StringComparison.Ordinal))
            {
                continue;
            }

            if (slot.TryUse())
            {
                return slot.Fault;
            }
        }

        return null;
    }

    private sealed class FaultSlot(Fault fault)
    {
        private int _left = fault.Count;

        public Fault Fault { get; } = fault;

        public bool TryUse()
        {
            while (true)
            {
                var left = Volatile.Read(ref _left);
                if (left <= 0)
                {
                    return false;
                }

                if (Interlocked.CompareExchange(ref _left, left - 1, left) == left)
                {
                    return true;
                }
            }
        }
    }
}

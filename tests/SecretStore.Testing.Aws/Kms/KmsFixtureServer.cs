using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SecretStore.Testing.Aws.Kms;

/// <summary>
/// A small KMS-compatible server on 127.0.0.1 for tests (no KMS emulator is available): JSON 1.1 with
/// <c>X-Amz-Target: TrentService.&lt;Op&gt;</c>, real AES-GCM blobs bound to the encryption context, the real
/// error shapes, fault switches and per-operation request counters. The real <c>AWSSDK.KeyManagementService</c>
/// client talks to it over HTTP. It never ships.
/// </summary>
public sealed class KmsFixtureServer : IAsyncDisposable
{
    /// <summary>The region in every ARN the fixture makes.</summary>
    public const string Region = "us-east-1";

    /// <summary>The account in every ARN the fixture makes.</summary>
    public const string Account = "111122223333";

    private const string TargetPrefix = "TrentService.";

    private readonly ConcurrentDictionary<string, KeyState> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _aliases = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _deniedOperations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RequestGate> _gates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, OperationFault> _operationFaults = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Action<JsonObject>> _rewrites = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Operation, JsonObject Body)> _recorded = new();
    private WebApplication? _app;
    private int _throttleNext;
    private int _failNext;
    private int _inFlight;
    private int _maxInFlight;
    private long _latencyTicks;

    private KmsFixtureServer()
    {
    }

    /// <summary>The base URL (<c>http://127.0.0.1:port/</c>) to use as the KMS service URL.</summary>
    public Uri ServiceUrl { get; private set; } = null!;

    /// <summary>A fixed delay added to every call (default none).</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set => Interlocked.Exchange(ref _latencyTicks, value.Ticks);
    }

    /// <summary>The most calls that were in flight at once since the last <see cref="ResetCounters"/>.</summary>
    public int MaxConcurrentRequests => Volatile.Read(ref _maxInFlight);

    /// <summary>Starts a server on a free loopback port.</summary>
    public static async Task<KmsFixtureServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var server = new KmsFixtureServer();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(KmsFixtureServer).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.ServiceUrl = new Uri(address.EndsWith('/') ? address : address + "/");
        server._app = app;
        return server;
    }

    /// <summary>
    /// A real SDK client for this server: dummy credentials, the SDK's standard retry mode (3 attempts, as
    /// <c>AwsClientFactory</c> sets it), signing region <see cref="Region"/>.
    /// </summary>
    public AmazonKeyManagementServiceClient CreateClient() => new(
        new BasicAWSCredentials("fixture", "fixture"),
        new AmazonKeyManagementServiceConfig
        {
            ServiceURL = ServiceUrl.ToString(),
            AuthenticationRegion = Region,
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = 2,
        });

    /// <summary>Creates an enabled key (and an alias when <paramref name="aliasName"/> is given, with or without <c>alias/</c>).</summary>
    public FixtureKey CreateKey(string? aliasName = null)
    {
        var key = NewKey();
        if (aliasName is null)
        {
            return key.Describe(null);
        }

        var alias = aliasName.StartsWith("alias/", StringComparison.Ordinal) ? aliasName : "alias/" + aliasName;
        if (!_aliases.TryAdd(alias, key.Id))
        {
            throw new InvalidOperationException($"Alias '{alias}' already exists.");
        }

        return key.Describe(alias);
    }

    /// <summary>
    /// Every id form (UUID, key ARN, alias name, alias ARN) of every key made so far: an allow-list for tests whose
    /// subject is not the allow-list itself.
    /// </summary>
    public IReadOnlyList<string> AllKeyIds() =>
        [.. _keys.Values.SelectMany(k => new[] { k.Id, k.Arn }),
         .. _aliases.SelectMany(a => new[] { a.Key, AliasArn(a.Key) })];

    /// <summary>Disables a key (any id form); Decrypt and GenerateDataKey then fail with DisabledException.</summary>
    public void DisableKey(string keyId) => SetEnabled(keyId, false);

    /// <summary>Enables a key again.</summary>
    public void EnableKey(string keyId) => SetEnabled(keyId, true);

    /// <summary>The next <paramref name="count"/> calls answer 400 ThrottlingException.</summary>
    public void ThrottleNext(int count) => Interlocked.Exchange(ref _throttleNext, count);

    /// <summary>The next <paramref name="count"/> calls answer 500 KMSInternalException.</summary>
    public void FailNext(int count) => Interlocked.Exchange(ref _failNext, count);

    /// <summary>Calls of <paramref name="operation"/> (for example <c>Decrypt</c>) answer 400 AccessDeniedException.</summary>
    public void DenyAccess(string operation) => _deniedOperations[operation] = true;

    /// <summary>
    /// The next <paramref name="count"/> calls of <paramref name="operation"/> answer <paramref name="status"/> with the
    /// KMS JSON error shape (<c>__type</c> = <paramref name="errorType"/>; no <c>__type</c> at all when it is null).
    /// </summary>
    public void FailNext(string operation, int count, int status, string? errorType) =>
        _operationFaults[operation] = new OperationFault(count, status, errorType);

    /// <summary>Successful replies of <paramref name="operation"/> pass through <paramref name="rewrite"/> before they are sent (until <see cref="ClearFaults"/>).</summary>
    public void RewriteReplies(string operation, Action<JsonObject> rewrite) => _rewrites[operation] = rewrite;

    /// <summary>The request bodies of <paramref name="operation"/> that arrived since the last <see cref="ResetCounters"/>, in order.</summary>
    public IReadOnlyList<JsonObject> RecordedRequests(string operation) =>
        [.. _recorded.Where(r => r.Operation == operation).Select(r => (JsonObject)r.Body.DeepClone())];

    /// <summary>
    /// Holds every call of <paramref name="operation"/> until the returned gate releases it (until <see cref="ClearFaults"/>).
    /// </summary>
    public RequestGate Hold(string operation) => _gates.GetOrAdd(operation, _ => new RequestGate());

    /// <summary>Lifts every fault switch (throttling, failures, denials, latency, gates).</summary>
    public void ClearFaults()
    {
        foreach (var gate in _gates.Values)
        {
            gate.ReleaseAll();
        }

        _gates.Clear();
        ThrottleNext(0);
        FailNext(0);
        _deniedOperations.Clear();
        _operationFaults.Clear();
        _rewrites.Clear();
        Latency = TimeSpan.Zero;
    }

    /// <summary>How many requests of <paramref name="operation"/> arrived (faulted ones included).</summary>
    public int RequestCount(string operation) => _requests.TryGetValue(operation, out var count) ? count : 0;

    /// <summary>Requests of every operation.</summary>
    public int TotalRequests => _requests.Values.Sum();

    /// <summary>Zeroes the request counters and the concurrency gauge.</summary>
    public void ResetCounters()
    {
        _requests.Clear();
        _recorded.Clear();
        Interlocked.Exchange(ref _maxInFlight, 0);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var target = context.Request.Headers["X-Amz-Target"].ToString();
        var operation = target.StartsWith(TargetPrefix, StringComparison.Ordinal) ? target[TargetPrefix.Length..] : target;
        _requests.AddOrUpdate(operation, 1, (_, n) => n + 1);
        var inFlight = Interlocked.Increment(ref _inFlight);
        UpdateMax(inFlight);
        try
        {
            if (_gates.TryGetValue(operation, out var gate))
            {
                await gate.EnterAsync(context.RequestAborted).ConfigureAwait(false);
            }

            var latency = Latency;
            if (latency > TimeSpan.Zero)
            {
                await Task.Delay(latency, context.RequestAborted).ConfigureAwait(false);
            }

            JsonNode reply;
            try
            {
                if (TryTake(ref _throttleNext))
                {
                    throw new KmsError(400, "ThrottlingException", "Rate exceeded");
                }

                if (TryTake(ref _failNext))
                {
                    throw new KmsError(500, "KMSInternalException", "The request failed due to an internal error.");
                }

                if (_deniedOperations.ContainsKey(operation))
                {
                    throw new KmsError(400, "AccessDeniedException", $"User is not authorized to perform: kms:{operation}");
                }

                JsonObject request;
                try
                {
                    request = JsonNode.Parse(await ReadBodyAsync(context).ConfigureAwait(false)) as JsonObject ?? [];
                }
                catch (JsonException)
                {
                    throw new KmsError(400, "SerializationException", "Malformed request body.");
                }

                _recorded.Enqueue((operation, (JsonObject)request.DeepClone()));
                if (_operationFaults.TryGetValue(operation, out var fault) && fault.TryTake())
                {
                    throw new KmsError(fault.Status, fault.Type, $"Injected {fault.Status} for {operation}.");
                }

                reply = Dispatch(operation, request);
                if (_rewrites.TryGetValue(operation, out var rewrite) && reply is JsonObject rewritten)
                {
                    rewrite(rewritten);
                }
            }
            catch (KmsError error)
            {
                context.Response.StatusCode = error.Status;
                reply = error.Type is null
                    ? new JsonObject { ["message"] = error.Message }
                    : new JsonObject { ["__type"] = error.Type, ["message"] = error.Message };
            }

            context.Response.ContentType = "application/x-amz-json-1.1";
            context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
            await context.Response.WriteAsync(reply.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private JsonNode Dispatch(string operation, JsonObject request) => operation switch
    {
        "CreateKey" => new JsonObject { ["KeyMetadata"] = Metadata(NewKey()) },
        "CreateAlias" => CreateAlias(request),
        "DescribeKey" => new JsonObject { ["KeyMetadata"] = Metadata(Resolve(RequiredString(request, "KeyId"))) },
        "EnableKey" => Toggle(request, enabled: true),
        "DisableKey" => Toggle(request, enabled: false),
        "GenerateDataKey" => GenerateDataKey(request),
        "Encrypt" => Encrypt(request),
        "Decrypt" => Decrypt(request),
        "ReEncrypt" => ReEncrypt(request),
        _ => throw new KmsError(400, "UnknownOperationException", $"Operation '{operation}' is not supported by the fixture."),
    };

    private JsonObject CreateAlias(JsonObject request)
    {
        var alias = RequiredString(request, "AliasName");
        if (!alias.StartsWith("alias/", StringComparison.Ordinal) || alias.StartsWith("alias/aws/", StringComparison.Ordinal))
        {
            throw new KmsError(400, "ValidationException", "AliasName must begin with 'alias/' and not 'alias/aws/'.");
        }

        var key = Resolve(RequiredString(request, "TargetKeyId"));
        return _aliases.TryAdd(alias, key.Id)
            ? []
            : throw new KmsError(400, "AlreadyExistsException", $"An alias with the name {AliasArn(alias)} already exists");
    }

    private JsonObject Toggle(JsonObject request, bool enabled)
    {
        Resolve(RequiredString(request, "KeyId")).Enabled = enabled;
        return [];
    }

    private JsonObject GenerateDataKey(JsonObject request)
    {
        var key = Usable(RequiredString(request, "KeyId"));
        var size = request["KeySpec"]?.GetValue<string>() switch
        {
            "AES_256" => 32,
            "AES_128" => 16,
            null => request["NumberOfBytes"]?.GetValue<int>() is { } n and >= 1 and <= 1024
                ? n
                : throw new KmsError(400, "ValidationException", "Please specify either number of bytes or key spec."),
            var other => throw new KmsError(400, "ValidationException", $"1 validation error detected: Value '{other}' at 'keySpec' failed to satisfy constraint."),
        };
        var plaintext = RandomNumberGenerator.GetBytes(size);
        var blob = KmsFixtureBlob.Seal(key.Id, key.Material, plaintext, Context(request, "EncryptionContext"));
        return new JsonObject
        {
            ["CiphertextBlob"] = Convert.ToBase64String(blob),
            ["Plaintext"] = Convert.ToBase64String(plaintext),
            ["KeyId"] = key.Arn,
        };
    }

    private JsonObject Encrypt(JsonObject request)
    {
        var key = Usable(RequiredString(request, "KeyId"));
        var plaintext = RequiredBytes(request, "Plaintext");
        if (plaintext.Length is < 1 or > 4096)
        {
            throw new KmsError(400, "ValidationException", "Plaintext must be 1 to 4096 bytes.");
        }

        return new JsonObject
        {
            ["CiphertextBlob"] = Convert.ToBase64String(KmsFixtureBlob.Seal(key.Id, key.Material, plaintext, Context(request, "EncryptionContext"))),
            ["KeyId"] = key.Arn,
            ["EncryptionAlgorithm"] = "SYMMETRIC_DEFAULT",
        };
    }

    private JsonObject Decrypt(JsonObject request)
    {
        var (key, plaintext) = Open(RequiredBytes(request, "CiphertextBlob"), OptionalString(request, "KeyId"), Context(request, "EncryptionContext"));
        return new JsonObject
        {
            ["KeyId"] = key.Arn,
            ["Plaintext"] = Convert.ToBase64String(plaintext),
            ["EncryptionAlgorithm"] = "SYMMETRIC_DEFAULT",
        };
    }

    private JsonObject ReEncrypt(JsonObject request)
    {
        var (source, plaintext) = Open(RequiredBytes(request, "CiphertextBlob"), OptionalString(request, "SourceKeyId"), Context(request, "SourceEncryptionContext"));
        var destination = Usable(RequiredString(request, "DestinationKeyId"));
        return new JsonObject
        {
            ["CiphertextBlob"] = Convert.ToBase64String(KmsFixtureBlob.Seal(destination.Id, destination.Material, plaintext, Context(request, "DestinationEncryptionContext"))),
            ["SourceKeyId"] = source.Arn,
            ["KeyId"] = destination.Arn,
            ["SourceEncryptionAlgorithm"] = "SYMMETRIC_DEFAULT",
            ["DestinationEncryptionAlgorithm"] = "SYMMETRIC_DEFAULT",
        };
    }

    private (KeyState Key, byte[] Plaintext) Open(byte[] blob, string? expectedKeyId, Dictionary<string, string> context)
    {
        if (!KmsFixtureBlob.TryReadKeyId(blob, out var uuid) || !_keys.TryGetValue(uuid, out var key))
        {
            throw new KmsError(400, "InvalidCiphertextException", string.Empty);
        }

        if (expectedKeyId is not null && Resolve(expectedKeyId).Id != key.Id)
        {
            throw new KmsError(400, "IncorrectKeyException", "The key ID in the request does not identify a CMK that can perform this operation.");
        }

        if (!key.Enabled)
        {
            throw new KmsError(400, "DisabledException", $"{key.Arn} is disabled.");
        }

        var plaintext = KmsFixtureBlob.Open(blob, key.Material, context)
            ?? throw new KmsError(400, "InvalidCiphertextException", string.Empty);
        return (key, plaintext);
    }

    private KeyState NewKey()
    {
        var key = new KeyState(Guid.NewGuid().ToString(), RandomNumberGenerator.GetBytes(32));
        _keys[key.Id] = key;
        return key;
    }

    private KeyState Usable(string keyId)
    {
        var key = Resolve(keyId);
        return key.Enabled ? key : throw new KmsError(400, "DisabledException", $"{key.Arn} is disabled.");
    }

    private KeyState Resolve(string keyId)
    {
        var aliasArnPrefix = $"arn:aws:kms:{Region}:{Account}:alias/";
        var keyArnPrefix = $"arn:aws:kms:{Region}:{Account}:key/";
        string? uuid;
        if (keyId.StartsWith(aliasArnPrefix, StringComparison.Ordinal))
        {
            _aliases.TryGetValue("alias/" + keyId[aliasArnPrefix.Length..], out uuid);
        }
        else if (keyId.StartsWith("alias/", StringComparison.Ordinal))
        {
            _aliases.TryGetValue(keyId, out uuid);
        }
        else
        {
            uuid = keyId.StartsWith(keyArnPrefix, StringComparison.Ordinal) ? keyId[keyArnPrefix.Length..] : keyId;
        }

        return uuid is not null && _keys.TryGetValue(uuid, out var key)
            ? key
            : throw new KmsError(400, "NotFoundException", keyId.Contains("alias/", StringComparison.Ordinal)
                ? $"Alias {keyId} is not found."
                : $"Key '{keyArnPrefix}{keyId}' does not exist");
    }

    private void SetEnabled(string keyId, bool enabled)
    {
        try
        {
            Resolve(keyId).Enabled = enabled;
        }
        catch (KmsError e)
        {
            throw new InvalidOperationException(e.Message);
        }
    }

    private static JsonObject Metadata(KeyState key) => new()
    {
        ["AWSAccountId"] = Account,
        ["KeyId"] = key.Id,
        ["Arn"] = key.Arn,
        ["CreationDate"] = key.Created.ToUnixTimeSeconds(),
        ["Enabled"] = key.Enabled,
        ["Description"] = string.Empty,
        ["KeyUsage"] = "ENCRYPT_DECRYPT",
        ["KeyState"] = key.Enabled ? "Enabled" : "Disabled",
        ["Origin"] = "AWS_KMS",
        ["KeyManager"] = "CUSTOMER",
        ["CustomerMasterKeySpec"] = "SYMMETRIC_DEFAULT",
        ["KeySpec"] = "SYMMETRIC_DEFAULT",
        ["EncryptionAlgorithms"] = new JsonArray("SYMMETRIC_DEFAULT"),
        ["MultiRegion"] = false,
    };

    private static string AliasArn(string alias) => $"arn:aws:kms:{Region}:{Account}:{alias}";

    private static async Task<string> ReadBodyAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        return body.Length == 0 ? "{}" : body;
    }

    private static string RequiredString(JsonObject request, string name) =>
        OptionalString(request, name) ?? throw new KmsError(400, "ValidationException", $"1 validation error detected: Value null at '{name}' failed to satisfy constraint: Member must not be null");

    private static string? OptionalString(JsonObject request, string name) =>
        request[name] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;

    private static byte[] RequiredBytes(JsonObject request, string name)
    {
        try
        {
            return Convert.FromBase64String(RequiredString(request, name));
        }
        catch (FormatException)
        {
            throw new KmsError(400, "SerializationException", $"'{name}' is not base64.");
        }
    }

    private static Dictionary<string, string> Context(JsonObject request, string name)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (request[name] is JsonObject pairs)
        {
            foreach (var (key, value) in pairs)
            {
                result[key] = value?.GetValue<string>() ?? string.Empty;
            }
        }

        return result;
    }

    private static bool TryTake(ref int counter)
    {
        while (true)
        {
            var current = Volatile.Read(ref counter);
            if (current <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref counter, current - 1, current) == current)
            {
                return true;
            }
        }
    }

    private void UpdateMax(int value)
    {
        var max = Volatile.Read(ref _maxInFlight);
        while (value > max)
        {
            var seen = Interlocked.CompareExchange(ref _maxInFlight, value, max);
            if (seen == max)
            {
                return;
            }

            max = seen;
        }
    }

    private sealed class KeyState(string id, byte[] material)
    {
        public string Id { get; } = id;

        public string Arn { get; } = $"arn:aws:kms:{Region}:{Account}:key/{id}";

        public byte[] Material { get; } = material;

        public DateTimeOffset Created { get; } = DateTimeOffset.UtcNow;

        public volatile bool Enabled = true;

        public FixtureKey Describe(string? alias) => new(Id, Arn, alias, alias is null ? null : AliasArn(alias));
    }

    private sealed class KmsError(int status, string? type, string message) : Exception(message)
    {
        public int Status { get; } = status;

        public string? Type { get; } = type;
    }

    private sealed class OperationFault(int count, int status, string? type)
    {
        private int _remaining = count;

        public int Status { get; } = status;

        public string? Type { get; } = type;

        public bool TryTake() => KmsFixtureServer.TryTake(ref _remaining);
    }
}

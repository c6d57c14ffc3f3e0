using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using SecretStore.Aws.Clients;
using SecretStore.Configuration;
using SecretStore.Diagnostics;
using SecretStore.Keys;
using SecretStore.Repositories;

namespace SecretStore.Aws.Kms;

/// <summary>
/// Wraps and unwraps data keys with AWS KMS. v2 data keys are AES-256 and bound to the secret's
/// <see cref="EncryptionContext"/>; v1 data keys are AES-128 with an empty context, as the reference design
/// wrote them (so its rows still open). Decrypt passes the expected key id, and the key id KMS answers with
/// and the plaintext length are checked.
/// </summary>
/// <remarks>
/// <para>Retries are the SDK's (standard mode, set by <see cref="AwsClientFactory"/>); this class adds none.
/// Throttling and 5xx that outlast them give <c>SSB2005</c>.</para>
/// <para>Within one instance the same wrapped key (with the same key id and context) is sent to KMS at most
/// once: concurrent requests share one call, and with <see cref="KmsKeyManagerOptions.CacheDataKeys"/> the
/// result is kept until <see cref="ClearCache"/> or <see cref="Dispose"/>, which zero the kept copies. Callers
/// get their own copy in each <see cref="DataKey"/>. Scope an instance to one run (one publish, one command).</para>
/// </remarks>
public sealed class KmsKeyManager : IKeyManager, IDisposable
{
    private const string KeyArnMarker = ":key/";

    private readonly IAmazonKeyManagementService _kms;
    private readonly bool _ownsClient;
    private readonly KmsKeyManagerOptions _options;
    private readonly SemaphoreSlim _decryptSlots;
    private int _waitingForSlot;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<KeptKey>>> _decrypted = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _keyArns = new(StringComparer.Ordinal);
    private int _disposed;

    /// <summary>Uses <paramref name="kms"/> (not disposed by this manager).</summary>
    public KmsKeyManager(IAmazonKeyManagementService kms, KmsKeyManagerOptions? options = null)
        : this(kms, options, ownsClient: false)
    {
    }

    private KmsKeyManager(IAmazonKeyManagementService kms, KmsKeyManagerOptions? options, bool ownsClient)
    {
        ArgumentNullException.ThrowIfNull(kms);
        _options = options ?? new KmsKeyManagerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxDegreeOfParallelism, 1, nameof(options));
        _kms = kms;
        _ownsClient = ownsClient;
        _decryptSlots = new SemaphoreSlim(_options.MaxDegreeOfParallelism, _options.MaxDegreeOfParallelism);
    }

    /// <summary>Calls waiting for one of the <see cref="KmsKeyManagerOptions.MaxDegreeOfParallelism"/> slots (tests observe it).</summary>
    internal int CallsWaitingForSlot => Volatile.Read(ref _waitingForSlot);

    /// <summary>
    /// Creates a manager with its own KMS client from <paramref name="settings"/> (<c>Region</c>,
    /// <c>KmsServiceUrl</c>, <c>MaxDegreeOfParallelism</c>, and <c>KeyId</c> plus <c>AllowedKeyIds</c> as the
    /// allowed master keys) on the SDK's default credential chain.
    /// </summary>
    public static KmsKeyManager Create(StoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new KmsKeyManager(
            AwsClientFactory.CreateKmsClient(settings),
            new KmsKeyManagerOptions
            {
                MaxDegreeOfParallelism = settings.MaxDegreeOfParallelism,
                AllowedKeyIds = AllowedKeys(settings),
            },
            ownsClient: true);
    }

    /// <summary>The configured key id (always allowed), the allow-list and the recipients, trimmed and without repeats.</summary>
    public static IReadOnlyList<string> AllowedKeys(StoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return [.. new[] { settings.KeyId }.Concat(settings.AllowedKeyIds ?? []).Concat(settings.Recipients ?? [])
            .Where(id => !string.IsNullOrWhiteSpace(id))
            .Select(id => id!.Trim())
            .Distinct(StringComparer.Ordinal)];
    }

    /// <inheritdoc />
    public async ValueTask<bool> IsKeyAllowedAsync(string keyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        // The text first (no KMS call), then the key ARNs the entries resolve to (one DescribeKey per entry, kept).
        if (_options.AllowedKeyIds.Contains(keyId, StringComparer.Ordinal))
        {
            return true;
        }

        foreach (var allowed in _options.AllowedKeyIds)
        {
            if (SameKey(keyId, await ResolveKeyArnAsync(allowed, cancellationToken).ConfigureAwait(false)))
            {
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc />
    public async ValueTask RequireKeyAllowedAsync(string keyId, string subject, CancellationToken cancellationToken = default)
    {
        if (_options.AllowedKeyIds.Count == 0)
        {
            throw new SecretStoreException(
                DiagnosticCodes.NoAllowedMasterKeys,
                $"{subject} was not opened: no KMS master key is allowed for reading. Fix: set the store's KeyId or AllowedKeyIds (CLI --allowed-key-id or SECRETSTORE_ALLOWED_KEY_IDS; MSBuild SecretStoreKeyId / SecretStoreAllowedKeyIds; Cake KeyId / AllowedKeyIds) to the keys your records are written under.");
        }

        if (!await IsKeyAllowedAsync(keyId, cancellationToken).ConfigureAwait(false))
        {
            throw new SecretStoreException(
                DiagnosticCodes.MasterKeyNotAllowed,
                $"{subject} is protected by KMS master key '{keyId}', which is not one of the reader's allowed master keys ({string.Join(", ", _options.AllowedKeyIds)}); it was not sent to KMS. If the key is yours, add it to AllowedKeyIds.");
        }
    }

    /// <summary>How many unwrapped data keys the cache holds now (for tests and diagnostics; never the keys).</summary>
    public int CachedKeyCount => _decrypted.Count(e => e.Value.IsValueCreated && e.Value.Value.IsCompletedSuccessfully);


    /// <inheritdoc />
    public async Task<DataKey> GenerateDataKeyAsync(string keyId, int keySizeInBytes, EncryptionContext context, ProtectedSecretFormat format, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        ArgumentNullException.ThrowIfNull(context);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var keySpec = keySizeInBytes switch
        {
            16 => DataKeySpec.AES_128,
            32 => DataKeySpec.AES_256,
            _ => throw new SecretStoreException(DiagnosticCodes.InvalidArgument, $"KMS data keys are 16 or 32 bytes; {keySizeInBytes} was asked for."),
        };
        var effectiveContext = ContextFor(format, context);
        var expectedArn = await ResolveKeyArnAsync(keyId, cancellationToken).ConfigureAwait(false);

        GenerateDataKeyResponse response;
        try
        {
            response = await _kms.GenerateDataKeyAsync(
                new GenerateDataKeyRequest
                {
                    KeyId = keyId,
                    KeySpec = keySpec,
                    EncryptionContext = effectiveContext.Count == 0 ? null : effectiveContext.ToDictionary(),
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!IsCallerCancellation(e, cancellationToken))
        {
            throw KmsErrors.Map(e, "GenerateDataKey", keyId, _kms.Config);
        }

        var plaintext = TakeBytes(response.Plaintext);
        var wrapped = response.CiphertextBlob?.ToArray() ?? [];
        if (!SameKey(response.KeyId, expectedArn) || plaintext.Length != keySizeInBytes || wrapped.Length == 0)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            throw new InvalidProtectedDataException(
                $"KMS GenerateDataKey for master key '{keyId}' answered with another key ('{response.KeyId}') or a data key of the wrong size.");
        }

        return new DataKey(keyId, plaintext, wrapped);
    }

    /// <inheritdoc />
    /// <remarks>KMS <c>Encrypt</c> of the data key under <paramref name="keyId"/> with the recipient's context.</remarks>
    public async Task<byte[]> WrapDataKeyAsync(string keyId, ReadOnlyMemory<byte> plaintextKey, EncryptionContext context, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        ArgumentNullException.ThrowIfNull(context);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var expectedArn = await ResolveKeyArnAsync(keyId, cancellationToken).ConfigureAwait(false);
        var plaintext = plaintextKey.ToArray();
        EncryptResponse response;
        try
        {
            response = await _kms.EncryptAsync(
                new EncryptRequest
                {
                    KeyId = keyId,
                    Plaintext = new MemoryStream(plaintext, writable: false),
                    EncryptionContext = context.Count == 0 ? null : context.ToDictionary(),
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!IsCallerCancellation(e, cancellationToken))
        {
            throw KmsErrors.Map(e, "Encrypt", keyId, _kms.Config);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }

        var wrapped = response.CiphertextBlob?.ToArray() ?? [];
        if (!SameKey(response.KeyId, expectedArn) || wrapped.Length == 0)
        {
            throw new InvalidProtectedDataException(
                $"KMS Encrypt for master key '{keyId}' answered with another key ('{response.KeyId}') or no ciphertext.");
        }

        return wrapped;
    }

    /// <inheritdoc />
    public async Task<DataKey> DecryptDataKeyAsync(string keyId, ReadOnlyMemory<byte> wrappedKey, EncryptionContext context, ProtectedSecretFormat format, int expectedKeySizeInBytes, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        ArgumentNullException.ThrowIfNull(context);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (wrappedKey.IsEmpty)
        {
            throw new InvalidProtectedDataException($"The wrapped data key for master key '{keyId}' is empty.");
        }

        // Also here, not only in the store: no caller of this manager can have KMS unwrap under a foreign key.
        await RequireKeyAllowedAsync(keyId, $"The wrapped data key under master key '{keyId}'", cancellationToken).ConfigureAwait(false);
        var effectiveContext = ContextFor(format, context);
        var wrapped = wrappedKey.ToArray();

        // Either way the caller gets an array of its own, which its DataKey zeroes on dispose.
        var plaintext = _options.CacheDataKeys
            ? await UnwrapSharedAsync(keyId, wrapped, effectiveContext, cancellationToken).ConfigureAwait(false)
            : await DecryptCoreAsync(keyId, wrapped, effectiveContext, cancellationToken).ConfigureAwait(false);
        if (plaintext.Length != expectedKeySizeInBytes)
        {
            var length = plaintext.Length;
            CryptographicOperations.ZeroMemory(plaintext);
            throw new InvalidProtectedDataException(
                $"KMS Decrypt with master key '{keyId}' returned a data key of {length} bytes; {expectedKeySizeInBytes} were expected.");
        }

        return new DataKey(keyId, plaintext, wrapped);
    }

    /// <summary>Zeroes and forgets every unwrapped data key kept by this instance (calls in flight are zeroed when they finish).</summary>
    public void ClearCache()
    {
        foreach (var (key, entry) in _decrypted)
        {
            if (!_decrypted.TryRemove(new KeyValuePair<string, Lazy<Task<KeptKey>>>(key, entry)) || !entry.IsValueCreated)
            {
                continue;
            }

            if (entry.Value.IsCompletedSuccessfully)
            {
                entry.Value.Result.Clear();
            }
            else
            {
                _ = entry.Value.ContinueWith(t => t.Result.Clear(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Names the backend only; never key material.</summary>
    public override string ToString() => $"KmsKeyManager ({CachedKeyCount} data keys kept)";

    /// <summary>Zeroes the kept data keys, cancels calls still in flight and disposes an owned client.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _lifetime.Cancel();
        ClearCache();
        _lifetime.Dispose();
        _decryptSlots.Dispose();
        if (_ownsClient)
        {
            _kms.Dispose();
        }
    }

    /// <summary>
    /// One KMS call per distinct request, shared by concurrent callers and kept for later ones. A kept key
    /// that <see cref="ClearCache"/> zeroed before this caller copied it is asked for again, never handed out.
    /// </summary>
    private async Task<byte[]> UnwrapSharedAsync(string keyId, byte[] wrapped, EncryptionContext context, CancellationToken cancellationToken)
    {
        var cacheKey = CacheKey(keyId, context, wrapped);
        while (true)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            var entry = _decrypted.GetOrAdd(cacheKey, _ => new Lazy<Task<KeptKey>>(() => KeepAsync(keyId, wrapped, context)));
            KeptKey kept;
            try
            {
                kept = await entry.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (entry.Value.IsFaulted || entry.Value.IsCanceled)
            {
                // A failed unwrap is not remembered: the next request asks KMS again.
                _decrypted.TryRemove(new KeyValuePair<string, Lazy<Task<KeptKey>>>(cacheKey, entry));
                throw;
            }

            if (kept.TryCopy(out var copy))
            {
                return copy;
            }

            _decrypted.TryRemove(new KeyValuePair<string, Lazy<Task<KeptKey>>>(cacheKey, entry));
        }
    }

    private async Task<KeptKey> KeepAsync(string keyId, byte[] wrapped, EncryptionContext context) =>
        new(await DecryptCoreAsync(keyId, wrapped, context, _lifetime.Token).ConfigureAwait(false));

    private async Task<byte[]> DecryptCoreAsync(string keyId, byte[] wrapped, EncryptionContext context, CancellationToken cancellationToken)
    {
        var expectedArn = await ResolveKeyArnAsync(keyId, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _waitingForSlot);
        try
        {
            await _decryptSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _waitingForSlot);
        }

        DecryptResponse response;
        try
        {
            response = await _kms.DecryptAsync(
                new DecryptRequest
                {
                    KeyId = keyId,
                    CiphertextBlob = new MemoryStream(wrapped, writable: false),
                    EncryptionContext = context.Count == 0 ? null : context.ToDictionary(),
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!IsCallerCancellation(e, cancellationToken))
        {
            throw KmsErrors.Map(e, "Decrypt", keyId, _kms.Config);
        }
        finally
        {
            _decryptSlots.Release();
        }

        var plaintext = TakeBytes(response.Plaintext);
        if (!SameKey(response.KeyId, expectedArn))
        {
            CryptographicOperations.ZeroMemory(plaintext);
            throw new InvalidProtectedDataException(
                DiagnosticCodes.WrongContext,
                $"KMS Decrypt answered with master key '{response.KeyId}', not '{keyId}' ({expectedArn}).");
        }

        return plaintext;
    }

    /// <summary>
    /// The key ARN for a configured id (UUID, key ARN, alias name or alias ARN), looked up once with
    /// DescribeKey, because KMS answers with the key ARN whatever id the caller used.
    /// </summary>
    private async Task<string> ResolveKeyArnAsync(string keyId, CancellationToken cancellationToken)
    {
        if (keyId.StartsWith("arn:", StringComparison.Ordinal) && keyId.Contains(KeyArnMarker, StringComparison.Ordinal))
        {
            return keyId;
        }

        var entry = _keyArns.GetOrAdd(keyId, id => new Lazy<Task<string>>(() => DescribeKeyArnAsync(id, _lifetime.Token)));
        try
        {
            return await entry.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (entry.Value.IsFaulted || entry.Value.IsCanceled)
        {
            _keyArns.TryRemove(new KeyValuePair<string, Lazy<Task<string>>>(keyId, entry));
            throw;
        }
    }

    private async Task<string> DescribeKeyArnAsync(string keyId, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId }, cancellationToken).ConfigureAwait(false);
            return response.KeyMetadata?.Arn
                ?? throw new SecretStoreException(DiagnosticCodes.UnexpectedError, $"KMS DescribeKey for master key '{keyId}' returned no ARN.");
        }
        catch (Exception e) when (!IsCallerCancellation(e, cancellationToken))
        {
            throw KmsErrors.Map(e, "DescribeKey", keyId, _kms.Config);
        }
    }

    /// <summary>The caller's own cancellation stays an <see cref="OperationCanceledException"/>; an SDK timeout is a failure.</summary>
    private static bool IsCallerCancellation(Exception e, CancellationToken cancellationToken) =>
        e is OperationCanceledException && cancellationToken.IsCancellationRequested;

    private static bool SameKey(string? responseKeyId, string expectedArn) =>
        responseKeyId is not null && string.Equals(responseKeyId, expectedArn, StringComparison.Ordinal);

    private static EncryptionContext ContextFor(ProtectedSecretFormat format, EncryptionContext context) =>
        format == ProtectedSecretFormat.V1 ? EncryptionContext.Empty : context;

    private static byte[] TakeBytes(MemoryStream? stream)
    {
        if (stream is null)
        {
            return [];
        }

        var bytes = stream.ToArray();
        if (stream.TryGetBuffer(out var buffer))
        {
            CryptographicOperations.ZeroMemory(buffer.AsSpan());
        }

        return bytes;
    }

    private static string CacheKey(string keyId, EncryptionContext context, byte[] wrapped)
    {
        // Length-prefixed parts, so no two different requests share a key.
        var builder = new StringBuilder();
        void Part(string text) => builder.Append(text.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(text);
        Part(keyId);
        foreach (var (name, value) in context)
        {
            Part(name);
            Part(value);
        }

        Part(Convert.ToBase64String(wrapped));
        return builder.ToString();
    }

    /// <summary>An unwrapped data key kept by the cache; copied out under a lock so clearing never races a copy.</summary>
    private sealed class KeptKey(byte[] plaintext)
    {
        private readonly Lock _gate = new();
        private bool _cleared;

        public bool TryCopy(out byte[] copy)
        {
            lock (_gate)
            {
                copy = _cleared ? [] : plaintext.ToArray();
                return !_cleared;
            }
        }

        public void Clear()
        {
            lock (_gate)
            {
                CryptographicOperations.ZeroMemory(plaintext);
                _cleared = true;
            }
        }
    }
}

using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using SecretStore.Diagnostics;
using SecretStore.Formats;
using SecretStore.Keys;
using SecretStore.Repositories;
using SecretStore.Repositories.History;
using SecretStore.Secrets;

namespace SecretStore.Stores;

/// <summary>
/// The <see cref="ISecretStore"/>: envelope encryption over any <see cref="IProtectedSecretRepository"/> and
/// <see cref="IKeyManager"/>. Writes v2 by default (AES-256-GCM, bound to application, name and key id; signed
/// when the key manager has an <see cref="IEnvelopeSigner"/>); reads v2, and the reference v1 format only with
/// <see cref="EnvelopeSecretStoreOptions.AllowV1"/> (refused before any decryption otherwise). The context
/// used to open a record always comes from the requested id, never from the stored row.
/// </summary>
public sealed class EnvelopeSecretStore : ISecretStore, IDisposable
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly IProtectedSecretRepository _repository;
    private readonly IKeyManager _keyManager;
    private readonly EnvelopeSecretStoreOptions _options;
    private readonly bool _ownsComponents;
    private string? _storeId;

    /// <summary>Creates a store over a repository and a key manager; neither is owned (disposed) by the store.</summary>
    public EnvelopeSecretStore(IProtectedSecretRepository repository, IKeyManager keyManager, EnvelopeSecretStoreOptions options)
        : this(repository, keyManager, options, ownsComponents: false)
    {
    }

    /// <summary>
    /// Creates a store over a repository and a key manager. With <paramref name="ownsComponents"/>, disposing the
    /// store disposes both (those that are <see cref="IDisposable"/>): the store is then the one thing a caller
    /// holds and disposes, with no wrapper around it.
    /// </summary>
    public EnvelopeSecretStore(IProtectedSecretRepository repository, IKeyManager keyManager, EnvelopeSecretStoreOptions options, bool ownsComponents)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(keyManager);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxDegreeOfParallelism, 1, nameof(options));
        _repository = repository;
        _keyManager = keyManager;
        _options = options;
        _ownsComponents = ownsComponents;
    }

    /// <summary>The repository holding the protected records.</summary>
    public IProtectedSecretRepository Repository => _repository;

    /// <summary>The key manager wrapping the data keys.</summary>
    public IKeyManager KeyManager => _keyManager;

    /// <summary>The options this store was made with.</summary>
    public EnvelopeSecretStoreOptions Options => _options;

    /// <inheritdoc />
    public async Task<Secret> GetAsync(SecretId id, CancellationToken cancellationToken = default)
    {
        var record = await _repository.GetAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new SecretNotFoundException(id);
        var opening = Prepare(id, record);
        await RequireOpenableAsync(opening, $"The record of '{id}'", cancellationToken).ConfigureAwait(false);
        using var dataKey = await UnwrapAsync(opening, cancellationToken).ConfigureAwait(false);
        return opening.Open(dataKey);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<SecretId, Secret>> GetManyAsync(IEnumerable<SecretId> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var requested = ids.ToHashSet();
        if (requested.Count == 0)
        {
            return new Dictionary<SecretId, Secret>();
        }

        var records = await _repository.GetManyAsync(requested, cancellationToken).ConfigureAwait(false);
        var matching = records.Where(r => requested.Contains(r.Id)).ToArray();
        var openings = new Opening[matching.Length];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism, CancellationToken = cancellationToken };

        // Checking an envelope's signature is a public-key RSA operation per record: on a signed store of 1000
        // secrets, done one after another it added about a tenth to the unwraps' time (docs/benchmarks.md).
        await Parallel.ForAsync(0, matching.Length, parallel, (i, _) =>
        {
            openings[i] = Prepare(matching[i].Id, matching[i]);
            return ValueTask.CompletedTask;
        }).ConfigureAwait(false);

        // Every record's master key is checked against the allow-list before the first unwrap, so a planted record
        // under a foreign key stops the read before any data key (ours or his) goes to KMS or the keyring.
        foreach (var opening in openings.OrderBy(o => o.Id.ToString(), StringComparer.Ordinal))
        {
            await RequireOpenableAsync(opening, $"The record of '{opening.Id}'", cancellationToken).ConfigureAwait(false);
        }

        // One unwrap per distinct wrapped key (and context): copies of a key are never unwrapped twice.
        var groups = openings.GroupBy(o => o.UnwrapIdentity, StringComparer.Ordinal).ToList();
        var results = new ConcurrentDictionary<SecretId, Secret>();
        await Parallel.ForEachAsync(
            groups,
            parallel,
            async (group, token) =>
            {
                var first = group.First();
                using var dataKey = await UnwrapAsync(first, token).ConfigureAwait(false);
                foreach (var opening in group)
                {
                    results[opening.Id] = opening.Open(dataKey);
                }
            }).ConfigureAwait(false);
        return results.ToDictionary();
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListApplicationsAsync(CancellationToken cancellationToken = default) =>
        _repository.ListApplicationsAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<SecretMetadata>> ListAsync(string applicationName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(applicationName);
        var records = await _repository.QueryByApplicationAsync(applicationName, cancellationToken).ConfigureAwait(false);
        var listed = new List<SecretMetadata>(records.Count);
        foreach (var record in records.OrderBy(r => r.Id.Name, StringComparer.Ordinal))
        {
            // Flags records a reader would refuse (SSB3012) without unwrapping anything.
            var metadata = Metadata(record);
            var allowed = false;
            foreach (var keyId in metadata.Recipients)
            {
                allowed = allowed || await _keyManager.IsKeyAllowedAsync(keyId, cancellationToken).ConfigureAwait(false);
            }

            listed.Add(metadata with { IsKeyAllowed = allowed, HasInvalidRevision = record.InvalidRevision is not null });
        }

        return listed;
    }

    /// <inheritdoc />
    public async Task<SecretMetadata> SetAsync(SecretId id, string value, SetSecretOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        options ??= new SetSecretOptions();
        if (!id.IsWellFormed)
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidSecret, $"The application or name of secret '{id}' holds a lone UTF-16 surrogate, which has no UTF-8 form.");
        }

        if (!SecretId.IsWellFormedText(value))
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidSecret, $"The value of secret '{id}' holds a lone UTF-16 surrogate, which has no UTF-8 form.");
        }

        if (options.Format == ProtectedSecretFormat.V1 && !_options.AllowV1)
        {
            throw V1Policy.WriteRefused(id);
        }

        if (options.Format is not (ProtectedSecretFormat.V1 or ProtectedSecretFormat.V2))
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidArgument, $"Unknown format for secret '{id}'.");
        }

        // An unset or misspelt CI variable arrives as an empty value; written, it would replace the good secret.
        if (!options.AllowEmpty && SecretValueText.HasNothingVisible(value))
        {
            throw new SecretStoreException(DiagnosticCodes.EmptyValue, $"The value given for '{id}' is empty or has no visible character (only whitespace, control or invisible format characters such as a byte order mark); nothing was written (allow an empty value explicitly to store one).");
        }

        var size = StrictUtf8.GetByteCount(value);
        if (_options.MaxValueSizeInBytes is { } limit && size > limit)
        {
            throw new PayloadTooLargeException(id, size, limit);
        }

        // Without an expected revision, the revision read here still guards the save: a writer in between
        // makes the conditional save fail instead of being overwritten.
        var existing = await ReadExistingAsync(id, cancellationToken).ConfigureAwait(false);
        if (existing is { Format: ProtectedSecretFormat.V1 } && !_options.AllowV1)
        {
            throw V1Policy.OverwriteRefused(id);
        }

        if (existing is { InvalidRevision: not null })
        {
            throw RecordRevision.OutOfRange(id);
        }

        var expected = options.ExpectedRevision ?? existing?.Revision ?? 0;
        var recipients = ChooseRecipients(id, options);
        var keyId = recipients[0];

        // Checked before any data key is made: a revision at long.MaxValue has no successor.
        _ = RecordRevision.Next(id, expected);
        string? storeId = null;
        ProtectedSecretRecord record;
        if (options.Format == ProtectedSecretFormat.V2)
        {
            storeId = await _repository.EnsureStoreIdAsync(createForExisting: false, cancellationToken).ConfigureAwait(false);
            record = await ProtectV3Async(id, value, recipients, storeId, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            record = await ProtectV1Async(id, value, keyId, cancellationToken).ConfigureAwait(false);
        }

        var revision = await _repository.SaveAsync(record, expected, cancellationToken).ConfigureAwait(false);
        return new SecretMetadata(id, revision, keyId, options.Format) {
            ReplacedRevision = expected > 0 ? expected : null,
            ReplacedRecipients = existing is null ? null : Metadata(existing).Recipients,
            Recipients = recipients,
            StoreId = storeId,
            EnvelopeVersion = options.Format == ProtectedSecretFormat.V2 ? V3Envelope.Version : null,
        };
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(SecretId id, long? expectedRevision = null, CancellationToken cancellationToken = default) =>
        _repository.DeleteAsync(id, expectedRevision, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<SecretRevisionInfo>> GetHistoryAsync(SecretId id, CancellationToken cancellationToken = default)
    {
        var entries = await ReadHistoryAsync(id, cancellationToken).ConfigureAwait(false);
        var current = entries.Count > 0 && !entries[^1].IsDeletion ? entries[^1].Revision : (long?)null;
        return [.. entries.Select(e => new SecretRevisionInfo(e.Id, e.Revision, e.WrittenAt, e.Writer, e.Record?.MasterKeyId, e.Record?.Format)
        {
            IsCurrent = e.Revision == current,
            Recipients = e.Record is { } record ? Metadata(record).Recipients : [],
        })];
    }

    /// <inheritdoc />
    public async Task<Secret> GetRevisionAsync(SecretId id, long revision, CancellationToken cancellationToken = default)
    {
        if (!RecordRevision.IsValid(revision))
        {
            throw RevisionNotFound(id, revision, "a revision is a whole number from 1");
        }

        var entry = await _repository.GetRevisionAsync(id, revision, cancellationToken).ConfigureAwait(false)
            ?? throw RevisionNotFound(id, revision, "the store keeps no such revision");
        var record = entry.Record ?? throw RevisionNotFound(id, revision, "it is the deletion of the secret");
        if (record.Revision != revision)
        {
            // The number is the history's key and the record's field: both come from the store writer, and must agree.
            throw new InvalidProtectedDataException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"The history of '{id}' holds a record of revision {record.Revision} under revision {revision}."));
        }

        var opening = Prepare(id, record);
        await RequireOpenableAsync(opening, $"The record of '{id}' at revision {revision.ToString(System.Globalization.CultureInfo.InvariantCulture)}", cancellationToken).ConfigureAwait(false);
        using var dataKey = await UnwrapAsync(opening, cancellationToken).ConfigureAwait(false);
        return opening.Open(dataKey);
    }

    /// <inheritdoc />
    public async Task<SecretMetadata> RollbackAsync(SecretId id, long revision, SetSecretOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SetSecretOptions();
        var old = await GetRevisionAsync(id, revision, cancellationToken).ConfigureAwait(false);

        // The old value was stored once, so it may be empty; it goes back under the store's key unless one is given,
        // and always as v2 unless v1 is asked for (and allowed).
        var rewrite = new SetSecretOptions
        {
            // The caller's or the store's recipients, never the old record's: its list is the store writer's word, and who
            // may read it may have changed since (red team, issue 17: a rollback gave a removed reader the next values).
            KeyId = options.KeyId ?? (_options.DefaultKeyId is null && _options.Recipients is not { Count: > 0 } ? old.Metadata.MasterKeyId : null),
            Recipients = options.Recipients,
            ExpectedRevision = options.ExpectedRevision,
            Format = options.Format,
            AllowEmpty = true,
        };
        return await SetAsync(id, old.Value, rewrite, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<bool> PurgeAsync(SecretId id, CancellationToken cancellationToken = default) =>
        _repository.PurgeAsync(id, cancellationToken);

    private async Task<IReadOnlyList<SecretHistoryEntry>> ReadHistoryAsync(SecretId id, CancellationToken cancellationToken)
    {
        try
        {
            return await _repository.GetHistoryAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreFileNotFoundException)
        {
            return [];
        }
    }

    private static SecretStoreException RevisionNotFound(SecretId id, long revision, string why) =>
        new(DiagnosticCodes.RevisionNotFound, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Revision {revision} of '{id}' cannot be read: {why}. Fix: 'secretstore history {id}' lists the revisions kept."));

    /// <summary>Disposes the key manager (zeroing kept data keys) and the repository, when the store owns them.</summary>
    public void Dispose()
    {
        if (_ownsComponents)
        {
            (_keyManager as IDisposable)?.Dispose();
            (_repository as IDisposable)?.Dispose();
        }
    }

    /// <summary>Names the parts, never keys or values.</summary>
    public override string ToString() => $"EnvelopeSecretStore ({_repository}, {_keyManager})";

    private async Task<ProtectedSecretRecord?> ReadExistingAsync(SecretId id, CancellationToken cancellationToken)
    {
        try
        {
            return await _repository.GetAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreFileNotFoundException)
        {
            // A store file that does not exist yet holds no record: writing creates it.
            return null;
        }
    }

    /// <summary>The metadata of a record, its recipients and store read from its envelope when it is version 3 and parses.</summary>
    private static SecretMetadata Metadata(ProtectedSecretRecord record) => WithEnvelope(BaseMetadata(record), V3Envelope.TryParse(record));

    /// <summary>What the record's own fields say, without parsing its envelope.</summary>
    private static SecretMetadata BaseMetadata(ProtectedSecretRecord record) =>
        new(record.Id, record.Revision, record.MasterKeyId, record.Format)
        {
            RecordDigest = Locking.RecordDigest.Of(record),
            EnvelopeVersion = record is { Format: ProtectedSecretFormat.V2, Envelope: { } bytes } ? V3Envelope.VersionOf(bytes) : null,
        };

    private static SecretMetadata WithEnvelope(SecretMetadata metadata, V3Envelope? envelope) =>
        envelope is null
            ? metadata
            : metadata with { Recipients = [.. envelope.Recipients.Select(r => r.KeyId)], StoreId = envelope.Context.ValueOf(EncryptionContext.StoreKey) };

    /// <summary>
    /// The recipients of a new record (see <see cref="SetSecretOptions.Recipients"/>): explicit ones, else the key
    /// given, else the store's recipients, else the default key. Never the recipients of a stored record: they are the
    /// store writer's word (a replayed record would choose who reads the next value), so a shared secret keeps its readers
    /// through the settings' <c>recipients</c>, and a write that changes the list says so
    /// (<see cref="SecretMetadata.ReplacedRecipients"/>).
    /// </summary>
    private IReadOnlyList<string> ChooseRecipients(SecretId id, SetSecretOptions options)
    {
        IReadOnlyList<string>? chosen = options.Recipients is { Count: > 0 } explicitList ? explicitList
            : options.KeyId is { } key ? [key]
            : _options.Recipients is { Count: > 0 } defaults ? defaults
            : _options.DefaultKeyId is { } defaultKey ? [defaultKey]
            : null;
        if (chosen is null)
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidStoreConfiguration, $"No key id to protect secret '{id}' with: give one, or configure the store's default key.");
        }

        if (chosen.Count > V3Envelope.MaxRecipients)
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidArgument, $"Secret '{id}' is given {chosen.Count} recipients; a record has at most {V3Envelope.MaxRecipients}.");
        }

        if (chosen.Any(string.IsNullOrWhiteSpace) || chosen.Distinct(StringComparer.Ordinal).Count() != chosen.Count)
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidArgument, $"The recipients of secret '{id}' ({string.Join(", ", chosen)}) must be distinct, non-empty key ids.");
        }

        if (chosen.Count > 1 && options.Format == ProtectedSecretFormat.V1)
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidArgument, $"Secret '{id}' cannot be written as v1 for several recipients: v1 has one key.");
        }

        return chosen;
    }

    /// <summary>
    /// Before any unwrap: the record's keys against the reader's allow-list (a record of several recipients is opened with
    /// an allowed one, or refused like a record under a foreign key), and a record bound to a store against this store's id.
    /// </summary>
    private async ValueTask RequireOpenableAsync(Opening opening, string subject, CancellationToken cancellationToken)
    {
        if (opening.BoundStoreId is { } bound)
        {
            var storeId = await StoreIdAsync(cancellationToken).ConfigureAwait(false);
            if (!string.Equals(storeId, bound, StringComparison.Ordinal))
            {
                throw new InvalidProtectedDataException(
                    DiagnosticCodes.RecordFromAnotherStore,
                    storeId is null
                        ? $"{subject} was written for store '{bound}', but this store has no store id: a record copied from another store is refused; it was not opened."
                        : $"{subject} was written for store '{bound}', but this store is '{storeId}': a record copied from another store is refused; it was not opened.");
            }
        }

        if (opening.Candidates.Count == 1)
        {
            await _keyManager.RequireKeyAllowedAsync(opening.KeyId, subject, cancellationToken).ConfigureAwait(false);
            return;
        }

        var allowed = new List<Recipient>();
        foreach (var candidate in opening.Candidates)
        {
            if (await _keyManager.IsKeyAllowedAsync(candidate.KeyId, cancellationToken).ConfigureAwait(false))
            {
                allowed.Add(candidate);
            }
        }

        if (allowed.Count == 0)
        {
            // The manager's own refusal (SSB3012 naming the primary key), or for a keyring without a list the unwrap's.
            await _keyManager.RequireKeyAllowedAsync(opening.KeyId, subject, cancellationToken).ConfigureAwait(false);
            return;
        }

        // The store's default key first: a reader in a second region tries its own KMS key before the primary's.
        opening.Usable = [.. allowed.OrderBy(c => string.Equals(c.KeyId, _options.DefaultKeyId, StringComparison.Ordinal) ? 0 : 1)];
    }

    private async ValueTask<string?> StoreIdAsync(CancellationToken cancellationToken)
    {
        if (_storeId is null)
        {
            // Cached once found: a store id is made once and never changes.
            _storeId = await _repository.GetStoreIdAsync(cancellationToken).ConfigureAwait(false);
        }

        return _storeId;
    }

    /// <summary>
    /// Writes an envelope version 3 record: one data key, wrapped for each recipient under that recipient's context,
    /// the value sealed with AES-256-GCM whose associated data is the whole header (context and recipient list).
    /// </summary>
    private async Task<ProtectedSecretRecord> ProtectV3Async(SecretId id, string value, IReadOnlyList<string> recipients, string? storeId, CancellationToken cancellationToken)
    {
        var context = EncryptionContext.ForRecord(id, storeId);
        var primary = recipients[0];
        using var dataKey = await _keyManager.GenerateDataKeyAsync(primary, V2Envelope.DataKeySizeInBytes, context.ForRecipient(primary), ProtectedSecretFormat.V2, cancellationToken).ConfigureAwait(false);
        if (dataKey.Plaintext.Length != V2Envelope.DataKeySizeInBytes)
        {
            throw new SecretStoreException(DiagnosticCodes.UnexpectedError, $"The key manager returned a data key of the wrong size for '{primary}'.");
        }

        var wrapped = new List<EnvelopeRecipient>(recipients.Count) { new(primary, dataKey.WrappedKey) };
        if (recipients.Count > 1)
        {
            var plainKey = dataKey.Plaintext.ToArray();
            try
            {
                foreach (var keyId in recipients.Skip(1))
                {
                    wrapped.Add(new EnvelopeRecipient(keyId, await _keyManager.WrapDataKeyAsync(keyId, plainKey, context.ForRecipient(keyId), cancellationToken).ConfigureAwait(false)));
                }
            }
            finally
            {
                CryptographicOperations.ZeroMemory(plainKey);
            }
        }

        var signer = _keyManager.EnvelopeSigner;
        var header = V3Envelope.EncodeHeader(context, wrapped, signed: signer is not null);
        var nonce = RandomNumberGenerator.GetBytes(V2Envelope.NonceSizeInBytes);
        var plaintext = StrictUtf8.GetBytes(value);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[V2Envelope.TagSizeInBytes];
        try
        {
            using var aes = new AesGcm(dataKey.Plaintext, V2Envelope.TagSizeInBytes);
            aes.Encrypt(nonce, plaintext, ciphertext, tag, header);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }

        var envelope = V3Envelope.Encode(header, nonce, ciphertext, tag, signer);
        return new ProtectedSecretRecord { Id = id, Format = ProtectedSecretFormat.V2, MasterKeyId = primary, Envelope = envelope };
    }

    private async Task<ProtectedSecretRecord> ProtectV1Async(SecretId id, string value, string keyId, CancellationToken cancellationToken)
    {
        using var dataKey = await _keyManager.GenerateDataKeyAsync(keyId, V1Cipher.KeySizeInBytes, EncryptionContext.Empty, ProtectedSecretFormat.V1, cancellationToken).ConfigureAwait(false);
        var (iv, ciphertext) = V1Cipher.Encrypt(dataKey.Plaintext, value);
        return new ProtectedSecretRecord
        {
            Id = id,
            Format = ProtectedSecretFormat.V1,
            MasterKeyId = keyId,
            ProtectedDocumentKey = dataKey.WrappedKey,
            InitialisationVector = iv,
            ProtectedSecretValue = ciphertext,
        };
    }

    /// <summary>
    /// Unwraps with the first usable recipient, trying the next when one fails (a second region's reader cannot reach
    /// the primary's KMS key); the first failure is reported when none works. Trying another recipient cannot open a
    /// tampered record: the ciphertext still has to authenticate against the whole header.
    /// </summary>
    private async Task<DataKey> UnwrapAsync(Opening opening, CancellationToken cancellationToken)
    {
        SecretStoreException? first = null;
        foreach (var candidate in opening.Usable)
        {
            try
            {
                return await _keyManager.DecryptDataKeyAsync(candidate.KeyId, candidate.WrappedKey, candidate.Context, opening.Format, opening.KeySize, cancellationToken).ConfigureAwait(false);
            }
            catch (SecretStoreException e) when (opening.Usable.Count > 1)
            {
                first ??= e;
            }
        }

        throw first!;
    }

    private Opening Prepare(SecretId requested, ProtectedSecretRecord record)
    {
        if (record.Id != requested)
        {
            throw new WrongContextException(requested, $"the repository returned the record of '{record.Id}'");
        }

        // Before anything else of the record is used: its revision is the store writer's, like every other field.
        if (record.InvalidRevision is not null)
        {
            throw RecordRevision.OutOfRange(requested);
        }

        // The envelope is parsed once, by the step that checks it: its recipients and store join the metadata there.
        var metadata = BaseMetadata(record);
        return record.Format switch
        {
            ProtectedSecretFormat.V1 => PrepareV1(requested, record, metadata),
            ProtectedSecretFormat.V2 => PrepareV2(requested, record, metadata),
            _ => throw new InvalidProtectedDataException($"The record of '{requested}' has an unknown format."),
        };
    }

    private Opening PrepareV1(SecretId id, ProtectedSecretRecord record, SecretMetadata metadata)
    {
        // Before any field is looked at or any key unwrapped: without the opt-in, no v1 byte reaches a cipher.
        if (!_options.AllowV1)
        {
            throw V1Policy.ReadRefused(id);
        }

        if (record.ProtectedDocumentKey is not { Length: > 0 } wrapped || record.InitialisationVector is not { } iv
            || record.ProtectedSecretValue is not { } ciphertext || string.IsNullOrEmpty(record.MasterKeyId))
        {
            throw new InvalidProtectedDataException($"The v1 record of '{id}' lacks a field.");
        }

        return new Opening(id, ProtectedSecretFormat.V1, record.MasterKeyId, wrapped, EncryptionContext.Empty, V1Cipher.KeySizeInBytes, metadata,
            key => V1Cipher.Decrypt(key.Plaintext, iv, ciphertext, id.ToString()));
    }

    private Opening PrepareV2(SecretId id, ProtectedSecretRecord record, SecretMetadata metadata)
    {
        if (record.Envelope is not { } bytes)
        {
            throw new InvalidProtectedDataException($"The v2 record of '{id}' has no envelope.");
        }

        if (V3Envelope.VersionOf(bytes) == V3Envelope.Version)
        {
            return PrepareV3(id, record, bytes, metadata);
        }

        var subject = id.ToString();
        var envelope = V2Envelope.Parse(bytes, subject);
        VerifySignature(id, envelope.IsSigned, envelope.SigningKeyId, envelope.SignedData, envelope.Signature);

        var context = EncryptionContext.ForSecret(id, envelope.KeyId, ProtectedSecretFormat.V2);
        if (!context.Equals(envelope.Context))
        {
            throw new WrongContextException(id, $"it was written for '{Describe(envelope.Context)}'");
        }

        if (!string.Equals(record.MasterKeyId, envelope.KeyId, StringComparison.Ordinal))
        {
            throw new InvalidProtectedDataException($"The record of '{id}' names key '{record.MasterKeyId}', but its envelope names '{envelope.KeyId}'.");
        }

        return new Opening(id, ProtectedSecretFormat.V2, envelope.KeyId, envelope.WrappedKey, context, V2Envelope.DataKeySizeInBytes, metadata,
            key => OpenV2(id, envelope, context, key));
    }

    private Opening PrepareV3(SecretId id, ProtectedSecretRecord record, byte[] bytes, SecretMetadata metadata)
    {
        var envelope = V3Envelope.Parse(bytes, id.ToString());
        VerifySignature(id, envelope.IsSigned, envelope.SigningKeyId, envelope.SignedData, envelope.Signature);

        // The store id is the one field of the context the requested id cannot give: the record's claim is taken here
        // and checked against the store's own id (RequireOpenableAsync) before anything is unwrapped.
        var boundStore = envelope.Context.ValueOf(EncryptionContext.StoreKey);
        var context = EncryptionContext.ForRecord(id, boundStore);
        if (!context.Equals(envelope.Context))
        {
            throw new WrongContextException(id, $"it was written for '{Describe(envelope.Context)}'");
        }

        if (!string.Equals(record.MasterKeyId, envelope.Recipients[0].KeyId, StringComparison.Ordinal))
        {
            throw new InvalidProtectedDataException($"The record of '{id}' names key '{record.MasterKeyId}', but its envelope's first recipient is '{envelope.Recipients[0].KeyId}'.");
        }

        var candidates = envelope.Recipients.Select(r => new Recipient(r.KeyId, r.WrappedKey, context.ForRecipient(r.KeyId))).ToArray();
        return new Opening(id, ProtectedSecretFormat.V2, candidates, V2Envelope.DataKeySizeInBytes, WithEnvelope(metadata, envelope), boundStore, key => OpenV3(id, envelope, key));
    }

    /// <summary>
    /// Checks a v2 or v3 envelope's signature before any field is trusted or any key is unwrapped: required when the key
    /// manager signs (RSA), refused when it cannot verify (KMS).
    /// </summary>
    private void VerifySignature(SecretId id, bool isSigned, string? signingKeyId, byte[]? signedData, byte[]? signature)
    {
        if (_keyManager.EnvelopeSigner is { } signer)
        {
            // The signer's trust comes first: a record by a signer the reader does not trust is refused before its
            // signature is checked against whatever key the (writable) keyring folder offers.
            signer.RequireTrustedSigner(isSigned ? signingKeyId : null, $"'{id}'");
            if (!isSigned)
            {
                throw new InvalidProtectedDataException(DiagnosticCodes.InvalidSignature, $"The envelope of '{id}' is not signed, but its key manager requires signed envelopes.");
            }

            if (!string.Equals(signingKeyId, signer.SigningKeyId, StringComparison.Ordinal)
                || !signer.Verify(signedData, signature))
            {
                throw new InvalidProtectedDataException(DiagnosticCodes.InvalidSignature, $"The envelope of '{id}' is not signed by the keyring's signing key.");
            }
        }
        else if (isSigned)
        {
            throw new InvalidProtectedDataException(DiagnosticCodes.InvalidSignature, $"The envelope of '{id}' is signed, but this key manager cannot verify signatures.");
        }
    }

    private static string OpenV3(SecretId id, V3Envelope envelope, DataKey key) =>
        OpenGcm(id, envelope.Nonce, envelope.Ciphertext, envelope.Tag, envelope.Header, key);

    private static string OpenV2(SecretId id, V2Envelope envelope, EncryptionContext context, DataKey key) =>
        OpenGcm(id, envelope.Nonce, envelope.Ciphertext, envelope.Tag, ContextEncoding.Encode(context), key);

    private static string OpenGcm(SecretId id, byte[] nonce, byte[] ciphertext, byte[] tag, byte[] associatedData, DataKey key)
    {
        var plaintext = new byte[ciphertext.Length];
        try
        {
            using var aes = new AesGcm(key.Plaintext, V2Envelope.TagSizeInBytes);
            aes.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
            return StrictUtf8.GetString(plaintext);
        }
        catch (CryptographicException ex)
        {
            throw new InvalidProtectedDataException($"The envelope of '{id}' fails authentication (tampered, or the wrong key).", ex);
        }
        catch (DecoderFallbackException ex)
        {
            throw new InvalidProtectedDataException($"The value of '{id}' is not valid UTF-8 after decryption.", ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private static string Describe(EncryptionContext context)
    {
        var pairs = context.ToDictionary();
        return pairs.TryGetValue(EncryptionContext.ApplicationKey, out var app) && pairs.TryGetValue(EncryptionContext.NameKey, out var name)
            ? $"{app}/{name}"
            : "another context";
    }

    /// <summary>One key that can open a record: its id, the data key wrapped under it, and the context it is bound to.</summary>
    private sealed record Recipient(string KeyId, byte[] WrappedKey, EncryptionContext Context);

    /// <summary>A record checked and ready to open once its data key is unwrapped.</summary>
    private sealed class Opening
    {
        private readonly Func<DataKey, string> _decrypt;

        /// <summary>A v1 or v2 record: one key.</summary>
        public Opening(SecretId id, ProtectedSecretFormat format, string keyId, byte[] wrappedKey, EncryptionContext context, int keySize, SecretMetadata metadata, Func<DataKey, string> decrypt)
            : this(id, format, [new Recipient(keyId, wrappedKey, context)], keySize, metadata, boundStoreId: null, decrypt)
        {
        }

        /// <summary>A record of one or more recipients, the first its primary key.</summary>
        public Opening(SecretId id, ProtectedSecretFormat format, IReadOnlyList<Recipient> candidates, int keySize, SecretMetadata metadata, string? boundStoreId, Func<DataKey, string> decrypt)
        {
            Id = id;
            Format = format;
            Candidates = candidates;
            Usable = candidates;
            KeySize = keySize;
            Metadata = metadata;
            BoundStoreId = boundStoreId;
            _decrypt = decrypt;
            UnwrapIdentity = $"{(int)format}|" + string.Join("|", candidates.Select(c => $"{c.KeyId}|{Convert.ToBase64String(c.WrappedKey)}|{Convert.ToBase64String(ContextEncoding.Encode(c.Context))}"));
        }

        public SecretId Id { get; }

        public ProtectedSecretFormat Format { get; }

        /// <summary>The primary key (the record's <c>MasterKeyId</c>).</summary>
        public string KeyId => Candidates[0].KeyId;

        /// <summary>Every recipient, in stored order.</summary>
        public IReadOnlyList<Recipient> Candidates { get; }

        /// <summary>The recipients to try, in order (set by the allow-list check).</summary>
        public IReadOnlyList<Recipient> Usable { get; set; }

        public int KeySize { get; }

        public SecretMetadata Metadata { get; }

        /// <summary>The store id the record claims to be bound to, checked against the store's before any unwrap.</summary>
        public string? BoundStoreId { get; }

        public string UnwrapIdentity { get; }

        public Secret Open(DataKey key) => new(Id, _decrypt(key), Metadata);
    }
}

using System.Collections;
using System.Globalization;
using SecretStore.Repositories;
using SecretStore.Secrets;

namespace SecretStore.Keys;

/// <summary>
/// Name/value pairs that bind a data key (and in v2 the ciphertext) to where it belongs. Kept sorted by
/// name (ordinal), which is the canonical order. For KMS it is the <c>EncryptionContext</c>; for v2 it is
/// also the AES-GCM associated data.
/// </summary>
public sealed class EncryptionContext : IReadOnlyList<KeyValuePair<string, string>>, IEquatable<EncryptionContext>
{
    /// <summary>The context key for the format version.</summary>
    public const string FormatKey = "secretstore:format";

    /// <summary>The context key for the application name.</summary>
    public const string ApplicationKey = "secretstore:application";

    /// <summary>The context key for the secret name.</summary>
    public const string NameKey = "secretstore:name";

    /// <summary>The context key for the master key id.</summary>
    public const string MasterKeyIdKey = "secretstore:master-key-id";

    /// <summary>The context key for the store id that envelope version 3 records may be bound to.</summary>
    public const string StoreKey = "secretstore:store";

    /// <summary>The value of <see cref="FormatKey"/> in envelope version 3 contexts.</summary>
    public const string EnvelopeV3Format = "3";

    private readonly KeyValuePair<string, string>[] _pairs;

    /// <summary>Creates a context from pairs; names must be unique.</summary>
    public EncryptionContext(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        _pairs = pairs.OrderBy(p => p.Key, StringComparer.Ordinal).ToArray();
        for (var i = 1; i < _pairs.Length; i++)
        {
            if (string.Equals(_pairs[i - 1].Key, _pairs[i].Key, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Duplicate encryption context key '{_pairs[i].Key}'.", nameof(pairs));
            }
        }
    }

    /// <summary>The empty context (v1 KMS records, which the reference wrote without one).</summary>
    public static EncryptionContext Empty { get; } = new([]);

    /// <summary>The context of a secret in the given format, taken from the requested id (never from a stored row).</summary>
    public static EncryptionContext ForSecret(SecretId id, string masterKeyId, ProtectedSecretFormat format) => new(
    [
        new(FormatKey, ((int)format).ToString(CultureInfo.InvariantCulture)),
        new(ApplicationKey, id.ApplicationName),
        new(NameKey, id.Name),
        new(MasterKeyIdKey, masterKeyId),
    ]);

    /// <summary>
    /// The context of an envelope version 3 record, taken from the requested id and the store it is read from or
    /// written to (never from a stored row): format 3, application, name, and the store id when there is one. It is
    /// stored in the envelope and, through the header, is part of the ciphertext's associated data.
    /// </summary>
    public static EncryptionContext ForRecord(SecretId id, string? storeId)
    {
        List<KeyValuePair<string, string>> pairs =
        [
            new(FormatKey, EnvelopeV3Format),
            new(ApplicationKey, id.ApplicationName),
            new(NameKey, id.Name),
        ];
        if (storeId is not null)
        {
            pairs.Add(new(StoreKey, storeId));
        }

        return new(pairs);
    }

    /// <summary>
    /// The context one recipient's wrapped data key is bound to (the KMS encryption context, or what the RSA wrap
    /// hashes): the record's context plus that recipient's master key id, so a wrapped key cannot be moved to another
    /// record, store or recipient slot.
    /// </summary>
    public EncryptionContext ForRecipient(string masterKeyId) => new([.. _pairs, new(MasterKeyIdKey, masterKeyId)]);

    /// <summary>The value of <paramref name="key"/>, or null when the context has none.</summary>
    public string? ValueOf(string key)
    {
        foreach (var pair in _pairs)
        {
            if (string.Equals(pair.Key, key, StringComparison.Ordinal))
            {
                return pair.Value;
            }
        }

        return null;
    }

    /// <inheritdoc />
    public int Count => _pairs.Length;

    /// <inheritdoc />
    public KeyValuePair<string, string> this[int index] => _pairs[index];

    /// <summary>A new dictionary, for APIs such as KMS that take one.</summary>
    public Dictionary<string, string> ToDictionary() => _pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, string>>)_pairs).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public bool Equals(EncryptionContext? other) =>
        other is not null && _pairs.Length == other._pairs.Length
        && _pairs.Zip(other._pairs).All(p => string.Equals(p.First.Key, p.Second.Key, StringComparison.Ordinal)
                                             && string.Equals(p.First.Value, p.Second.Value, StringComparison.Ordinal));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as EncryptionContext);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (var pair in _pairs)
        {
            hash.Add(pair.Key, StringComparer.Ordinal);
            hash.Add(pair.Value, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }
}

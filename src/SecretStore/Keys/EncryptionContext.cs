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

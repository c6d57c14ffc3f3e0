using System.Globalization;
using System.Text;
using Amazon.DynamoDBv2.Model;
using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Repositories.History;
using SecretStore.Secrets;
using static SecretStore.Aws.DynamoDb.SecretTableAttributes;

namespace SecretStore.Aws.DynamoDb;

/// <summary>Maps table items to <see cref="ProtectedSecretRecord"/> and back.</summary>
internal static class SecretItemMapper
{
    /// <summary>DynamoDB's item size limit (400 KB, names and values counted as UTF-8).</summary>
    public const int MaxItemSizeInBytes = 400 * 1024;

    private const string TimeFormat = "yyyy-MM-ddTHH:mm:ssZ";

    public static Dictionary<string, AttributeValue> Key(SecretId id) => new(StringComparer.Ordinal)
    {
        [ApplicationName] = new AttributeValue { S = id.ApplicationName },
        [SecretName] = new AttributeValue { S = id.Name },
    };

    /// <summary>
    /// The item for a record at <paramref name="revision"/>. v2 items carry no v1 field, so a reference
    /// reader fails closed on them. v1 items written by us also carry <c>Revision</c>, which the reference
    /// ignores, so conditional updates stay exact.
    /// </summary>
    public static Dictionary<string, AttributeValue> ToItem(ProtectedSecretRecord record, long revision)
    {
        var item = Key(record.Id);
        item[MasterKeyId] = new AttributeValue { S = record.MasterKeyId };
        item[Revision] = Number(revision);
        switch (record.Format)
        {
            case ProtectedSecretFormat.V1:
                item[ProtectedDocumentKey] = Binary(Required(record.ProtectedDocumentKey, record, nameof(record.ProtectedDocumentKey)));
                item[InitialisationVector] = Binary(Required(record.InitialisationVector, record, nameof(record.InitialisationVector)));
                item[ProtectedSecretValue] = Binary(Required(record.ProtectedSecretValue, record, nameof(record.ProtectedSecretValue)));
                break;
            case ProtectedSecretFormat.V2:
                item[Envelope] = Binary(Required(record.Envelope, record, nameof(record.Envelope)));
                item[Format] = Number((int)ProtectedSecretFormat.V2);
                break;
            default:
                throw new SecretStoreException(DiagnosticCodes.InvalidArgument, $"Secret '{record.Id}' has an unknown format {(int)record.Format}.");
        }

        return item;
    }

    /// <summary>
    /// Reads an item. Reference rows have no <c>Revision</c> and read as revision 1. An item that is neither a
    /// complete v1 row nor a clean v2 row is refused (<c>SSB3002</c>) rather than guessed at.
    /// </summary>
    /// <summary>
    /// The revision of the item a failed condition returned (<c>ALL_OLD</c>), for the conflict message: 0 when there
    /// is none, 1 for a reference row without <c>Revision</c>, null when the attribute is not a valid revision.
    /// </summary>
    public static long? RevisionOf(Dictionary<string, AttributeValue>? item)
    {
        if (item is null or { Count: 0 })
        {
            return 0;
        }

        if (!item.TryGetValue(Revision, out var rev))
        {
            return 1;
        }

        return rev.N is not null && long.TryParse(rev.N, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && RecordRevision.IsValid(parsed) ? parsed : null;
    }

    /// <summary>
    /// True when a stored item (for example the one returned by a failed condition) has exactly the attributes
    /// and values of <paramref name="written"/>.
    /// </summary>
    public static bool SameItem(Dictionary<string, AttributeValue>? stored, Dictionary<string, AttributeValue> written)
    {
        if (stored is null || stored.Count != written.Count)
        {
            return false;
        }

        foreach (var (name, value) in written)
        {
            if (!stored.TryGetValue(name, out var other)
                || !string.Equals(value.S, other.S, StringComparison.Ordinal)
                || !string.Equals(value.N, other.N, StringComparison.Ordinal)
                || !SameBytes(value.B, other.B))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameBytes(MemoryStream? a, MemoryStream? b) =>
        (a is null && b is null)
        || (a is not null && b is not null && a.ToArray().AsSpan().SequenceEqual(b.ToArray()));

    public static ProtectedSecretRecord FromItem(Dictionary<string, AttributeValue> item, string tableName)
    {
        var id = new SecretId(String(item, ApplicationName) ?? "?", String(item, SecretName) ?? "?");
        var masterKeyId = String(item, MasterKeyId);
        // A revision out of range (or of another type) refuses this record only, with SSB2014 on read and write;
        // the rest of a query still reads. A row without one is a reference row: revision 1.
        long revision = 1;
        string? invalidRevision = null;
        if (item.TryGetValue(Revision, out var rev))
        {
            if (rev.N is not null && long.TryParse(rev.N, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && RecordRevision.IsValid(parsed))
            {
                revision = parsed;
            }
            else
            {
                revision = 0;
                invalidRevision = rev.N ?? "(not a number)";
            }
        }
        var hasEnvelope = item.ContainsKey(Envelope);
        var hasV1Field = item.ContainsKey(ProtectedDocumentKey) || item.ContainsKey(InitialisationVector) || item.ContainsKey(ProtectedSecretValue);

        if (masterKeyId is null)
        {
            throw Corrupt(id, tableName, "it has no MasterKeyId");
        }

        if (hasEnvelope)
        {
            var format = item.TryGetValue(Format, out var f) && f.N is not null ? ParseNumber(f.N, id, tableName, Format) : 0;
            if (hasV1Field || format != (int)ProtectedSecretFormat.V2)
            {
                throw Corrupt(id, tableName, "it mixes v1 and v2 fields or its Format is not 2");
            }

            return new ProtectedSecretRecord
            {
                Id = id,
                Format = ProtectedSecretFormat.V2,
                Revision = revision,
                InvalidRevision = invalidRevision,
                MasterKeyId = masterKeyId,
                Envelope = Bytes(item, Envelope) ?? throw Corrupt(id, tableName, "its Envelope is not binary"),
            };
        }

        if (item.ContainsKey(Format) && !(item[Format].N == "1"))
        {
            throw Corrupt(id, tableName, "its Format does not match its fields");
        }

        var documentKey = Bytes(item, ProtectedDocumentKey);
        var iv = Bytes(item, InitialisationVector);
        var value = Bytes(item, ProtectedSecretValue);
        if (documentKey is null || iv is null || value is null)
        {
            throw Corrupt(id, tableName, "it lacks one of the v1 binary fields");
        }

        return new ProtectedSecretRecord
        {
            Id = id,
            Format = ProtectedSecretFormat.V1,
            Revision = revision,
            InvalidRevision = invalidRevision,
            MasterKeyId = masterKeyId,
            ProtectedDocumentKey = documentKey,
            InitialisationVector = iv,
            ProtectedSecretValue = value,
        };
    }

    /// <summary>
    /// The history item of one revision: the record's attributes (as in the secrets table) plus the sort key, time and
    /// writer; a deletion keeps only the key, revision, time, writer and <c>Deleted</c>.
    /// </summary>
    public static Dictionary<string, AttributeValue> ToHistoryItem(SecretId id, long revision, ProtectedSecretRecord? record, DateTimeOffset? writtenAt, string? writer)
    {
        var item = record is null ? Key(id) : ToItem(record, revision);
        item[Revision] = Number(revision);
        item[HistoryTableAttributes.SecretRevision] = new AttributeValue { S = HistoryTableAttributes.SortKey(id.Name, revision) };
        if (writtenAt is { } time)
        {
            item[HistoryTableAttributes.WrittenAt] = new AttributeValue { S = time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture) };
        }

        if (!string.IsNullOrEmpty(writer))
        {
            item[HistoryTableAttributes.Writer] = new AttributeValue { S = writer };
        }

        if (record is null)
        {
            item[HistoryTableAttributes.Deleted] = new AttributeValue { BOOL = true };
        }

        return item;
    }

    /// <summary>The key of one revision in the history table.</summary>
    public static Dictionary<string, AttributeValue> HistoryKey(SecretId id, long revision) => new(StringComparer.Ordinal)
    {
        [ApplicationName] = new AttributeValue { S = id.ApplicationName },
        [HistoryTableAttributes.SecretRevision] = new AttributeValue { S = HistoryTableAttributes.SortKey(id.Name, revision) },
    };

    /// <summary>
    /// The revision of a history item read with only its keys (a projection), checked like <see cref="FromHistoryItem"/>
    /// checks it: a valid revision that matches the sort key, or <c>SSB3002</c>.
    /// </summary>
    public static long HistoryRevision(Dictionary<string, AttributeValue> item, string tableName)
    {
        var id = new SecretId(String(item, ApplicationName) ?? "?", String(item, SecretName) ?? "?");
        if (!item.TryGetValue(Revision, out var rev) || rev.N is null
            || !long.TryParse(rev.N, NumberStyles.None, CultureInfo.InvariantCulture, out var revision) || !RecordRevision.IsValid(revision))
        {
            throw Corrupt(id, tableName, "its Revision is missing or out of range");
        }

        if (String(item, HistoryTableAttributes.SecretRevision) != HistoryTableAttributes.SortKey(id.Name, revision))
        {
            throw Corrupt(id, tableName, $"its {HistoryTableAttributes.SecretRevision} does not match its name and revision");
        }

        return revision;
    }

    /// <summary>
    /// Reads a history item, strictly: a revision that is not a valid number, a sort key that does not match the name and
    /// revision, a time that is not the stamp format, or a deletion that carries record fields is refused (<c>SSB3002</c>).
    /// </summary>
    public static SecretHistoryEntry FromHistoryItem(Dictionary<string, AttributeValue> item, string tableName)
    {
        var id = new SecretId(String(item, ApplicationName) ?? "?", String(item, SecretName) ?? "?");
        var revision = HistoryRevision(item, tableName);
        DateTimeOffset? writtenAt = null;
        if (String(item, HistoryTableAttributes.WrittenAt) is { } time)
        {
            writtenAt = DateTimeOffset.TryParseExact(time, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
                ? parsed
                : throw Corrupt(id, tableName, $"its {HistoryTableAttributes.WrittenAt} is not a UTC time ({TimeFormat})");
        }

        var writer = String(item, HistoryTableAttributes.Writer);
        if (item.TryGetValue(HistoryTableAttributes.Deleted, out var deleted) && deleted.BOOL == true)
        {
            if (item.ContainsKey(MasterKeyId) || item.ContainsKey(Envelope) || item.ContainsKey(ProtectedDocumentKey)
                || item.ContainsKey(InitialisationVector) || item.ContainsKey(ProtectedSecretValue) || item.ContainsKey(Format))
            {
                throw Corrupt(id, tableName, "it is a deletion that carries record fields");
            }

            return new SecretHistoryEntry { Id = id, Revision = revision, WrittenAt = writtenAt, Writer = writer };
        }

        return new SecretHistoryEntry { Id = id, Revision = revision, WrittenAt = writtenAt, Writer = writer, Record = FromItem(item, tableName) };
    }

    /// <summary>The item size as DynamoDB counts it: UTF-8 names plus value sizes (numbers counted generously).</summary>
    public static long ItemSize(Dictionary<string, AttributeValue> item)
    {
        long size = 0;
        foreach (var (name, value) in item)
        {
            size += Encoding.UTF8.GetByteCount(name);
            size += value switch
            {
                { S: not null } => Encoding.UTF8.GetByteCount(value.S),
                { B: not null } => value.B.Length,
                { N: not null } => 21,
                { BOOL: not null } => 1,
                _ => 1,
            };
        }

        return size;
    }

    private static AttributeValue Number(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    private static AttributeValue Binary(byte[] bytes) => new() { B = new MemoryStream(bytes, writable: false) };

    private static byte[] Required(byte[]? bytes, ProtectedSecretRecord record, string field) =>
        bytes ?? throw new SecretStoreException(DiagnosticCodes.InvalidArgument, $"Secret '{record.Id}' ({record.Format}) has no {field}.");

    private static string? String(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) ? value.S : null;

    private static byte[]? Bytes(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) && value.B is not null ? value.B.ToArray() : null;

    private static long ParseNumber(string text, SecretId id, string tableName, string field) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw Corrupt(id, tableName, $"its {field} is not a whole number");

    private static InvalidProtectedDataException Corrupt(SecretId id, string tableName, string why) =>
        new($"The DynamoDB item for '{id}' in table '{tableName}' is not a valid protected secret: {why}.");
}

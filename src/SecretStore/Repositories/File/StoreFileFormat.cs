using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using SecretStore.Diagnostics;
using SecretStore.Repositories.History;
using SecretStore.Secrets;

namespace SecretStore.Repositories.File;

/// <summary>
/// The JSON of the file store: <c>{"version":1,"secrets":[...]}</c>, one object per application/name,
/// sorted by application then name (ordinal), indented, so a diff shows exactly which secret changed.
/// v1 records use the reference field names (<c>ApplicationName</c>, <c>Name</c>, <c>MasterKeyId</c>,
/// <c>ProtectedDocumentKey</c>, <c>InitialisationVector</c>, <c>ProtectedSecretValue</c>, base64), so reference
/// rows import by copying (rows without <c>Format</c>/<c>Revision</c> read as v1, revision 1; <c>SecretName</c>
/// is accepted for <c>Name</c>). v2 records hold <c>Format</c> 2, <c>Revision</c>, <c>MasterKeyId</c> and <c>Envelope</c>.
/// Earlier revisions live in a second array, <c>"history"</c> (after <c>"secrets"</c>, written only when not empty), one
/// object per revision sorted by application, name and revision, so that the current records keep their layout and a
/// write adds one object where the diff shows it (docs/format.md, "History").
/// </summary>
internal static class StoreFileFormat
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The current records only: reads that need no history do not decode it.</summary>
    public static SortedDictionary<(string App, string Name), ProtectedSecretRecord> Parse(byte[] content, string path) =>
        ParseCore(content, path, history: null, out _);

    /// <summary>The current records and the file's store id, from the same pass over its top level.</summary>
    public static SortedDictionary<(string App, string Name), ProtectedSecretRecord> Parse(byte[] content, string path, out string? storeId) =>
        ParseCore(content, path, history: null, out storeId);

    /// <summary>The current records and the history (every entry checked: a corrupt one is <c>SSB2004</c>).</summary>
    public static StoreFileContent ParseWithHistory(byte[] content, string path)
    {
        var history = new SortedDictionary<(string App, string Name), SortedDictionary<long, SecretHistoryEntry>>(KeyComparer.Instance);
        var records = ParseCore(content, path, history, out var storeId);
        return new StoreFileContent(records, history) { StoreId = storeId };
    }

    private static SortedDictionary<(string App, string Name), ProtectedSecretRecord> ParseCore(
        byte[] content,
        string path,
        SortedDictionary<(string App, string Name), SortedDictionary<long, SecretHistoryEntry>>? history,
        out string? storeId)
    {
        var records = new SortedDictionary<(string App, string Name), ProtectedSecretRecord>(KeyComparer.Instance);
        storeId = null;

        var json = JsonOf(content);
        if (json.IsEmpty)
        {
            return records;
        }

        try
        {
            // The top level is walked with a reader, so that the history array of a read that does not need it is only
            // skipped (checked for syntax, never built into a document): a publish costs the same with a long history.
            var top = ReadTopLevel(json, path);
            using (var version = Parse(json, top.Version ?? throw Corrupt(path, "it has no supported \"version\" (1)")))
            {
                var root = version.RootElement;
                if (root.ValueKind != JsonValueKind.Number || !root.TryGetInt32(out var v) || v != 1)
                {
                    throw Corrupt(path, "it has no supported \"version\" (1)");
                }
            }

            storeId = StoreIdOf(json, top, path);
            using var secretsDocument = Parse(json, top.Secrets ?? throw Corrupt(path, "it has no \"secrets\" array"));
            var secrets = secretsDocument.RootElement;
            if (secrets.ValueKind != JsonValueKind.Array)
            {
                throw Corrupt(path, "it has no \"secrets\" array");
            }

            var index = 0;
            foreach (var element in secrets.EnumerateArray())
            {
                var record = ParseRecord(element, path, index++);
                if (!records.TryAdd((record.Id.ApplicationName, record.Id.Name), record))
                {
                    throw Corrupt(path, $"secret '{record.Id}' appears twice");
                }
            }

            if (top.History is { } historySlice)
            {
                if (!top.HistoryIsArray)
                {
                    throw Corrupt(path, "its \"history\" is not an array");
                }

                if (history is not null)
                {
                    using var historyDocument = Parse(json, historySlice);
                    index = 0;
                    foreach (var element in historyDocument.RootElement.EnumerateArray())
                    {
                        var entry = ParseHistoryEntry(element, path, index++);
                        var key = (entry.Id.ApplicationName, entry.Id.Name);
                        if (!history.TryGetValue(key, out var revisions))
                        {
                            history[key] = revisions = [];
                        }

                        if (!revisions.TryAdd(entry.Revision, entry))
                        {
                            throw Corrupt(path, string.Create(CultureInfo.InvariantCulture, $"revision {entry.Revision} of '{entry.Id}' appears twice in the history"));
                        }
                    }
                }
            }

            return records;
        }
        catch (JsonException ex)
        {
            throw NotJson(ex, path);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or ArgumentException)
        {
            throw new SecretStoreException(DiagnosticCodes.StoreFileCorrupt, $"The secret store file '{path}' breaks its schema ({ex.GetType().Name}); it was not changed.", ex);
        }
    }

    /// <summary>Where the top-level members are (offset and length in the file), found by one pass of a reader.</summary>
    private readonly record struct TopLevel((int Start, int Length)? Version, (int Start, int Length)? Secrets, (int Start, int Length)? History, bool HistoryIsArray, (int Start, int Length)? StoreId);

    /// <summary>
    /// The <c>"storeId"</c> of the file, or null when it has none (or is empty): checked to be a string of
    /// <see cref="StoreIds"/> shape, <c>SSB2004</c> otherwise.
    /// </summary>
    public static string? ReadStoreId(byte[] content, string path)
    {
        var json = JsonOf(content);
        if (json.IsEmpty)
        {
            return null;
        }

        try
        {
            return StoreIdOf(json, ReadTopLevel(json, path), path);
        }
        catch (JsonException ex)
        {
            throw NotJson(ex, path);
        }
    }

    private static string? StoreIdOf(ReadOnlyMemory<byte> json, TopLevel top, string path)
    {
        if (top.StoreId is not { } slice)
        {
            return null;
        }

        using var document = Parse(json, slice);
        var value = document.RootElement.ValueKind == JsonValueKind.String ? document.RootElement.GetString() : null;
        return value is not null && StoreIds.IsWellFormed(value) ? value : throw Corrupt(path, "its \"storeId\" is not a store id");
    }

    /// <summary>
    /// The file's JSON: without the UTF-8 byte order mark editors on Windows may add (the JSON reader does not skip it
    /// for bytes), and empty for a file of whitespace only (a store with no records).
    /// </summary>
    private static ReadOnlyMemory<byte> JsonOf(byte[] content)
    {
        var json = content.AsMemory();
        if (json.Span.StartsWith("\uFEFF"u8))
        {
            json = json[3..];
        }

        return json.Span.Trim(" \t\r\n"u8).IsEmpty ? ReadOnlyMemory<byte>.Empty : json;
    }

    private static SecretStoreException NotJson(JsonException ex, string path) => new(
    [
        new Diagnostic(DiagnosticCodes.StoreFileCorrupt, DiagnosticSeverity.Error, "The secret store file is not valid JSON; it was not changed.", path, (int)(ex.LineNumber ?? -1) + 1, (int)(ex.BytePositionInLine ?? 0) + 1),
    ]);

    private static TopLevel ReadTopLevel(ReadOnlyMemory<byte> json, string path)
    {
        var reader = new Utf8JsonReader(json.Span, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw Corrupt(path, "the top level is not an object");
        }

        (int, int)? version = null, secrets = null, history = null, storeId = null;
        var historyIsArray = false;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            if (!seen.Add(name))
            {
                throw Corrupt(path, $"its top level has \"{(name.Length > 40 ? name[..40] + "..." : name)}\" twice");
            }

            reader.Read();
            var start = (int)reader.TokenStartIndex;
            var isArray = reader.TokenType == JsonTokenType.StartArray;
            reader.Skip();
            var slice = (start, (int)reader.BytesConsumed - start);
            switch (name)
            {
                case "version":
                    version = slice;
                    break;
                case "secrets":
                    secrets = slice;
                    break;
                case "storeId":
                    storeId = slice;
                    break;
                case "history":
                    history = slice;
                    historyIsArray = isArray;
                    break;
            }
        }

        // Anything after the top-level object is a syntax error the reader reports (with its line).
        while (reader.Read())
        {
        }

        return new TopLevel(version, secrets, history, historyIsArray, storeId);
    }

    /// <summary>
    /// Parses one top-level member strictly: a repeated property is an error, as everywhere in the file. Its syntax was
    /// checked by <see cref="ReadTopLevel"/> (whose errors carry the line in the whole file), so only a repeated property
    /// fails here, and the reader gives that no position.
    /// </summary>
    private static JsonDocument Parse(ReadOnlyMemory<byte> json, (int Start, int Length) slice) =>
        JsonDocument.Parse(json.Slice(slice.Start, slice.Length), new JsonDocumentOptions { AllowDuplicateProperties = false });

    public static byte[] Write(IEnumerable<ProtectedSecretRecord> records) => Write(records, []);

    /// <summary>
    /// Writes the store id (when there is one), the records, then the history entries (in the order given:
    /// application, name, revision).
    /// </summary>
    public static byte[] Write(IEnumerable<ProtectedSecretRecord> records, IEnumerable<SecretHistoryEntry> history, string? storeId = null)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", 1);
            if (storeId is not null)
            {
                writer.WriteString("storeId", storeId);
            }

            writer.WriteStartArray("secrets");
            foreach (var record in records)
            {
                writer.WriteStartObject();
                writer.WriteString("ApplicationName", record.Id.ApplicationName);
                writer.WriteString("Name", record.Id.Name);
                writer.WriteNumber("Format", (int)record.Format);
                WriteRevisionAndFields(writer, record);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            var started = false;
            foreach (var entry in history)
            {
                if (!started)
                {
                    writer.WriteStartArray("history");
                    started = true;
                }

                writer.WriteStartObject();
                writer.WriteString("ApplicationName", entry.Id.ApplicationName);
                writer.WriteString("Name", entry.Id.Name);
                writer.WriteNumber("Revision", entry.Revision);
                if (entry.WrittenAt is { } time)
                {
                    writer.WriteString("Time", time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                }

                if (entry.Writer is { } who)
                {
                    writer.WriteString("Writer", who);
                }

                if (entry.Record is { } record)
                {
                    writer.WriteNumber("Format", (int)record.Format);
                    writer.WriteString("MasterKeyId", record.MasterKeyId);
                    WriteFields(writer, record);
                }
                else
                {
                    writer.WriteBoolean("Deleted", true);
                }

                writer.WriteEndObject();
            }

            if (started)
            {
                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private static void WriteRevisionAndFields(Utf8JsonWriter writer, ProtectedSecretRecord record)
    {
        if (record.InvalidRevision is { } raw)
        {
            // A record refused for its revision (SSB2014) is kept as it was written, not repaired or dropped.
            writer.WritePropertyName("Revision");
            writer.WriteRawValue(raw);
        }
        else
        {
            writer.WriteNumber("Revision", record.Revision);
        }

        writer.WriteString("MasterKeyId", record.MasterKeyId);
        WriteFields(writer, record);
    }

    private static void WriteFields(Utf8JsonWriter writer, ProtectedSecretRecord record)
    {
        if (record.Format == ProtectedSecretFormat.V1)
        {
            writer.WriteBase64String("ProtectedDocumentKey", record.ProtectedDocumentKey);
            writer.WriteBase64String("InitialisationVector", record.InitialisationVector);
            writer.WriteBase64String("ProtectedSecretValue", record.ProtectedSecretValue);
        }
        else
        {
            writer.WriteBase64String("Envelope", record.Envelope);
        }
    }

    /// <summary>
    /// One history object: the record's fields plus <c>Revision</c> (required and valid: a history entry has no
    /// "refused alone" state, its file is corrupt), <c>Time</c> and <c>Writer</c> (optional), or <c>Deleted</c>
    /// <c>true</c> and no record fields for a deletion.
    /// </summary>
    internal static SecretHistoryEntry ParseHistoryEntry(JsonElement element, string path, int index)
    {
        var where = $"history entry #{(index + 1).ToString(CultureInfo.InvariantCulture)}";
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Corrupt(path, $"{where} is not an object");
        }

        if (!element.TryGetProperty("Revision", out var revisionElement) || revisionElement.ValueKind != JsonValueKind.Number
            || !revisionElement.TryGetInt64(out var revision) || !RecordRevision.IsValid(revision))
        {
            throw Corrupt(path, $"{where} has no \"Revision\" from 1 to {long.MaxValue}");
        }

        DateTimeOffset? time = null;
        if (OptionalString(element, "Time", path, where) is { } text)
        {
            time = DateTimeOffset.TryParseExact(text, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
                ? parsed
                : throw Corrupt(path, $"{where} has a \"Time\" that is not yyyy-MM-ddTHH:mm:ssZ");
        }

        var writer = OptionalString(element, "Writer", path, where);
        if (writer is not null && !SecretId.IsWellFormedText(writer))
        {
            throw Corrupt(path, $"{where} has a malformed \"Writer\"");
        }

        if (element.TryGetProperty("Deleted", out var deleted))
        {
            if (deleted.ValueKind != JsonValueKind.True)
            {
                throw Corrupt(path, $"{where} has a \"Deleted\" that is not true");
            }

            foreach (var field in (string[])["Format", "MasterKeyId", "Envelope", "ProtectedDocumentKey", "InitialisationVector", "ProtectedSecretValue"])
            {
                if (element.TryGetProperty(field, out _))
                {
                    throw Corrupt(path, $"{where} is a deletion but carries \"{field}\"");
                }
            }

            var (app, name) = (RequiredString(element, "ApplicationName", path, where), OptionalString(element, "Name", path, where) ?? throw Corrupt(path, $"{where} has no \"Name\""));
            if (app.Length == 0 || name.Length == 0 || !SecretId.IsWellFormedText(app) || !SecretId.IsWellFormedText(name))
            {
                throw Corrupt(path, $"{where} has an empty or malformed application or name");
            }

            return new SecretHistoryEntry { Id = new SecretId(app, name), Revision = revision, WrittenAt = time, Writer = writer };
        }

        if (!element.TryGetProperty("Format", out _))
        {
            // A current row without Format reads as v1; a history entry always says what it is.
            throw Corrupt(path, $"{where} has no \"Format\"");
        }

        var record = ParseRecord(element, path, index);
        return new SecretHistoryEntry { Id = record.Id, Revision = revision, WrittenAt = time, Writer = writer, Record = record };
    }

    internal static ProtectedSecretRecord ParseRecord(JsonElement element, string path, int index)
    {
        var where = $"secret #{(index + 1).ToString(CultureInfo.InvariantCulture)}";
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Corrupt(path, $"{where} is not an object");
        }

        var app = RequiredString(element, "ApplicationName", path, where);
        var name = OptionalString(element, "Name", path, where) ?? OptionalString(element, "SecretName", path, where)
            ?? throw Corrupt(path, $"{where} has no \"Name\"");
        if (app.Length == 0 || name.Length == 0 || !SecretId.IsWellFormedText(app) || !SecretId.IsWellFormedText(name))
        {
            throw Corrupt(path, $"{where} has an empty or malformed application or name");
        }

        var id = new SecretId(app, name);
        where = $"secret '{id}'";
        var format = ProtectedSecretFormat.V1;
        if (element.TryGetProperty("Format", out var formatElement))
        {
            format = formatElement.ValueKind == JsonValueKind.Number && formatElement.TryGetInt32(out var f) && f is 1 or 2
                ? (ProtectedSecretFormat)f
                : throw Corrupt(path, $"{where} has an unknown \"Format\"");
        }

        long revision = 1;
        string? invalidRevision = null;
        if (element.TryGetProperty("Revision", out var revisionElement))
        {
            // Out of range is SSB2014 for this record only (on read and write), not a corrupt file: the other
            // records must stay readable, and the bad one is written back as it is.
            if (revisionElement.ValueKind == JsonValueKind.Number && revisionElement.TryGetInt64(out var r) && RecordRevision.IsValid(r))
            {
                revision = r;
            }
            else
            {
                revision = 0;
                invalidRevision = revisionElement.GetRawText();
            }
        }

        var masterKeyId = RequiredString(element, "MasterKeyId", path, where);
        if (format == ProtectedSecretFormat.V1)
        {
            return new ProtectedSecretRecord
            {
                Id = id,
                Format = format,
                Revision = revision,
                InvalidRevision = invalidRevision,
                MasterKeyId = masterKeyId,
                ProtectedDocumentKey = RequiredBytes(element, "ProtectedDocumentKey", path, where),
                InitialisationVector = RequiredBytes(element, "InitialisationVector", path, where),
                ProtectedSecretValue = RequiredBytes(element, "ProtectedSecretValue", path, where),
            };
        }

        if (element.TryGetProperty("ProtectedSecretValue", out _) || element.TryGetProperty("ProtectedDocumentKey", out _))
        {
            throw Corrupt(path, $"{where} is v2 but carries v1 fields");
        }

        return new ProtectedSecretRecord
        {
            Id = id,
            Format = format,
            Revision = revision,
            InvalidRevision = invalidRevision,
            MasterKeyId = masterKeyId,
            Envelope = RequiredBytes(element, "Envelope", path, where),
        };
    }

    private static string RequiredString(JsonElement element, string name, string path, string where) =>
        OptionalString(element, name, path, where) ?? throw Corrupt(path, $"{where} has no \"{name}\"");

    private static string? OptionalString(JsonElement element, string name, string path, string where)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Corrupt(path, $"{where} has a \"{name}\" that is not a string");
    }

    private static byte[] RequiredBytes(JsonElement element, string name, string path, string where)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            throw Corrupt(path, $"{where} has no \"{name}\" string");
        }

        return value.TryGetBytesFromBase64(out var bytes) ? bytes : throw Corrupt(path, $"{where} has a \"{name}\" that is not base64");
    }

    private static SecretStoreException Corrupt(string path, string what) =>
        new(DiagnosticCodes.StoreFileCorrupt, $"The secret store file '{path}' is corrupt: {what}. It was not changed.");

    /// <summary>What a store file holds: the current records, and each secret's history by revision.</summary>
    internal sealed record StoreFileContent(
        SortedDictionary<(string App, string Name), ProtectedSecretRecord> Records,
        SortedDictionary<(string App, string Name), SortedDictionary<long, SecretHistoryEntry>> History)
    {
        /// <summary>The file's store id, kept on every write; null when it has none.</summary>
        public string? StoreId { get; set; }
    }

    internal sealed class KeyComparer : IComparer<(string App, string Name)>
    {
        public static KeyComparer Instance { get; } = new();

        public int Compare((string App, string Name) x, (string App, string Name) y)
        {
            var app = string.CompareOrdinal(x.App, y.App);
            return app != 0 ? app : string.CompareOrdinal(x.Name, y.Name);
        }
    }
}

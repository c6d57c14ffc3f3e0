using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using SecretStore.Diagnostics;
using SecretStore.Secrets;

namespace SecretStore.Locking;

/// <summary>
/// <c>secretstore.lock.json</c>: for every secret the placeholders and mappings of the projects beside
/// <c>secretstore.json</c> need, the revision and the digest of the protected record they got when it was written
/// (<c>secretstore lock</c>, or a resolve with <c>--update-lock</c>). With a lock present, a resolve, verify or publish
/// refuses a record below its locked revision (<c>SSB2020</c>: a rollback) or different from the locked one at that
/// revision (<c>SSB2021</c>: a replaced record). Reviewable in a pull request: one object per secret, sorted, no values.
/// </summary>
public sealed class SecretLock
{
    /// <summary>The file name, next to <c>secretstore.json</c>.</summary>
    public const string FileName = "secretstore.lock.json";

    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Dictionary<(string App, string Name, bool Pinned, long PinnedRevision), LockEntry> _entries;

    private SecretLock(IEnumerable<LockEntry> entries)
    {
        _entries = [];
        foreach (var entry in entries)
        {
            _entries[Key(entry)] = entry;
        }
    }

    /// <summary>An empty lock.</summary>
    public static SecretLock Empty { get; } = new([]);

    /// <summary>The entries, in the file's order (application, name, unpinned first, revision).</summary>
    public IReadOnlyList<LockEntry> Entries => [.. _entries.Values
        .OrderBy(e => e.Application, StringComparer.Ordinal)
        .ThenBy(e => e.Name, StringComparer.Ordinal)
        .ThenBy(e => e.Pinned)
        .ThenBy(e => e.Revision)];

    /// <summary>The entry of <paramref name="reference"/>, or null when the lock does not name it.</summary>
    public LockEntry? Find(SecretReference reference) =>
        _entries.GetValueOrDefault((reference.Id.ApplicationName, reference.Id.Name, reference.IsPinned, reference.Revision ?? 0));

    /// <summary>This lock with <paramref name="entries"/> added or replacing the ones for the same reference; the rest are kept.</summary>
    public SecretLock With(IEnumerable<LockEntry> entries) => new([.. _entries.Values, .. entries]);

    /// <summary>Reads a lock file; a file that does not parse or breaks the schema is <c>SSB2022</c> naming it (and the line when known).</summary>
    public static SecretLock Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SecretStoreException(DiagnosticCodes.LockFileInvalid, $"The lock file '{path}' cannot be read ({ex.GetType().Name}).", ex);
        }

        return Parse(bytes, path);
    }

    /// <summary>Parses lock file bytes strictly (unknown members, repeated secrets and malformed digests are refused).</summary>
    public static SecretLock Parse(byte[] bytes, string path)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        try
        {
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowDuplicateProperties = false });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var v) || v != 1)
            {
                throw Invalid(path, "it has no supported \"version\" (1)");
            }

            if (!root.TryGetProperty("secrets", out var secrets) || secrets.ValueKind != JsonValueKind.Array)
            {
                throw Invalid(path, "it has no \"secrets\" array");
            }

            foreach (var member in root.EnumerateObject())
            {
                if (member.Name is not ("version" or "secrets"))
                {
                    throw Invalid(path, $"it has the unknown member \"{Short(member.Name)}\"");
                }
            }

            var entries = new List<LockEntry>();
            var seen = new HashSet<(string, string, bool, long)>();
            var index = 0;
            foreach (var element in secrets.EnumerateArray())
            {
                var entry = ParseEntry(element, path, index++);
                if (!seen.Add(Key(entry)))
                {
                    throw Invalid(path, $"it names '{entry}' twice");
                }

                entries.Add(entry);
            }

            return new SecretLock(entries);
        }
        catch (JsonException ex)
        {
            throw new SecretStoreException(
            [
                new Diagnostic(DiagnosticCodes.LockFileInvalid, DiagnosticSeverity.Error, "The lock file is not valid JSON; nothing was resolved or written. Fix: restore it from version control, or write it again with 'secretstore lock'.", path, (int)(ex.LineNumber ?? -1) + 1, (int)(ex.BytePositionInLine ?? 0) + 1),
            ]);
        }
    }

    /// <summary>The file's bytes: indented, sorted, one object per secret, ending with a line break.</summary>
    public byte[] ToBytes()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", 1);
            writer.WriteStartArray("secrets");
            foreach (var entry in Entries)
            {
                writer.WriteStartObject();
                writer.WriteString("application", entry.Application);
                writer.WriteString("name", entry.Name);
                if (entry.Pinned)
                {
                    writer.WriteBoolean("pinned", true);
                }

                writer.WriteNumber("revision", entry.Revision);
                writer.WriteString("record", entry.Record);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private static LockEntry ParseEntry(JsonElement element, string path, int index)
    {
        var where = string.Create(CultureInfo.InvariantCulture, $"entry {index + 1} of \"secrets\"");
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, $"{where} is not an object");
        }

        foreach (var member in element.EnumerateObject())
        {
            if (member.Name is not ("application" or "name" or "pinned" or "revision" or "record"))
            {
                throw Invalid(path, $"{where} has the unknown member \"{Short(member.Name)}\"");
            }
        }

        string Text(string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
                ? text
                : throw Invalid(path, $"{where} has no \"{name}\" text");

        var application = Text("application");
        var name = Text("name");
        if (!new SecretId(application, name).IsWellFormed)
        {
            throw Invalid(path, $"{where} has a name that is not well-formed Unicode");
        }

        if (!element.TryGetProperty("revision", out var revision) || revision.ValueKind != JsonValueKind.Number
            || !revision.TryGetInt64(out var number) || !Repositories.RecordRevision.IsValid(number))
        {
            throw Invalid(path, $"{where} ('{application}/{name}') has no \"revision\" that is a whole number from 1");
        }

        var record = Text("record");
        if (!RecordDigest.IsWellFormed(record))
        {
            throw Invalid(path, $"{where} ('{application}/{name}') has a \"record\" that is not '{RecordDigest.Prefix}' and 64 lower-case hex digits");
        }

        var pinned = false;
        if (element.TryGetProperty("pinned", out var flag))
        {
            pinned = flag.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Invalid(path, $"{where} ('{application}/{name}') has a \"pinned\" that is not true or false"),
            };
        }

        return new LockEntry(application, name, number, record, pinned);
    }

    private static (string, string, bool, long) Key(LockEntry entry) => (entry.Application, entry.Name, entry.Pinned, entry.Pinned ? entry.Revision : 0);

    private static string Short(string text) => text.Length > 40 ? text[..40] + "..." : text;

    private static SecretStoreException Invalid(string path, string what) =>
        new(DiagnosticCodes.LockFileInvalid, $"The lock file '{path}' is invalid: {what}. Nothing was resolved or written. Fix: restore it from version control, or write it again with 'secretstore lock'.");
}

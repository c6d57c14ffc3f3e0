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

    /// <summary>The largest lock file read (16 MiB): a link to a device must not exhaust memory.</summary>
    public const long MaxFileBytes = 16L * 1024 * 1024;

    private readonly Dictionary<(string? Environment, string App, string Name, bool Pinned, long PinnedRevision), LockEntry> _entries;

    private SecretLock(IEnumerable<LockEntry> entries)
    {
        _entries = [];
        foreach (var entry in entries)
        {
            _entries[Key(entry)] = entry;
        }
    }

    /// <summary>
    /// Where the lock of a run is: next to the settings file the run found (one per repository or folder of projects),
    /// or in <paramref name="workingDirectory"/> without one.
    /// </summary>
    public static string PathFor(string? settingsFilePath, string workingDirectory) =>
        Path.Combine(Path.GetDirectoryName(settingsFilePath) is { Length: > 0 } folder ? folder : Path.GetFullPath(workingDirectory), FileName);

    /// <summary>An empty lock.</summary>
    public static SecretLock Empty { get; } = new([]);

    /// <summary>The entries, in the file's order (application, name, unpinned first, revision).</summary>
    public IReadOnlyList<LockEntry> Entries => [.. _entries.Values
        .OrderBy(e => e.Environment ?? string.Empty, StringComparer.Ordinal)
        .ThenBy(e => e.Application, StringComparer.Ordinal)
        .ThenBy(e => e.Name, StringComparer.Ordinal)
        .ThenBy(e => e.Pinned)
        .ThenBy(e => e.Revision)];

    /// <summary>The entry of <paramref name="reference"/> for <paramref name="environment"/>, or null when the lock does not name it.</summary>
    public LockEntry? Find(SecretReference reference, string? environment = null) =>
        _entries.GetValueOrDefault((environment, reference.Id.ApplicationName, reference.Id.Name, reference.IsPinned, reference.Revision ?? 0));

    /// <summary>
    /// This lock with <paramref name="entries"/> added or replacing the ones for the same reference and environment, and
    /// the entries of <paramref name="removed"/> (secrets gone from the store) taken out; the rest are kept.
    /// </summary>
    public SecretLock With(IEnumerable<LockEntry> entries, IEnumerable<(SecretReference Reference, string? Environment)>? removed = null)
    {
        var next = new SecretLock([.. _entries.Values, .. entries]);
        foreach (var (reference, environment) in removed ?? [])
        {
            next._entries.Remove((environment, reference.Id.ApplicationName, reference.Id.Name, reference.IsPinned, reference.Revision ?? 0));
        }

        return next;
    }

    /// <summary>
    /// Reads the lock at <paramref name="path"/>, or returns null when nothing is there. Anything at the path that is not
    /// a regular file of at most <see cref="MaxFileBytes"/> (a folder, a link to one, a FIFO, a device, a dangling link),
    /// or a file owned by another user (not root) or writable by every user, is <c>SSB2022</c>: a lock that can be turned
    /// off by planting a folder, or rewritten by any local user, protects nothing (red team, issue 17).
    /// </summary>
    public static SecretLock? Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var info = new FileInfo(path);
        if (!info.Exists && !Directory.Exists(path) && info.LinkTarget is null)
        {
            return null;
        }

        if (Directory.Exists(path))
        {
            throw Invalid(path, "it is a folder (or a link to one), not a file");
        }

        if (IO.LinuxFiles.IsSupported)
        {
            IO.FileIdentity identity;
            try
            {
                identity = IO.LinuxFiles.Stat(path);
            }
            catch (IOException)
            {
                throw Invalid(path, "it is a link to nothing, or cannot be examined");
            }

            if (!identity.IsRegularFile)
            {
                throw Invalid(path, "it is not a regular file (a FIFO, a device or a socket, or a link to one)");
            }

            var user = IO.LinuxFiles.EffectiveUserId;
            if (identity.Owner != user && identity.Owner != 0)
            {
                throw Invalid(path, string.Create(CultureInfo.InvariantCulture, $"it is owned by user {identity.Owner}, not by the current user ({user}) or root, so its owner decides which rollbacks are seen"));
            }

            if ((identity.Mode & UnixFileMode.OtherWrite) != 0)
            {
                throw Invalid(path, "it is writable by every user (mode o+w), so any of them could empty it (chmod o-w)");
            }
        }

        return Read(path);
    }

    /// <summary>Reads a lock file; a file that does not parse or breaks the schema is <c>SSB2022</c> naming it (and the line when known).</summary>
    public static SecretLock Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
            if (stream.Length > MaxFileBytes)
            {
                throw Invalid(path, string.Create(CultureInfo.InvariantCulture, $"it is {stream.Length} bytes; the limit is {MaxFileBytes} bytes"));
            }

            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
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
            // Editors on Windows may add a UTF-8 byte order mark.
            var json = bytes.AsMemory();
            if (json.Span.StartsWith("\uFEFF"u8))
            {
                json = json[3..];
            }

            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowDuplicateProperties = false });
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
            var seen = new HashSet<(string?, string, string, bool, long)>();
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
                if (entry.Environment is { } environment)
                {
                    writer.WriteString("environment", environment);
                }

                writer.WriteString("application", entry.Application);
                writer.WriteString("name", entry.Name);
                if (entry.Pinned)
                {
                    writer.WriteBoolean("pinned", true);
                }

                writer.WriteNumber("revision", entry.Revision);
                writer.WriteString("record", entry.Record);
                if (entry.StoreId is { } store)
                {
                    writer.WriteString("store", store);
                }

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
            if (member.Name is not ("environment" or "application" or "name" or "pinned" or "revision" or "record" or "store"))
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

        string? environment = null;
        if (element.TryGetProperty("environment", out var env))
        {
            environment = env.ValueKind == JsonValueKind.String && env.GetString() is { Length: > 0 } named
                ? named
                : throw Invalid(path, $"{where} ('{application}/{name}') has an \"environment\" that is not a name");
        }

        string? store = null;
        if (element.TryGetProperty("store", out var storeElement))
        {
            store = storeElement.ValueKind == JsonValueKind.String && Repositories.StoreIds.IsWellFormed(storeElement.GetString())
                ? storeElement.GetString()
                : throw Invalid(path, $"{where} ('{application}/{name}') has a \"store\" that is not a store id");
        }

        return new LockEntry(application, name, number, record, pinned, environment) { StoreId = store };
    }

    private static (string?, string, string, bool, long) Key(LockEntry entry) => (entry.Environment, entry.Application, entry.Name, entry.Pinned, entry.Pinned ? entry.Revision : 0);

    private static string Short(string text) => text.Length > 40 ? text[..40] + "..." : text;

    private static SecretStoreException Invalid(string path, string what) =>
        new(DiagnosticCodes.LockFileInvalid, $"The lock file '{path}' is invalid: {what}. Nothing was resolved or written. Fix: restore it from version control, or write it again with 'secretstore lock'.");
}

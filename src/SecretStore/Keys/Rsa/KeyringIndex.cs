using System.Text.Encodings.Web;
using System.Text.Json;
using SecretStore.Diagnostics;

namespace SecretStore.Keys.Rsa;

/// <summary>The files of one key: paths relative to the keyring folder.</summary>
internal sealed record KeyringEntry(string? PublicKeyFile, string? PrivateKeyFile);

/// <summary>
/// <c>keyring.json</c>: <c>{"version":1,"defaultKeyId":...,"signingKey":{"publicKey":...,"privateKey":...},
/// "keys":{"&lt;key id&gt;":{"publicKey":...,"privateKey":...}}}</c>. Paths are relative and must stay inside the folder.
/// </summary>
internal sealed record KeyringIndex(string? DefaultKeyId, KeyringEntry SigningKey, IReadOnlyDictionary<string, KeyringEntry> Keys)
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static KeyringIndex Read(string root)
    {
        var path = Path.Combine(root, RsaKeyring.IndexFileName);
        if (!File.Exists(path))
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"'{path}' does not exist; create a keyring first.");
        }

        try
        {
            // keyring.json itself may be a committed symbolic link: like every key file it must really lie inside the
            // folder (a link to a file elsewhere, or to /dev/zero, is SSB3007), and it is read with a size bound.
            var text = KeyFiles.ReadText(KeyFiles.Resolve(root, RsaKeyring.IndexFileName), "the keyring index");
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowDuplicateProperties = false });
            var rootElement = document.RootElement;
            if (rootElement.ValueKind != JsonValueKind.Object
                || !rootElement.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number || version.GetInt32() != 1)
            {
                throw Invalid(path, "has no supported \"version\" (1)");
            }

            string? defaultKeyId = null;
            if (rootElement.TryGetProperty("defaultKeyId", out var defaultElement) && defaultElement.ValueKind != JsonValueKind.Null)
            {
                defaultKeyId = defaultElement.ValueKind == JsonValueKind.String ? defaultElement.GetString() : throw Invalid(path, "has a non-string \"defaultKeyId\"");
            }

            if (!rootElement.TryGetProperty("signingKey", out var signingElement))
            {
                throw Invalid(path, "has no \"signingKey\"");
            }

            var signing = ReadEntry(root, path, signingElement, "signingKey");
            var keys = new Dictionary<string, KeyringEntry>(StringComparer.Ordinal);
            if (rootElement.TryGetProperty("keys", out var keysElement))
            {
                if (keysElement.ValueKind != JsonValueKind.Object)
                {
                    throw Invalid(path, "has a \"keys\" that is not an object");
                }

                foreach (var property in keysElement.EnumerateObject())
                {
                    if (property.Name.Length == 0)
                    {
                        throw Invalid(path, "has an empty key id");
                    }

                    keys.Add(property.Name, ReadEntry(root, path, property.Value, property.Name));
                }
            }

            if (defaultKeyId is not null && !keys.ContainsKey(defaultKeyId) && keys.Count > 0)
            {
                throw Invalid(path, $"names default key '{defaultKeyId}', which it does not list");
            }

            return new KeyringIndex(defaultKeyId, signing, keys);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or ArgumentException)
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"'{path}' is not a valid keyring index: {ex.GetType().Name}.", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"'{path}' cannot be read: {ex.Message}", ex);
        }
    }

    public void Write(string root)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", 1);
            if (DefaultKeyId is not null)
            {
                writer.WriteString("defaultKeyId", DefaultKeyId);
            }

            writer.WritePropertyName("signingKey");
            WriteEntry(writer, SigningKey);
            writer.WriteStartObject("keys");
            foreach (var entry in Keys.OrderBy(k => k.Key, StringComparer.Ordinal))
            {
                writer.WritePropertyName(entry.Key);
                WriteEntry(writer, entry.Value);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        KeyFiles.WriteAtomically(Path.Combine(root, RsaKeyring.IndexFileName), buffer.ToArray());
    }

    private static KeyringEntry ReadEntry(string root, string path, JsonElement element, string what)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, $"has an entry for '{what}' that is not an object");
        }

        var publicFile = ReadPath(root, path, element, "publicKey", what);
        var privateFile = ReadPath(root, path, element, "privateKey", what);
        if (publicFile is null && privateFile is null)
        {
            throw Invalid(path, $"has an entry for '{what}' with neither \"publicKey\" nor \"privateKey\"");
        }

        return new KeyringEntry(publicFile, privateFile);
    }

    private static string? ReadPath(string root, string path, JsonElement element, string name, string what)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(value.GetString()))
        {
            throw Invalid(path, $"has a \"{name}\" for '{what}' that is not a file name");
        }

        var relative = value.GetString()!;
        KeyFiles.Resolve(root, relative); // throws SSB3007 for a path outside the folder
        return relative;
    }

    private static void WriteEntry(Utf8JsonWriter writer, KeyringEntry entry)
    {
        writer.WriteStartObject();
        if (entry.PublicKeyFile is not null)
        {
            writer.WriteString("publicKey", entry.PublicKeyFile);
        }

        if (entry.PrivateKeyFile is not null)
        {
            writer.WriteString("privateKey", entry.PrivateKeyFile);
        }

        writer.WriteEndObject();
    }

    private static SecretStoreException Invalid(string path, string what) =>
        new(DiagnosticCodes.InvalidKeyring, $"'{path}' {what}.");
}

using System.Globalization;
using System.Text.Json;
using SecretStore.Diagnostics;
using SecretStore.Repositories.File;

namespace SecretStore.Repositories.Import;

/// <summary>
/// Reads protected records for import into any repository, without keys and without decrypting: the
/// protected bytes are kept exactly as given. Three shapes are accepted:
/// <list type="bullet">
/// <item>a JSON array of records with the reference field names (<c>ApplicationName</c>, <c>Name</c> or
/// <c>SecretName</c>, <c>MasterKeyId</c>, base64 <c>ProtectedDocumentKey</c>, <c>InitialisationVector</c>,
/// <c>ProtectedSecretValue</c>; or <c>Format</c> 2 and <c>Envelope</c>);</item>
/// <item>a file store (<c>{"version":1,"secrets":[...]}</c>);</item>
/// <item>a DynamoDB JSON dump as <c>aws dynamodb scan</c> prints it: <c>{"Items":[{"ApplicationName":{"S":"..."},
/// "ProtectedDocumentKey":{"B":"base64"},...}]}</c>.</item>
/// </list>
/// </summary>
public static class ProtectedSecretRecordImport
{
    /// <summary>
    /// Parses <paramref name="content"/> (named <paramref name="path"/> in messages). Throws
    /// <see cref="SecretStoreException"/> with <c>SSB2004</c> for anything that is not one of the shapes, and for
    /// a secret listed twice; never a raw <see cref="JsonException"/>.
    /// </summary>
    public static IReadOnlyList<ProtectedSecretRecord> Parse(byte[] content, string path)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var document = JsonDocument.Parse(content, new JsonDocumentOptions { AllowDuplicateProperties = false });
            var root = document.RootElement;
            var records = root.ValueKind switch
            {
                JsonValueKind.Array => ParseArray(root, path),
                JsonValueKind.Object when root.TryGetProperty("Items", out var items) => ParseDynamoDbItems(items, path),
                JsonValueKind.Object when root.TryGetProperty("secrets", out _) => [.. StoreFileFormat.Parse(content, path).Values],
                _ => throw Invalid(path, "it is neither a JSON array of records, a file store, nor a DynamoDB dump with \"Items\""),
            };
            var seen = new HashSet<Secrets.SecretId>();
            foreach (var record in records)
            {
                if (!seen.Add(record.Id))
                {
                    throw Invalid(path, $"secret '{record.Id}' appears twice");
                }
            }

            return records;
        }
        catch (JsonException ex)
        {
            throw new SecretStoreException(
            [
                new Diagnostic(DiagnosticCodes.StoreFileCorrupt, DiagnosticSeverity.Error, "The import file is not valid JSON; nothing was imported.", path, (int)(ex.LineNumber ?? -1) + 1, (int)(ex.BytePositionInLine ?? 0) + 1),
            ]);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or ArgumentException)
        {
            throw new SecretStoreException(DiagnosticCodes.StoreFileCorrupt, $"The import file '{path}' breaks its schema ({ex.GetType().Name}); nothing was imported.", ex);
        }
    }

    private static List<ProtectedSecretRecord> ParseArray(JsonElement array, string path)
    {
        var records = new List<ProtectedSecretRecord>();
        var index = 0;
        foreach (var element in array.EnumerateArray())
        {
            records.Add(StoreFileFormat.ParseRecord(element, path, index++));
        }

        return records;
    }

    private static List<ProtectedSecretRecord> ParseDynamoDbItems(JsonElement items, string path)
    {
        if (items.ValueKind != JsonValueKind.Array)
        {
            throw Invalid(path, "its \"Items\" is not an array");
        }

        var records = new List<ProtectedSecretRecord>();
        var index = 0;
        foreach (var item in items.EnumerateArray())
        {
            // Each typed attribute ({"S":..}, {"B":..}, {"N":..}) becomes the plain field the record reader knows,
            // so both shapes go through one set of checks.
            using var plain = JsonDocument.Parse(Flatten(item, path, index));
            records.Add(StoreFileFormat.ParseRecord(plain.RootElement, path, index++));
        }

        return records;
    }

    private static byte[] Flatten(JsonElement item, string path, int index)
    {
        var where = $"item #{(index + 1).ToString(CultureInfo.InvariantCulture)}";
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, $"{where} is not an object");
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var attribute in item.EnumerateObject())
            {
                if (attribute.Value.ValueKind != JsonValueKind.Object)
                {
                    throw Invalid(path, $"{where} has an attribute '{attribute.Name}' that is not a typed DynamoDB value");
                }

                var typed = attribute.Value.EnumerateObject().ToList();
                if (typed.Count != 1)
                {
                    throw Invalid(path, $"{where} has an attribute '{attribute.Name}' with {typed.Count} types");
                }

                var (type, value) = (typed[0].Name, typed[0].Value);
                switch (type)
                {
                    case "S" or "B" when value.ValueKind == JsonValueKind.String:
                        writer.WriteString(attribute.Name, value.GetString());
                        break;
                    case "N" when value.ValueKind == JsonValueKind.String && decimal.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number):
                        writer.WriteNumber(attribute.Name, number);
                        break;
                    default:
                        throw Invalid(path, $"{where} has an attribute '{attribute.Name}' of unsupported type '{type}'");
                }
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static SecretStoreException Invalid(string path, string what) =>
        new(DiagnosticCodes.StoreFileCorrupt, $"The import file '{path}' is not valid: {what}. Nothing was imported.");
}

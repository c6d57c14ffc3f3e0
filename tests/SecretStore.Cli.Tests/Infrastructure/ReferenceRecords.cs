using System.Text;
using System.Text.Json;
using SecretStore.Keys.Rsa;
using SecretStore.Repositories;
using SecretStore.Testing.Repositories;
using SecretStore.Secrets;
using SecretStore.Stores;

namespace SecretStore.Cli.Tests.Infrastructure;

/// <summary>
/// Protected records made in-process with the engine (v1, the reference layout, and v2), written out the way
/// a reference export and <c>aws dynamodb scan</c> show them.
/// </summary>
public static class ReferenceRecords
{
    public static async Task<IReadOnlyList<ProtectedSecretRecord>> ProtectAsync(string keyringPath, ProtectedSecretFormat format, params (string App, string Name, string Value)[] secrets)
    {
        using var keyring = RsaKeyring.Load(keyringPath);
        var repository = new InMemorySecretRepository();
        using var store = new EnvelopeSecretStore(repository, new RsaKeyManager(keyring), new EnvelopeSecretStoreOptions { DefaultKeyId = keyring.DefaultKeyId, AllowV1 = format == ProtectedSecretFormat.V1 });
        var records = new List<ProtectedSecretRecord>();
        foreach (var (app, name, value) in secrets)
        {
            var id = new SecretId(app, name);
            await store.SetAsync(id, value, new SetSecretOptions { Format = format });
            records.Add((await repository.GetAsync(id))!);
        }

        return records;
    }

    /// <summary>A JSON array with the reference field names (no Format or Revision for v1 rows).</summary>
    public static string ToJsonArray(IEnumerable<ProtectedSecretRecord> records) =>
        JsonSerializer.Serialize(records.Select(r => r.Format == ProtectedSecretFormat.V1
            ? (object)new
            {
                r.Id.ApplicationName,
                r.Id.Name,
                r.MasterKeyId,
                ProtectedDocumentKey = Convert.ToBase64String(r.ProtectedDocumentKey!),
                InitialisationVector = Convert.ToBase64String(r.InitialisationVector!),
                ProtectedSecretValue = Convert.ToBase64String(r.ProtectedSecretValue!),
            }
            : new { r.Id.ApplicationName, r.Id.Name, r.MasterKeyId, Format = 2, Envelope = Convert.ToBase64String(r.Envelope!) }));

    /// <summary>The shape <c>aws dynamodb scan --table-name T</c> prints.</summary>
    public static string ToScanDump(IEnumerable<ProtectedSecretRecord> records)
    {
        var items = records.Select(r =>
        {
            var item = new Dictionary<string, Dictionary<string, string>>
            {
                ["ApplicationName"] = new() { ["S"] = r.Id.ApplicationName },
                ["SecretName"] = new() { ["S"] = r.Id.Name },
                ["MasterKeyId"] = new() { ["S"] = r.MasterKeyId },
            };
            if (r.Format == ProtectedSecretFormat.V1)
            {
                item["ProtectedDocumentKey"] = new() { ["B"] = Convert.ToBase64String(r.ProtectedDocumentKey!) };
                item["InitialisationVector"] = new() { ["B"] = Convert.ToBase64String(r.InitialisationVector!) };
                item["ProtectedSecretValue"] = new() { ["B"] = Convert.ToBase64String(r.ProtectedSecretValue!) };
            }
            else
            {
                item["Envelope"] = new() { ["B"] = Convert.ToBase64String(r.Envelope!) };
                item["Format"] = new() { ["N"] = "2" };
                item["Revision"] = new() { ["N"] = "4" };
            }

            return item;
        }).ToList();
        return JsonSerializer.Serialize(new { Items = items, Count = items.Count, ScannedCount = items.Count, ConsumedCapacity = (object?)null }, new JsonSerializerOptions { WriteIndented = true });
    }

    public static void AssertSameProtectedBytes(ProtectedSecretRecord expected, ProtectedSecretRecord? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Format, actual.Format);
        Assert.Equal(expected.MasterKeyId, actual.MasterKeyId);
        Assert.Equal(expected.ProtectedDocumentKey, actual.ProtectedDocumentKey);
        Assert.Equal(expected.InitialisationVector, actual.InitialisationVector);
        Assert.Equal(expected.ProtectedSecretValue, actual.ProtectedSecretValue);
        Assert.Equal(expected.Envelope, actual.Envelope);
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}

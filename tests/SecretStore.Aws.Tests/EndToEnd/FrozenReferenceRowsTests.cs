using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.Model;
using SecretStore.Aws.Tests.Infrastructure;
using SecretStore.Keys.Rsa;
using SecretStore.Repositories;
using SecretStore.Repositories.File;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Testing.Keyrings;
using static SecretStore.Aws.DynamoDb.SecretTableAttributes;

namespace SecretStore.Aws.Tests.EndToEnd;

/// <summary>
/// The engine's frozen v1 vectors are reference rows with RSA-wrapped document keys, written by an encoder
/// independent of the engine. Put into DynamoDB exactly as the reference tool would (no Revision, no
/// Format), they must read back with the same values as from the file store.
/// </summary>
public sealed class FrozenReferenceRowsTests(SecretTableFixture table) : IClassFixture<SecretTableFixture>
{
    private static readonly string VectorsPath = Path.Combine(AppContext.BaseDirectory, "Vectors");

    [Fact]
    public async Task Frozen_RSA_wrapped_reference_rows_read_back_from_DynamoDB_unchanged()
    {
        var rows = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(VectorsPath, "v1.json")))!["secrets"]!.AsArray();
        var prefix = Records.NewApplication("frozen") + "-";
        var ids = new List<(SecretId Original, SecretId InTable)>();
        foreach (var row in rows)
        {
            var app = (string)row!["ApplicationName"]!;
            var name = (string)row["Name"]!;
            var inTable = new SecretId(prefix + app, name);
            ids.Add((new SecretId(app, name), inTable));
            await table.Client.PutItemAsync(new PutItemRequest
            {
                TableName = table.TableName,
                Item = new()
                {
                    [ApplicationName] = new AttributeValue { S = inTable.ApplicationName },
                    [SecretName] = new AttributeValue { S = inTable.Name },
                    [MasterKeyId] = new AttributeValue { S = (string)row["MasterKeyId"]! },
                    [ProtectedDocumentKey] = Binary(row, "ProtectedDocumentKey"),
                    [InitialisationVector] = Binary(row, "InitialisationVector"),
                    [ProtectedSecretValue] = Binary(row, "ProtectedSecretValue"),
                },
            });
        }

        var work = Directory.CreateTempSubdirectory("ssb-frozen-").FullName;
        using var keyring = FrozenKeyring.OpenForReading(Path.Combine(VectorsPath, "keyring"), work);
        var keyManager = new RsaKeyManager(keyring);
        // v1 is refused by default; frozen rows are read the way a migration reads them, with the opt-in.
        var fromFile = new EnvelopeSecretStore(new FileSecretRepository(Path.Combine(VectorsPath, "v1.json")), keyManager, new EnvelopeSecretStoreOptions { AllowV1 = true });
        var fromTable = new EnvelopeSecretStore(table.NewRepository(), keyManager, new EnvelopeSecretStoreOptions { AllowV1 = true });

        var many = await fromTable.GetManyAsync(ids.Select(i => i.InTable));

        Assert.Equal(rows.Count, many.Count);
        Assert.Equal("Server=db;User Id=app;Password=p@ss\"w0rd;", many[new SecretId(prefix + "acme-web", "ConnectionStrings.Default")].Value);
        foreach (var (original, inTable) in ids)
        {
            var expected = await fromFile.GetAsync(original);
            var actual = await fromTable.GetAsync(inTable);
            Assert.Equal(expected.Value, actual.Value);
            Assert.Equal(expected.Value, many[inTable].Value);
            Assert.Equal(ProtectedSecretFormat.V1, actual.Metadata.Format);
            Assert.Equal(1, actual.Metadata.Revision);
            Assert.Equal(expected.Metadata.MasterKeyId, actual.Metadata.MasterKeyId);
        }
    }

    private static AttributeValue Binary(JsonNode row, string field) =>
        new() { B = new MemoryStream(Convert.FromBase64String((string)row[field]!)) };
}

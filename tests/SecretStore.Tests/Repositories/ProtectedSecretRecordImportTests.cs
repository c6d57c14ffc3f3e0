using System.Text;
using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Repositories.Import;
using SecretStore.Secrets;

namespace SecretStore.Tests.Repositories;

public sealed class ProtectedSecretRecordImportTests
{
    private static readonly byte[] Key = [1, 2, 3, 4];
    private static readonly byte[] Iv = [5, 6, 7, 8, 9];
    private static readonly byte[] Ciphertext = [10, 11, 12];
    private static readonly byte[] Envelope = [0x53, 0x53, 0x42, 0x45, 2, 0, 255];

    [Fact]
    public void Json_array_of_reference_rows_reads_as_v1_revision_1_with_exact_bytes()
    {
        var json = $$"""[{"ApplicationName":"app","Name":"Db","MasterKeyId":"alias/k","ProtectedDocumentKey":"{{B64(Key)}}","InitialisationVector":"{{B64(Iv)}}","ProtectedSecretValue":"{{B64(Ciphertext)}}"}]""";

        var record = Assert.Single(ProtectedSecretRecordImport.Parse(Encoding.UTF8.GetBytes(json), "export.json"));

        Assert.Equal(new SecretId("app", "Db"), record.Id);
        Assert.Equal(ProtectedSecretFormat.V1, record.Format);
        Assert.Equal(1, record.Revision);
        Assert.Equal(Key, record.ProtectedDocumentKey);
        Assert.Equal(Iv, record.InitialisationVector);
        Assert.Equal(Ciphertext, record.ProtectedSecretValue);
    }

    [Fact]
    public void Dynamodb_scan_dump_reads_typed_attributes_for_v1_and_v2_items()
    {
        var json = $$$"""
            {"Items":[
              {"ApplicationName":{"S":"app"},"SecretName":{"S":"Old"},"MasterKeyId":{"S":"k"},"ProtectedDocumentKey":{"B":"{{{B64(Key)}}}"},"InitialisationVector":{"B":"{{{B64(Iv)}}}"},"ProtectedSecretValue":{"B":"{{{B64(Ciphertext)}}}"}},
              {"ApplicationName":{"S":"app"},"SecretName":{"S":"New"},"MasterKeyId":{"S":"k"},"Envelope":{"B":"{{{B64(Envelope)}}}"},"Format":{"N":"2"},"Revision":{"N":"7"}}
            ],"Count":2,"ScannedCount":2,"ConsumedCapacity":null}
            """;

        var records = ProtectedSecretRecordImport.Parse(Encoding.UTF8.GetBytes(json), "scan.json");

        Assert.Equal(2, records.Count);
        Assert.Equal(Ciphertext, records[0].ProtectedSecretValue);
        Assert.Equal(ProtectedSecretFormat.V2, records[1].Format);
        Assert.Equal(7, records[1].Revision);
        Assert.Equal(Envelope, records[1].Envelope);
    }

    [Theory]
    [InlineData("{\"Items\": [")]
    [InlineData("42")]
    [InlineData("{\"Items\": {}}")]
    [InlineData("{\"Items\": [{\"ApplicationName\": {\"SS\": [\"a\"]}}]}")]
    [InlineData("{\"Items\": [{\"ApplicationName\": {\"S\": \"a\", \"N\": \"1\"}}]}")]
    [InlineData("[{\"ApplicationName\":\"a\",\"Name\":\"b\",\"MasterKeyId\":\"k\",\"Format\":2,\"Envelope\":\"not base64!\"}]")]
    [InlineData("[{\"ApplicationName\":\"a\",\"Name\":\"b\",\"MasterKeyId\":\"k\",\"Format\":2,\"Envelope\":\"AAAA\"},{\"ApplicationName\":\"a\",\"Name\":\"b\",\"MasterKeyId\":\"k\",\"Format\":2,\"Envelope\":\"AAAA\"}]")]
    [InlineData("{\"Items\": [{\"ApplicationName\": {\"S\": \"a\"}, \"SecretName\": {\"S\": \"b\"}, \"MasterKeyId\": {\"S\": \"k\"}, \"Revision\": {\"N\": \"1e999\"}}]}")]
    public void Anything_else_is_SSB2004_never_a_raw_exception(string json)
    {
        var ex = Assert.Throws<SecretStoreException>(() => ProtectedSecretRecordImport.Parse(Encoding.UTF8.GetBytes(json), "bad.json"));
        Assert.Equal(DiagnosticCodes.StoreFileCorrupt, ex.Code);
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes);
}

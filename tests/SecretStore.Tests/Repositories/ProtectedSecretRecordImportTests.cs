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

    private const string V2 = """{"ApplicationName":"a","Name":"b","Format":2,"MasterKeyId":"k","Envelope":"AAAA"}""";

    private const string Item = """{"ApplicationName":{"S":"a"},"SecretName":{"S":"b"},"MasterKeyId":{"S":"k"},"Format":{"N":"2"},"Envelope":{"B":"AAAA"}}""";

    public static TheoryData<string, string> InvalidImports => new()
    {
        { "42", "it is neither a JSON array of records, a file store, nor a DynamoDB dump with \"Items\"" },
        { $"[{V2},{V2}]", "secret 'a/b' appears twice" },
        { """{"Items":{}}""", "its \"Items\" is not an array" },
        { $$"""{"Items":[{{Item}},42]}""", "item #2 is not an object" },
        { """{"Items":[{"ApplicationName":"a"}]}""", "item #1 has an attribute 'ApplicationName' that is not a typed DynamoDB value" },
        { """{"Items":[{"ApplicationName":{"S":"a","N":"1"}}]}""", "item #1 has an attribute 'ApplicationName' with 2 types" },
        { """{"Items":[{"ApplicationName":{"SS":["a"]}}]}""", "item #1 has an attribute 'ApplicationName' of unsupported type 'SS'" },
    };

    [Theory]
    [MemberData(nameof(InvalidImports))]
    public void Invalid_import_is_SSB2004_naming_the_file_and_what_is_wrong(string json, string what)
    {
        var ex = Assert.Throws<SecretStoreException>(() => ProtectedSecretRecordImport.Parse(Encoding.UTF8.GetBytes(json), "dump.json"));

        Assert.Equal($"SSB2004: The import file 'dump.json' is not valid: {what}. Nothing was imported.", ex.Message);
    }

    [Theory]
    [InlineData("[42]", "secret #1 is not an object")]
    [InlineData("[" + V2 + ",42]", "secret #2 is not an object")]
    [InlineData("{\"Items\":[" + Item + ",{\"ApplicationName\":{\"S\":\"a\"}}]}", "secret #2 has no \"Name\"")]
    public void Invalid_record_is_the_store_files_SSB2004_counted_from_1(string json, string what)
    {
        var ex = Assert.Throws<SecretStoreException>(() => ProtectedSecretRecordImport.Parse(Encoding.UTF8.GetBytes(json), "dump.json"));

        Assert.Equal($"SSB2004: The secret store file 'dump.json' is corrupt: {what}. It was not changed.", ex.Message);
    }

    [Fact]
    public void Invalid_json_is_SSB2004_at_its_line_and_column()
    {
        var ex = Assert.Throws<SecretStoreException>(() => ProtectedSecretRecordImport.Parse(Encoding.UTF8.GetBytes("[\n  {\n    \"ApplicationName\": oops\n  }\n]"), "dump.json"));

        Assert.Equal(new Diagnostic(DiagnosticCodes.StoreFileCorrupt, DiagnosticSeverity.Error, "The import file is not valid JSON; nothing was imported.", "dump.json", 3, 24), Assert.Single(ex.Diagnostics));
    }

    [Fact]
    public void Duplicate_property_is_invalid_json_without_a_line()
    {
        var ex = Assert.Throws<SecretStoreException>(() => ProtectedSecretRecordImport.Parse(Encoding.UTF8.GetBytes("""[{"ApplicationName":"a","ApplicationName":"c","Name":"b","Format":2,"MasterKeyId":"k","Envelope":"AAAA"}]"""), "dump.json"));

        var diagnostic = Assert.Single(ex.Diagnostics);
        Assert.Equal("The import file is not valid JSON; nothing was imported.", diagnostic.Message);
        Assert.Equal(0, diagnostic.Line);
    }

    [Theory]
    [InlineData("[{\"ApplicationName\":\"a\",\"Name\":\"\\ud800\",\"Format\":2,\"MasterKeyId\":\"k\",\"Envelope\":\"AAAA\"}]")]
    [InlineData("{\"Items\":[{\"ApplicationName\":{\"S\":\"\\ud800\"}}]}")]
    public void Text_that_breaks_the_schema_is_SSB2004_naming_the_file_and_the_kind_of_failure(string json)
    {
        var ex = Assert.Throws<SecretStoreException>(() => ProtectedSecretRecordImport.Parse(Encoding.UTF8.GetBytes(json), "dump.json"));

        Assert.Equal("SSB2004: The import file 'dump.json' breaks its schema (InvalidOperationException); nothing was imported.", ex.Message);
    }

    [Fact]
    public void File_store_reads_as_its_records()
    {
        var record = Assert.Single(ProtectedSecretRecordImport.Parse(Encoding.UTF8.GetBytes($$"""{"version":1,"secrets":[{{V2}}]}"""), "secrets.json"));

        Assert.Equal(new SecretId("a", "b"), record.Id);
        Assert.Equal([0, 0, 0], record.Envelope);
    }

    [Fact]
    public void Null_content_or_path_is_an_argument_error()
    {
        Assert.Equal("content", Assert.Throws<ArgumentNullException>(() => ProtectedSecretRecordImport.Parse(null!, "dump.json")).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => ProtectedSecretRecordImport.Parse(Encoding.UTF8.GetBytes($"[{V2}]"), null!)).ParamName);
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes);
}

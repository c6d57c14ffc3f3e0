using System.Text;
using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Repositories.File;
using SecretStore.Secrets;

namespace SecretStore.Tests.Repositories;

/// <summary>
/// The store file's JSON read and written directly (FileSecretRepositoryTests covers it through the repository):
/// every SSB2004 message exactly, with the file and the record it names and no protected bytes, and the bytes
/// written (these were Stryker survivors).
/// </summary>
public sealed class StoreFileFormatTests
{
    private const string StorePath = "stores/acme/secrets.json";

    /// <summary>Base64 of the protected bytes in the records below; no message may show it.</summary>
    private const string Protected = "U1NCRQIBc2VjcmV0";

    private const string V2 = $$"""{"ApplicationName":"acme-web","Name":"Db","Format":2,"MasterKeyId":"alias/k","Envelope":"{{Protected}}"}""";

    private static string Store(params string[] records) => $$"""{"version":1,"secrets":[{{string.Join(",", records)}}]}""";

    private static SortedDictionary<(string App, string Name), ProtectedSecretRecord> Parse(string json) =>
        StoreFileFormat.Parse(Encoding.UTF8.GetBytes(json), StorePath);

    public static TheoryData<string, string> CorruptFiles => new()
    {
        { "[]", "the top level is not an object" },
        { """{"secrets":[]}""", "it has no supported \"version\" (1)" },
        { """{"version":"1","secrets":[]}""", "it has no supported \"version\" (1)" },
        { """{"version":1.5,"secrets":[]}""", "it has no supported \"version\" (1)" },
        { """{"version":2,"secrets":[]}""", "it has no supported \"version\" (1)" },
        { """{"version":1}""", "it has no \"secrets\" array" },
        { """{"version":1,"secrets":{}}""", "it has no \"secrets\" array" },
        { Store("42"), "secret #1 is not an object" },
        { Store(V2, "42"), "secret #2 is not an object" },
        { Store(V2, V2), "secret 'acme-web/Db' appears twice" },
        { Store($$"""{"ApplicationName":"acme-web","Format":2,"MasterKeyId":"k","Envelope":"{{Protected}}"}"""), "secret #1 has no \"Name\"" },
        { Store($$"""{"Name":"Db","Format":2,"MasterKeyId":"k","Envelope":"{{Protected}}"}"""), "secret #1 has no \"ApplicationName\"" },
        { Store($$"""{"ApplicationName":5,"Name":"Db","Format":2,"MasterKeyId":"k","Envelope":"{{Protected}}"}"""), "secret #1 has a \"ApplicationName\" that is not a string" },
        { Store($$"""{"ApplicationName":"acme-web","SecretName":[],"Format":2,"MasterKeyId":"k","Envelope":"{{Protected}}"}"""), "secret #1 has a \"SecretName\" that is not a string" },
        { Store($$"""{"ApplicationName":"","Name":"Db","Format":2,"MasterKeyId":"k","Envelope":"{{Protected}}"}"""), "secret #1 has an empty or malformed application or name" },
        { Store($$"""{"ApplicationName":"acme-web","Name":"","Format":2,"MasterKeyId":"k","Envelope":"{{Protected}}"}"""), "secret #1 has an empty or malformed application or name" },
        { Store($$"""{"ApplicationName":"acme-web","Name":"Db","Format":3,"MasterKeyId":"k","Envelope":"{{Protected}}"}"""), "secret 'acme-web/Db' has an unknown \"Format\"" },
        { Store($$"""{"ApplicationName":"acme-web","Name":"Db","Format":"2","MasterKeyId":"k","Envelope":"{{Protected}}"}"""), "secret 'acme-web/Db' has an unknown \"Format\"" },
        { Store($$"""{"ApplicationName":"acme-web","Name":"Db","Format":2,"Envelope":"{{Protected}}"}"""), "secret 'acme-web/Db' has no \"MasterKeyId\"" },
        { Store($$"""{"ApplicationName":"acme-web","Name":"Db","Format":2,"MasterKeyId":"k","Envelope":"{{Protected}}","ProtectedSecretValue":"{{Protected}}"}"""), "secret 'acme-web/Db' is v2 but carries v1 fields" },
        { Store($$"""{"ApplicationName":"acme-web","Name":"Db","Format":2,"MasterKeyId":"k","Envelope":"{{Protected}}","ProtectedDocumentKey":"{{Protected}}"}"""), "secret 'acme-web/Db' is v2 but carries v1 fields" },
        { Store("""{"ApplicationName":"acme-web","Name":"Db","Format":2,"MasterKeyId":"k"}"""), "secret 'acme-web/Db' has no \"Envelope\" string" },
        { Store("""{"ApplicationName":"acme-web","Name":"Db","Format":2,"MasterKeyId":"k","Envelope":5}"""), "secret 'acme-web/Db' has no \"Envelope\" string" },
        { Store($$"""{"ApplicationName":"acme-web","Name":"Db","Format":2,"MasterKeyId":"k","Envelope":"{{Protected}}%"}"""), "secret 'acme-web/Db' has a \"Envelope\" that is not base64" },
        { Store($$"""{"ApplicationName":"acme-web","Name":"Db","MasterKeyId":"k","ProtectedDocumentKey":"{{Protected}}","ProtectedSecretValue":"{{Protected}}"}"""), "secret 'acme-web/Db' has no \"InitialisationVector\" string" },
    };

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public void Corrupt_file_is_SSB2004_naming_the_file_and_what_is_wrong_but_no_protected_bytes(string json, string what)
    {
        var ex = Assert.Throws<SecretStoreException>(() => Parse(json));

        Assert.Equal($"SSB2004: The secret store file '{StorePath}' is corrupt: {what}. It was not changed.", ex.Message);
        Assert.Equal(DiagnosticCodes.StoreFileCorrupt, ex.Code);
        Assert.DoesNotContain(Protected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_json_is_SSB2004_at_its_line_and_column()
    {
        var ex = Assert.Throws<SecretStoreException>(() => Parse("{\n  \"version\": 1,\n  \"secrets\": [ oops ]\n}"));

        var diagnostic = Assert.Single(ex.Diagnostics);
        Assert.Equal(new Diagnostic(DiagnosticCodes.StoreFileCorrupt, DiagnosticSeverity.Error, "The secret store file is not valid JSON; it was not changed.", StorePath, 3, 16), diagnostic);
    }

    [Fact]
    public void A_top_level_property_given_twice_is_SSB2004_naming_it()
    {
        var ex = Assert.Throws<SecretStoreException>(() => Parse("""{"version":1,"version":1,"secrets":[]}"""));

        Assert.Equal($"SSB2004: The secret store file '{StorePath}' is corrupt: its top level has \"version\" twice. It was not changed.", ex.Message);
    }

    [Fact]
    public void A_record_property_given_twice_is_SSB2004_without_a_line_as_the_reader_gives_none()
    {
        var json = "{\n  \"version\": 1,\n  \"secrets\": [\n    {\"ApplicationName\":\"a\",\"Name\":\"b\",\"Format\":2,\"MasterKeyId\":\"k\",\"Envelope\":\"" + Protected + "\",\"Envelope\":\"AQID\"}\n  ]\n}\n";

        var ex = Assert.Throws<SecretStoreException>(() => Parse(json));

        var diagnostic = Assert.Single(ex.Diagnostics);
        Assert.Equal("The secret store file is not valid JSON; it was not changed.", diagnostic.Message);
        Assert.Equal((StorePath, 0), (diagnostic.FilePath, diagnostic.Line));
    }

    [Fact]
    public void Reading_current_records_skips_the_history_undecoded_but_still_checks_its_syntax()
    {
        const string record = $$"""{"ApplicationName":"a","Name":"b","Format":2,"Revision":1,"MasterKeyId":"k","Envelope":"{{Protected}}"}""";
        var head = """{"version":1,"secrets":[""" + record + "],";
        var duplicated = head + "\"history\":[{\"ApplicationName\":\"a\",\"ApplicationName\":\"a\"}]}";
        var broken = head + "\"history\":[{\"ApplicationName\":}]}";
        var notArray = head + "\"history\":{}}";

        Assert.Single(Parse(duplicated));
        Assert.Equal("SSB2004", Assert.Throws<SecretStoreException>(() => StoreFileFormat.ParseWithHistory(Encoding.UTF8.GetBytes(duplicated), StorePath)).Code.Id);
        Assert.Equal("SSB2004", Assert.Throws<SecretStoreException>(() => Parse(broken)).Code.Id);
        Assert.Contains("\"history\" is not an array", Assert.Throws<SecretStoreException>(() => Parse(notArray)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_that_breaks_the_schema_is_SSB2004_naming_the_file_and_the_kind_of_failure()
    {
        var ex = Assert.Throws<SecretStoreException>(() => Parse(Store($$"""{"ApplicationName":"acme-web","Name":"\ud800","Format":2,"MasterKeyId":"k","Envelope":"{{Protected}}"}""")));

        Assert.Equal($"SSB2004: The secret store file '{StorePath}' breaks its schema (InvalidOperationException); it was not changed.", ex.Message);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("\"3\"")]
    [InlineData("1.5")]
    public void Revision_out_of_range_reads_as_revision_0_keeping_its_raw_text(string revision)
    {
        var record = Assert.Single(Parse(Store($$"""{"ApplicationName":"acme-web","Name":"Db","Format":2,"Revision":{{revision}},"MasterKeyId":"k","Envelope":"{{Protected}}"}"""))).Value;

        Assert.Equal(0, record.Revision);
        Assert.Equal(revision, record.InvalidRevision);
    }

    [Fact]
    public void Write_gives_the_documented_indented_json_with_a_final_newline_and_keeps_an_invalid_revision_as_written()
    {
        var records = new[]
        {
            new ProtectedSecretRecord { Id = new SecretId("acme-web", "Db"), Format = ProtectedSecretFormat.V2, Revision = 3, MasterKeyId = "alias/acme-alpha", Envelope = [1, 2, 3] },
            new ProtectedSecretRecord { Id = new SecretId("acme-web", "Old"), Format = ProtectedSecretFormat.V2, InvalidRevision = "1e999", MasterKeyId = "k", Envelope = [4] },
            new ProtectedSecretRecord { Id = new SecretId("legacy", "Db"), Format = ProtectedSecretFormat.V1, Revision = 1, MasterKeyId = "alias/old", ProtectedDocumentKey = [1, 2, 3], InitialisationVector = [4, 5, 6], ProtectedSecretValue = [7, 8, 9] },
        };

        var text = Encoding.UTF8.GetString(StoreFileFormat.Write(records));

        var expected = """
            {
              "version": 1,
              "secrets": [
                {
                  "ApplicationName": "acme-web",
                  "Name": "Db",
                  "Format": 2,
                  "Revision": 3,
                  "MasterKeyId": "alias/acme-alpha",
                  "Envelope": "AQID"
                },
                {
                  "ApplicationName": "acme-web",
                  "Name": "Old",
                  "Format": 2,
                  "Revision": 1e999,
                  "MasterKeyId": "k",
                  "Envelope": "BA=="
                },
                {
                  "ApplicationName": "legacy",
                  "Name": "Db",
                  "Format": 1,
                  "Revision": 1,
                  "MasterKeyId": "alias/old",
                  "ProtectedDocumentKey": "AQID",
                  "InitialisationVector": "BAUG",
                  "ProtectedSecretValue": "BwgJ"
                }
              ]
            }
            """.ReplaceLineEndings(Environment.NewLine) + "\n";
        Assert.Equal(expected, text);
        Assert.Equal("1e999", Parse(text)[("acme-web", "Old")].InvalidRevision);
    }
}

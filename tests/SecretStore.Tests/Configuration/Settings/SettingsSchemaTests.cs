using System.Text.Json;
using System.Text.RegularExpressions;
using SecretStore.Configuration.Settings;
using SecretStore.Diagnostics;
using SecretStore.Tests.Support;

namespace SecretStore.Tests.Configuration.Settings;

/// <summary>
/// <c>schemas/secretstore.schema.json</c> describes exactly what <see cref="SettingsFileReader"/> accepts: the same
/// members at the top level and in an environment, patterns that agree with the reader, an example that reads.
/// </summary>
public sealed class SettingsSchemaTests : IDisposable
{
    private static readonly Lazy<JsonDocument> Schema = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "schemas", "secretstore.schema.json"))));

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private static JsonElement Root => Schema.Value.RootElement;

    private static JsonElement Environment => Root.GetProperty("$defs").GetProperty("environment");

    public static TheoryData<string> LayerMembers => [.. SettingsFileReader.LayerMembers];

    public static TheoryData<string> TopLevelOnlyMembers => [.. SettingsFileReader.TopLevelOnlyMembers];

    private static List<string> Properties(JsonElement schemaObject) =>
        [.. schemaObject.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];

    private string WriteSettings(string json)
    {
        var path = _folder.Combine(SettingsFile.FileName);
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void The_schema_is_draft_2020_12_with_the_id_the_files_name()
    {
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", Root.GetProperty("$schema").GetString());
        Assert.Equal("https://secretstore.build/schemas/secretstore.schema.json", Root.GetProperty("$id").GetString());
        Assert.Equal(Root.GetProperty("$id").GetString(), Root.GetProperty("examples")[0].GetProperty("$schema").GetString());
    }

    [Fact]
    public void The_top_level_of_the_schema_has_exactly_the_members_the_reader_accepts_there()
    {
        Assert.Equal(
            [.. SettingsFileReader.LayerMembers.Concat(SettingsFileReader.TopLevelOnlyMembers).Order(StringComparer.Ordinal)],
            Properties(Root));
    }

    [Fact]
    public void An_environment_of_the_schema_has_exactly_the_members_the_reader_accepts_there()
    {
        Assert.Equal([.. SettingsFileReader.LayerMembers.Order(StringComparer.Ordinal)], Properties(Environment));
        Assert.Equal("#/$defs/environment", Root.GetProperty("properties").GetProperty("environments").GetProperty("additionalProperties").GetProperty("$ref").GetString());
    }

    [Fact]
    public void Both_objects_of_the_schema_refuse_other_members()
    {
        Assert.False(Root.GetProperty("additionalProperties").GetBoolean());
        Assert.False(Environment.GetProperty("additionalProperties").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(LayerMembers))]
    public void Every_layer_member_the_reader_lists_is_read_at_both_levels_not_refused_as_unknown(string member)
    {
        // An object is the wrong type for every member but the variables (an array is wrong there), so each gives
        // exactly one error about its value.
        var wrong = member == "variables" ? "[]" : "{}";
        var path = WriteSettings($$"""{ "{{member}}": {{wrong}}, "environments": { "Ci": { "{{member}}": {{wrong}} } } }""");

        var ex = Assert.Throws<SecretStoreException>(() => SettingsFileReader.Read(path));

        Assert.Equal(2, ex.Diagnostics.Count);
        Assert.All(ex.Diagnostics, d => Assert.StartsWith($"'{member}' ", d.Message, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TopLevelOnlyMembers))]
    public void Every_top_level_member_the_reader_lists_is_read_there(string member)
    {
        var path = WriteSettings($$"""{ "{{member}}": 1 }""");

        var message = Assert.Single(Assert.Throws<SecretStoreException>(() => SettingsFileReader.Read(path)).Diagnostics).Message;

        Assert.StartsWith($"'{member}' at the top level must be ", message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_example_of_the_schema_reads_without_error_and_uses_every_member()
    {
        var example = Root.GetProperty("examples")[0];
        var path = WriteSettings(example.GetRawText());

        var file = SettingsFileReader.Read(path);

        Assert.Equal(["Development", "Production", "Test"], file.Environments.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("Development", file.DefaultEnvironment);
        var used = example.EnumerateObject().Select(p => p.Name)
            .Concat(example.GetProperty("environments").EnumerateObject().SelectMany(e => e.Value.EnumerateObject().Select(p => p.Name)))
            .ToHashSet(StringComparer.Ordinal);
        Assert.Equal(Properties(Root), [.. used.Order(StringComparer.Ordinal)]);
    }

    [Theory]
    [InlineData("storage", "file:.secretstore/secrets.json")]
    [InlineData("storage", "  FILE: s.json ")]
    [InlineData("storage", "dynamodb:Secrets")]
    [InlineData("storage", "DynamoDB:Secrets")]
    [InlineData("storage", "file:")]
    [InlineData("storage", "file:   ")]
    [InlineData("storage", "dynamodb:")]
    [InlineData("storage", "s3:bucket")]
    [InlineData("storage", "secrets.json")]
    [InlineData("protection", "kms")]
    [InlineData("protection", " KMS ")]
    [InlineData("protection", "rsa:.secretstore/keyring")]
    [InlineData("protection", "RSA:keys")]
    [InlineData("protection", "rsa:")]
    [InlineData("protection", "kms2")]
    [InlineData("protection", "aws-kms")]
    [InlineData("serviceUrl", "http://localhost:8000")]
    [InlineData("serviceUrl", "HTTPS://dynamodb.eu-west-1.amazonaws.com")]
    [InlineData("serviceUrl", "localhost:8000")]
    [InlineData("serviceUrl", "ftp://example.com")]
    [InlineData("kmsServiceUrl", "https://kms.local")]
    [InlineData("kmsServiceUrl", "kms.local")]
    [InlineData("region", "eu-west-1")]
    [InlineData("region", "   ")]
    public void The_schema_pattern_of_a_member_agrees_with_the_reader(string member, string value)
    {
        var path = WriteSettings(JsonSerializer.Serialize(new Dictionary<string, string> { [member] = value }));
        var readerAccepts = Record.Exception(() => SettingsFileReader.Read(path)) is null;

        var pattern = Pattern(Root.GetProperty("properties").GetProperty(member));

        Assert.Equal(readerAccepts, Regex.IsMatch(value, pattern, RegexOptions.ECMAScript, TimeSpan.FromSeconds(5)));
    }

    /// <summary>The pattern of a member's schema, following one <c>$ref</c> into <c>$defs</c> at a time.</summary>
    private static string Pattern(JsonElement schema)
    {
        while (!schema.TryGetProperty("pattern", out _))
        {
            var reference = schema.GetProperty("$ref").GetString()!;
            schema = Root.GetProperty("$defs").GetProperty(reference["#/$defs/".Length..]);
        }

        return schema.GetProperty("pattern").GetString()!;
    }
}

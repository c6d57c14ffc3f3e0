using Amazon.DynamoDBv2.Model;
using SecretStore.Aws.DynamoDb;
using SecretStore.Aws.Tests.Infrastructure;
using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Secrets;
using static SecretStore.Aws.DynamoDb.SecretTableAttributes;

namespace SecretStore.Aws.Tests.DynamoDb;

/// <summary>
/// Items written raw with the low-level client and read through the repository (and the reverse), with the
/// exact refusal messages; plus the pure helpers (item size, the "same item" check of a lost-response retry).
/// </summary>
public sealed class SecretItemMapperTests(SecretTableFixture table) : IClassFixture<SecretTableFixture>
{
    [Fact]
    public async Task A_v1_row_with_Format_1_reads_as_v1()
    {
        var id = NewId();
        await PutRawAsync(id, V1Fields(new AttributeValue { N = "1" }));

        var record = (await table.NewRepository().GetAsync(id))!;

        Assert.Equal(ProtectedSecretFormat.V1, record.Format);
        Assert.Equal([7, 7, 7], record.InitialisationVector);
    }

    [Fact]
    public async Task A_v1_row_with_another_Format_is_refused()
    {
        var id = NewId();
        await PutRawAsync(id, V1Fields(new AttributeValue { N = "3" }));

        await AssertCorruptAsync(id, "its Format does not match its fields");
    }

    [Theory]
    [InlineData(ProtectedDocumentKey)]
    [InlineData(InitialisationVector)]
    [InlineData(ProtectedSecretValue)]
    public async Task A_v1_row_lacking_one_binary_field_is_refused(string missing)
    {
        var id = NewId();
        var fields = V1Fields(null);
        fields.Remove(missing);
        await PutRawAsync(id, fields);

        await AssertCorruptAsync(id, "it lacks one of the v1 binary fields");
    }

    [Fact]
    public async Task A_row_without_MasterKeyId_is_refused()
    {
        var id = NewId();
        var fields = V1Fields(null);
        fields.Remove(MasterKeyId);
        await PutRawAsync(id, fields);

        await AssertCorruptAsync(id, "it has no MasterKeyId");
    }

    [Fact]
    public async Task An_envelope_row_without_Format_is_refused()
    {
        var id = NewId();
        await PutRawAsync(id, new()
        {
            [MasterKeyId] = new AttributeValue { S = "alias/k" },
            [Envelope] = new AttributeValue { B = new MemoryStream([1, 2, 3]) },
        });

        await AssertCorruptAsync(id, "it mixes v1 and v2 fields or its Format is not 2");
    }

    [Fact]
    public async Task An_envelope_row_with_a_Format_that_is_not_a_number_is_refused()
    {
        var id = NewId();
        await PutRawAsync(id, new()
        {
            [MasterKeyId] = new AttributeValue { S = "alias/k" },
            [Envelope] = new AttributeValue { B = new MemoryStream([1, 2, 3]) },
            [Format] = new AttributeValue { S = "2" },
        });

        await AssertCorruptAsync(id, "it mixes v1 and v2 fields or its Format is not 2");
    }

    [Fact]
    public async Task An_envelope_row_with_a_negative_Format_is_refused_as_not_a_whole_number()
    {
        var id = NewId();
        await PutRawAsync(id, new()
        {
            [MasterKeyId] = new AttributeValue { S = "alias/k" },
            [Envelope] = new AttributeValue { B = new MemoryStream([1, 2, 3]) },
            [Format] = new AttributeValue { N = "-2" },
        });

        await AssertCorruptAsync(id, "its Format is not a whole number");
    }

    [Fact]
    public async Task An_envelope_that_is_not_binary_is_refused()
    {
        var id = NewId();
        await PutRawAsync(id, new()
        {
            [MasterKeyId] = new AttributeValue { S = "alias/k" },
            [Envelope] = new AttributeValue { S = "AQID" },
            [Format] = new AttributeValue { N = "2" },
        });

        await AssertCorruptAsync(id, "its Envelope is not binary");
    }

    [Theory]
    [InlineData("N", "0", "0")]
    [InlineData("N", "99999999999999999999", "99999999999999999999")]
    [InlineData("S", "7", "(not a number)")]
    public async Task An_invalid_Revision_is_kept_as_text_for_the_refusal(string type, string text, string expected)
    {
        var id = NewId();
        var fields = V1Fields(null);
        fields[Revision] = type == "N" ? new AttributeValue { N = text } : new AttributeValue { S = text };
        await PutRawAsync(id, fields);

        var record = (await table.NewRepository().GetAsync(id))!;

        Assert.Equal(0, record.Revision);
        Assert.Equal(expected, record.InvalidRevision);
    }

    [Fact]
    public void An_item_without_keys_reads_with_question_marks_in_its_id()
    {
        var error = Assert.Throws<InvalidProtectedDataException>(() => SecretItemMapper.FromItem([], "t"));

        Assert.Equal("SSB3002: The DynamoDB item for '?/?' in table 't' is not a valid protected secret: it has no MasterKeyId.", error.Message);
    }

    [Fact]
    public async Task A_v2_record_without_an_envelope_is_refused_before_writing()
    {
        var id = NewId();
        var record = new ProtectedSecretRecord { Id = id, Format = ProtectedSecretFormat.V2, MasterKeyId = "alias/k" };

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => table.NewRepository().SaveAsync(record, 0));

        Assert.Equal("SSB0001", error.Code.Id);
        Assert.Equal($"SSB0001: Secret '{id}' (V2) has no Envelope.", error.Message);
        Assert.Empty(await table.RawItemAsync(id.ApplicationName, id.Name));
    }

    [Fact]
    public async Task A_record_of_an_unknown_format_is_refused_before_writing()
    {
        var id = NewId();
        var record = new ProtectedSecretRecord { Id = id, Format = (ProtectedSecretFormat)7, MasterKeyId = "alias/k", Envelope = [1] };

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => table.NewRepository().SaveAsync(record, 0));

        Assert.Equal("SSB0001", error.Code.Id);
        Assert.Equal($"SSB0001: Secret '{id}' has an unknown format 7.", error.Message);
        Assert.Empty(await table.RawItemAsync(id.ApplicationName, id.Name));
    }

    [Fact]
    public void Binary_values_of_a_written_item_are_read_only()
    {
        var item = SecretItemMapper.ToItem(Records.V1(NewId()), 1);

        Assert.All(new[] { ProtectedDocumentKey, InitialisationVector, ProtectedSecretValue }, name => Assert.False(item[name].B.CanWrite));
        Assert.False(SecretItemMapper.ToItem(Records.V2(NewId()), 1)[Envelope].B.CanWrite);
    }

    [Fact]
    public void Item_size_counts_names_strings_bytes_and_numbers_exactly()
    {
        var item = new Dictionary<string, AttributeValue>
        {
            ["ab"] = new() { S = "xyz" },
            ["é"] = new() { S = "日本" },
            ["bin"] = new() { B = new MemoryStream(new byte[10]) },
            ["n"] = new() { N = "5" },
            ["z"] = new() { BOOL = true },
        };

        // 2+3, 2+6, 3+10, 1+21, 1+1
        Assert.Equal(50, SecretItemMapper.ItemSize(item));
    }

    [Fact]
    public void SameItem_is_true_only_for_the_same_names_and_values()
    {
        var written = Item(s: "a", n: "1", b: [1, 2]);

        Assert.True(SecretItemMapper.SameItem(Item(s: "a", n: "1", b: [1, 2]), written));
        Assert.False(SecretItemMapper.SameItem(null, written));
        Assert.False(SecretItemMapper.SameItem([], written));
        Assert.False(SecretItemMapper.SameItem(Item(s: "b", n: "1", b: [1, 2]), written));
        Assert.False(SecretItemMapper.SameItem(Item(s: "a", n: "2", b: [1, 2]), written));
        Assert.False(SecretItemMapper.SameItem(Item(s: "a", n: "1", b: [1, 3]), written));
        Assert.False(SecretItemMapper.SameItem(Item(s: "a", n: "1", b: null), written));
        Assert.False(SecretItemMapper.SameItem(Item(s: "a", n: "1", b: [1, 2]), Item(s: "a", n: "1", b: null)));

        var renamed = Item(s: "a", n: "1", b: [1, 2]);
        renamed["other"] = renamed["bin"];
        renamed.Remove("bin");
        Assert.False(SecretItemMapper.SameItem(renamed, written));

        var larger = Item(s: "a", n: "1", b: [1, 2]);
        larger["extra"] = new AttributeValue { S = "x" };
        Assert.False(SecretItemMapper.SameItem(larger, written));
    }

    private static Dictionary<string, AttributeValue> Item(string s, string n, byte[]? b)
    {
        var item = new Dictionary<string, AttributeValue>
        {
            ["str"] = new() { S = s },
            ["num"] = new() { N = n },
            ["bin"] = b is null ? new AttributeValue() : new AttributeValue { B = new MemoryStream(b) },
        };
        return item;
    }

    private static Dictionary<string, AttributeValue> V1Fields(AttributeValue? format)
    {
        var fields = new Dictionary<string, AttributeValue>
        {
            [MasterKeyId] = new() { S = "alias/k" },
            [ProtectedDocumentKey] = new() { B = new MemoryStream([1, 2, 3, 4]) },
            [InitialisationVector] = new() { B = new MemoryStream([7, 7, 7]) },
            [ProtectedSecretValue] = new() { B = new MemoryStream([9, 9]) },
        };
        if (format is not null)
        {
            fields[Format] = format;
        }

        return fields;
    }

    private SecretId NewId() => new(Records.NewApplication("map"), "item");

    private async Task PutRawAsync(SecretId id, Dictionary<string, AttributeValue> fields)
    {
        fields[ApplicationName] = new AttributeValue { S = id.ApplicationName };
        fields[SecretName] = new AttributeValue { S = id.Name };
        await table.Client.PutItemAsync(new PutItemRequest { TableName = table.TableName, Item = fields });
    }

    private async Task AssertCorruptAsync(SecretId id, string why)
    {
        var error = await Assert.ThrowsAsync<InvalidProtectedDataException>(() => table.NewRepository().GetAsync(id));

        Assert.Equal("SSB3002", error.Code.Id);
        Assert.Equal($"SSB3002: The DynamoDB item for '{id}' in table '{table.TableName}' is not a valid protected secret: {why}.", error.Message);
    }
}

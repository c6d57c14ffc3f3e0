using Amazon.DynamoDBv2.Model;
using SecretStore.Aws.Kms;
using SecretStore.Aws.Tests.Infrastructure;
using SecretStore.Diagnostics;
using SecretStore.Secrets;
using SecretStore.Stores;
using static SecretStore.Aws.DynamoDb.SecretTableAttributes;

namespace SecretStore.Aws.Tests.EndToEnd;

/// <summary>
/// Issue 23 item 3.3 against DynamoDB Local: a table writer who sets <c>Revision</c> to <c>long.MaxValue</c> (or to
/// anything out of range) refuses that record with SSB2014 and nothing is written; the other records still read.
/// </summary>
public sealed class RevisionRangeTests : IClassFixture<SecretTableFixture>, IClassFixture<KmsServerFixture>
{
    private const string Value = "canary-dynamo-revision-5e21";
    private readonly SecretTableFixture _table;
    private readonly KmsServerFixture _kms;

    public RevisionRangeTests(SecretTableFixture table, KmsServerFixture kms)
    {
        _table = table;
        _kms = kms;
        kms.Server.ClearFaults();
    }

    [Fact]
    public async Task Set_over_a_revision_at_long_MaxValue_is_SSB2014_naming_the_record_and_the_item_is_unchanged()
    {
        var key = _kms.Server.CreateKey("rev-" + Guid.NewGuid().ToString("N"));
        using var store = NewStore(key.AliasName!);
        var id = new SecretId(Records.NewApplication("rev"), "Db");
        await store.SetAsync(id, Value);
        await SetRawRevisionAsync(id, new AttributeValue { N = "9223372036854775807" });
        var before = await _table.RawItemAsync(id.ApplicationName, id.Name);

        var refused = await Assert.ThrowsAnyAsync<SecretStoreException>(() => store.SetAsync(id, "canary-new-value-0c4d"));

        Assert.Equal("SSB2014", refused.Code.Id);
        Assert.Contains($"'{id}'", refused.Message, StringComparison.Ordinal);
        var after = await _table.RawItemAsync(id.ApplicationName, id.Name);
        Assert.Equal("9223372036854775807", after[Revision].N);
        Assert.Equal(before[Envelope].B.ToArray(), after[Envelope].B.ToArray());
        Assert.Equal(Value, (await store.GetAsync(id)).Value);
    }

    public static TheoryData<string, string?> OutOfRange => new()
    {
        { "N", "-3" },
        { "N", "0" },
        { "N", "1.5" },
        { "N", "99999999999999999999" },
        { "S", "7" },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public async Task A_revision_out_of_range_on_read_is_SSB2014_for_that_record_only(string type, string? text)
    {
        var key = _kms.Server.CreateKey("rev-" + Guid.NewGuid().ToString("N"));
        using var store = NewStore(key.AliasName!);
        var app = Records.NewApplication("rev");
        var bad = new SecretId(app, "Db");
        var good = new SecretId(app, "Api");
        await store.SetAsync(bad, Value);
        await store.SetAsync(good, "canary-api-value-77aa");
        await SetRawRevisionAsync(bad, type == "N" ? new AttributeValue { N = text } : new AttributeValue { S = text });
        var before = await _table.RawItemAsync(app, bad.Name);

        var get = await Assert.ThrowsAnyAsync<SecretStoreException>(() => store.GetAsync(bad));
        var set = await Assert.ThrowsAnyAsync<SecretStoreException>(() => store.SetAsync(bad, "canary-new-value-0c4d"));
        var listed = await store.ListAsync(app);

        Assert.Equal("SSB2014", get.Code.Id);
        Assert.Contains($"'{bad}'", get.Message, StringComparison.Ordinal);
        Assert.Equal("SSB2014", set.Code.Id);
        Assert.Equal("canary-api-value-77aa", (await store.GetAsync(good)).Value);
        Assert.Equal(["Api", "Db"], listed.Select(m => m.Id.Name));
        Assert.False(listed[0].HasInvalidRevision);
        Assert.True(listed[1].HasInvalidRevision);
        var after = await _table.RawItemAsync(app, bad.Name);
        Assert.Equal(before[Revision].N ?? before[Revision].S, after[Revision].N ?? after[Revision].S);
        Assert.Equal(before[Envelope].B.ToArray(), after[Envelope].B.ToArray());
    }

    private Task SetRawRevisionAsync(SecretId id, AttributeValue revision) =>
        _table.Client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = _table.TableName,
            Key = new()
            {
                [ApplicationName] = new AttributeValue { S = id.ApplicationName },
                [SecretName] = new AttributeValue { S = id.Name },
            },
            UpdateExpression = "SET #rev = :rev",
            ExpressionAttributeNames = new() { ["#rev"] = Revision },
            ExpressionAttributeValues = new() { [":rev"] = revision },
        });

    private EnvelopeSecretStore NewStore(string keyId) => new(
        _table.NewRepository(),
        new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = _kms.Server.AllKeyIds() }),
        new EnvelopeSecretStoreOptions { DefaultKeyId = keyId },
        ownsComponents: true);
}

using Amazon.DynamoDBv2.Model;
using SecretStore.Aws.DynamoDb;
using SecretStore.Aws.Tests.Infrastructure;
using SecretStore.Configuration;
using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Repositories.History;
using SecretStore.Secrets;
using static SecretStore.Aws.DynamoDb.SecretTableAttributes;

namespace SecretStore.Aws.Tests.DynamoDb;

/// <summary>
/// What the repository contract (DynamoDbRepositoryContractTests) leaves to DynamoDB: construction, ownership of the
/// client, the name it shows, the words of its id errors and the item size limit at its exact bound.
/// </summary>
public sealed class DynamoDbRepositoryLimitsTests(SecretTableFixture table) : IClassFixture<SecretTableFixture>
{
    private const string BadIdMessage = "A secret id must have an application name and a secret name.";
    private const string LoneSurrogateMessage = "A secret id contains a lone surrogate and cannot be stored as UTF-8.";

    [Fact]
    public void The_constructor_refuses_a_null_client_and_a_blank_table_name()
    {
        Assert.Equal("client", Assert.Throws<ArgumentNullException>(() => new DynamoDbSecretRepository(null!, "t")).ParamName);
        Assert.Equal("tableName", Assert.Throws<ArgumentException>(() => new DynamoDbSecretRepository(table.Client, " ")).ParamName);
    }

    [Fact]
    public void Create_refuses_null_settings_and_a_missing_table_with_SSB0003()
    {
        Assert.Equal("settings", Assert.Throws<ArgumentNullException>(() => DynamoDbSecretRepository.Create((StoreSettings)null!)).ParamName);

        var error = Assert.Throws<SecretStoreException>(() => DynamoDbSecretRepository.Create(new StoreSettings { Storage = StorageKind.DynamoDb, Protection = ProtectionKind.Kms, Table = " " }));

        Assert.Equal("SSB0003", error.Code.Id);
        Assert.Equal("SSB0003: DynamoDB storage needs a table name (dynamodb:<table>).", error.Message);
    }

    [Fact]
    public async Task A_repository_from_Create_disposes_its_own_client()
    {
        var url = await SecretStore.Testing.Aws.DynamoDb.DynamoDbLocal.GetServiceUrlAsync();
        var repository = DynamoDbSecretRepository.Create(table.TableName, "us-east-1", url.ToString());
        Assert.Null(await repository.GetAsync(new SecretId(Records.NewApplication(), "before-dispose")));

        repository.Dispose();

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => repository.GetAsync(new SecretId(Records.NewApplication(), "after-dispose")));
        Assert.Equal("SSB0099", error.Code.Id);
        Assert.IsType<ObjectDisposedException>(error.InnerException);
    }

    [Fact]
    public void ToString_names_the_table_only()
    {
        Assert.Equal($"DynamoDB table '{table.TableName}'", table.NewRepository().ToString());
    }

    [Fact]
    public async Task A_bad_id_is_refused_in_words_that_say_what_is_wrong_with_it()
    {
        // The contract (DynamoDbRepositoryContractTests) refuses bad ids with SSB2010 on every operation; these are the words.
        var repository = table.NewRepository();
        var app = Records.NewApplication();
        var bad = new SecretId(app, "x\uD800");

        await AssertBadIdAsync(() => repository.GetAsync(default), BadIdMessage);
        await AssertBadIdAsync(() => repository.GetManyAsync([new SecretId("app", "ok"), default]), BadIdMessage);
        await AssertBadIdAsync(() => repository.DeleteAsync(default), BadIdMessage);
        await AssertBadIdAsync(
            () => repository.SaveAsync(new ProtectedSecretRecord { Id = default, Format = ProtectedSecretFormat.V2, MasterKeyId = "k", Envelope = [1] }, 0),
            BadIdMessage);
        await AssertBadIdAsync(() => repository.GetAsync(bad), LoneSurrogateMessage);
        await AssertBadIdAsync(() => repository.QueryByApplicationAsync(app + "\uDC00"), LoneSurrogateMessage);
        await AssertBadIdAsync(() => repository.SaveAsync(Records.V2(bad), 0), LoneSurrogateMessage);
        await AssertBadIdAsync(() => repository.DeleteAsync(bad), LoneSurrogateMessage);
    }

    [Fact]
    public async Task A_history_item_of_exactly_400_KB_is_written_and_one_byte_more_is_refused_without_a_write()
    {
        var repository = table.NewRepository();
        var app = Records.NewApplication("size");
        var atLimit = new SecretId(app, "at-limit");
        var over = new SecretId(app, "over-limit");

        Assert.Equal(1, await repository.SaveAsync(Records.V2(atLimit, EnvelopeBytesFor(atLimit, SecretItemMapper.MaxItemSizeInBytes)), 0));
        var error = await Assert.ThrowsAsync<PayloadTooLargeException>(() =>
            repository.SaveAsync(Records.V2(over, EnvelopeBytesFor(over, SecretItemMapper.MaxItemSizeInBytes + 1)), 0));

        Assert.Equal($"SSB2003: Secret '{over}' is 409601 bytes; the limit is 409600 bytes.", error.Message);
        Assert.Empty(await table.RawItemAsync(app, over.Name));
        Assert.NotEmpty(await table.RawItemAsync(app, atLimit.Name));
        Assert.Empty(await repository.GetHistoryAsync(over));
    }

    /// <summary>
    /// The envelope length that makes the v2 history item (the larger of the two a write puts: the record's attributes
    /// plus sort key, time and writer) exactly <paramref name="size"/> bytes as the repository counts it.
    /// </summary>
    private static int EnvelopeBytesFor(SecretId id, int size)
    {
        const string keyId = "alias/test";
        var names = ApplicationName.Length + SecretName.Length + MasterKeyId.Length + Revision.Length + Envelope.Length + Format.Length
            + HistoryTableAttributes.SecretRevision.Length + HistoryTableAttributes.WrittenAt.Length + HistoryTableAttributes.Writer.Length;
        var numbers = 2 * 21; // Revision and Format
        var sortKey = id.Name.Length + 1 + 19;
        var time = "2026-01-01T00:00:00Z".Length;
        var writer = System.Text.Encoding.UTF8.GetByteCount(new HistoryOptions().EffectiveWriter);
        return size - names - numbers - id.ApplicationName.Length - id.Name.Length - keyId.Length - sortKey - time - writer;
    }

    private static async Task AssertBadIdAsync(Func<Task> call, string message)
    {
        var error = await Assert.ThrowsAsync<SecretStoreException>(call);
        Assert.Equal("SSB2010", error.Code.Id);
        Assert.Equal("SSB2010: " + message, error.Message);
    }
}

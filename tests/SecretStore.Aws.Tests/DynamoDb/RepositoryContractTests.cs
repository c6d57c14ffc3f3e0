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

/// <summary>Argument checks, id checks, the size limit at its exact bound, ordering and ownership of the client.</summary>
public sealed class RepositoryContractTests(SecretTableFixture table) : IClassFixture<SecretTableFixture>
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
    public async Task Every_operation_refuses_a_default_id_with_SSB2010()
    {
        var repository = table.NewRepository();

        await AssertBadIdAsync(() => repository.GetAsync(default), BadIdMessage);
        await AssertBadIdAsync(() => repository.GetManyAsync([new SecretId("app", "ok"), default]), BadIdMessage);
        await AssertBadIdAsync(() => repository.DeleteAsync(default), BadIdMessage);
        await AssertBadIdAsync(
            () => repository.SaveAsync(new ProtectedSecretRecord { Id = default, Format = ProtectedSecretFormat.V2, MasterKeyId = "k", Envelope = [1] }, 0),
            BadIdMessage);
    }

    [Fact]
    public async Task Every_operation_refuses_a_lone_surrogate_with_SSB2010()
    {
        var repository = table.NewRepository();
        var app = Records.NewApplication();
        var bad = new SecretId(app, "x\uD800");

        await AssertBadIdAsync(() => repository.GetAsync(bad), LoneSurrogateMessage);
        await AssertBadIdAsync(() => repository.QueryByApplicationAsync(app + "\uDC00"), LoneSurrogateMessage);
        await AssertBadIdAsync(() => repository.SaveAsync(Records.V2(bad), 0), LoneSurrogateMessage);
        await AssertBadIdAsync(() => repository.DeleteAsync(bad), LoneSurrogateMessage);
    }

    [Fact]
    public async Task Null_and_negative_arguments_are_refused_before_any_call()
    {
        var repository = table.NewRepository();
        var id = new SecretId(Records.NewApplication(), "arg");

        Assert.Equal("ids", (await Assert.ThrowsAsync<ArgumentNullException>(() => repository.GetManyAsync(null!))).ParamName);
        Assert.Equal("applicationName", (await Assert.ThrowsAsync<ArgumentNullException>(() => repository.QueryByApplicationAsync(null!))).ParamName);
        Assert.Equal("applicationName", (await Assert.ThrowsAsync<ArgumentException>(() => repository.QueryByApplicationAsync(""))).ParamName);
        Assert.Equal("record", (await Assert.ThrowsAsync<ArgumentNullException>(() => repository.SaveAsync(null!, 0))).ParamName);
        Assert.Equal("expectedRevision", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => repository.SaveAsync(Records.V2(id), -1))).ParamName);
        await repository.SaveAsync(Records.V2(id), 0);
        Assert.Equal("expected", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => repository.DeleteAsync(id, -1))).ParamName);
        Assert.NotNull(await repository.GetAsync(id));
    }

    [Fact]
    public async Task A_conflicting_delete_names_the_expected_revision()
    {
        var repository = table.NewRepository();
        var id = new SecretId(Records.NewApplication(), "del");
        await repository.SaveAsync(Records.V2(id), 0);
        await repository.SaveAsync(Records.V2(id), 1);

        var error = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => repository.DeleteAsync(id, expectedRevision: 1));

        Assert.Equal(1, error.ExpectedRevision);
        Assert.Equal(2, error.CurrentRevision);
        Assert.Equal(
            $"SSB2002: Secret '{id}' is at revision 2, not the expected 1: another writer changed it. Fix: check that change ('secretstore list {id.ApplicationName}' shows revisions), then retry against revision 2 (CLI: --if-revision 2).",
            error.Message);
    }

    [Fact]
    public async Task ListApplications_scans_every_page_for_the_distinct_applications_in_ordinal_order()
    {
        var repository = table.NewRepository();
        var prefix = Records.NewApplication();
        string[] apps = [prefix + "-b", prefix + "-B", prefix + "-a"];
        foreach (var app in apps)
        {
            // Two records each: an application is listed once however many secrets it has.
            await repository.SaveAsync(Records.V2(new SecretId(app, "one")), 0);
            await repository.SaveAsync(Records.V2(new SecretId(app, "two")), 0);
        }

        var listed = await repository.ListApplicationsAsync();

        Assert.Equal(apps.Order(StringComparer.Ordinal), listed.Where(a => a.StartsWith(prefix, StringComparison.Ordinal)));
        Assert.Equal(listed.Order(StringComparer.Ordinal), listed);
        Assert.Equal(listed.Distinct(StringComparer.Ordinal).Count(), listed.Count);
    }

    [Fact]
    public async Task SaveAtRevision_writes_the_given_revision_under_the_same_condition()
    {
        var repository = table.NewRepository();
        var id = new SecretId(Records.NewApplication(), "imported");

        Assert.Equal(7, await repository.SaveAtRevisionAsync(Records.V2(id), 0, 7));
        Assert.Equal(7, (await repository.GetAsync(id))!.Revision);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => repository.SaveAtRevisionAsync(Records.V2(id), 0, 9));
        Assert.Equal(8, await repository.SaveAsync(Records.V2(id), 7));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => repository.SaveAtRevisionAsync(Records.V2(id), 8, 8));
    }

    [Fact]
    public async Task A_conflicting_save_says_the_revision_the_table_holds_now()
    {
        var repository = table.NewRepository();
        var id = new SecretId(Records.NewApplication(), "conflict");
        await repository.SaveAsync(Records.V2(id), 0);
        await repository.SaveAsync(Records.V2(id), 1);
        await repository.SaveAsync(Records.V2(id), 2);

        var stale = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => repository.SaveAsync(Records.V2(id), 1));
        var create = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => repository.SaveAsync(Records.V2(id), 0));
        await repository.DeleteAsync(id);
        var gone = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => repository.SaveAsync(Records.V2(id), 3));

        Assert.Equal((1L, 3L), (stale.ExpectedRevision, stale.CurrentRevision!.Value));
        Assert.StartsWith($"SSB2002: Secret '{id}' is at revision 3, not the expected 1: another writer changed it.", stale.Message, StringComparison.Ordinal);
        Assert.Equal($"SSB2002: Secret '{id}' already exists (revision 3); it was expected not to. Fix: retry against revision 3 (CLI: --if-revision 3) once its value is checked, or use another name.", create.Message);
        Assert.Equal(0, gone.CurrentRevision);
        Assert.Equal($"SSB2002: Secret '{id}' no longer exists; revision 3 was expected: another writer deleted it. Fix: check why, then write it anew (CLI: --if-revision 0).", gone.Message);
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

    [Fact]
    public async Task Query_returns_names_in_ordinal_UTF16_order_not_in_the_tables_UTF8_order()
    {
        var repository = table.NewRepository();
        var app = Records.NewApplication("order");
        // UTF-8 puts U+FF5E before U+1F600; UTF-16 (ordinal) puts the surrogate pair D83D DE00 first.
        string[] names = ["\uFF5E", "\U0001F600", "a"];
        foreach (var name in names)
        {
            await repository.SaveAsync(Records.V2(new SecretId(app, name)), 0);
        }

        var records = await repository.QueryByApplicationAsync(app);

        Assert.Equal(["a", "\U0001F600", "\uFF5E"], records.Select(r => r.Id.Name));
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

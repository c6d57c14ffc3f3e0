using Amazon.KeyManagementService.Model;
using SecretStore.Aws.Kms;
using SecretStore.Aws.Tests.Infrastructure;
using SecretStore.Diagnostics;
using SecretStore.Formats;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Testing.Aws.Kms;
using SecretStore.Testing.Repositories;

namespace SecretStore.Aws.Tests.Kms;

/// <summary>
/// A record for several KMS keys (two regions, say): the data key comes from GenerateDataKey under the first and is
/// wrapped with Encrypt under each other one, each bound to its own encryption context; a reader allowed any one key
/// opens it, and an edited recipient list fails authentication. Against the KMS fixture through the real SDK client.
/// </summary>
public sealed class KmsRecipientsTests : IClassFixture<KmsServerFixture>
{
    private const string Value = "Password=shared-across-regions";
    private static readonly SecretId Db = new("shop", "Db");
    private readonly KmsServerFixture _kms;

    public KmsRecipientsTests(KmsServerFixture kms)
    {
        _kms = kms;
        kms.Server.ClearFaults();
    }

    private KmsFixtureServer Server => _kms.Server;

    [Fact]
    public async Task A_record_for_two_KMS_keys_opens_with_either_key_alone_and_each_wrap_is_bound_to_its_recipient()
    {
        var (east, west) = (Server.CreateKey(), Server.CreateKey());
        var repository = new InMemorySecretRepository();
        Server.ResetCounters();
        using (var writer = Store(repository, east.Arn, [east.Arn, west.Arn]))
        {
            var written = await writer.SetAsync(Db, Value, new SetSecretOptions { Recipients = [east.Arn, west.Arn] });
            Assert.Equal([east.Arn, west.Arn], written.Recipients);
        }

        Assert.Equal((1, 1), (Server.RequestCount("GenerateDataKey"), Server.RequestCount("Encrypt")));
        var encrypt = Assert.Single(Server.RecordedRequests("Encrypt"));
        Assert.Equal(west.Arn, (string?)encrypt["EncryptionContext"]!["secretstore:master-key-id"]);
        Assert.Equal("3", (string?)encrypt["EncryptionContext"]!["secretstore:format"]);

        foreach (var only in new[] { east.Arn, west.Arn })
        {
            using var reader = Store(repository, only, [only]);
            Server.ResetCounters();
            Assert.Equal(Value, (await reader.GetAsync(Db)).Value);
            var decrypt = Assert.Single(Server.RecordedRequests("Decrypt"));
            Assert.Equal(only, (string?)decrypt["KeyId"]);
        }

        // A wrapped key moved to the other recipient's slot is refused by KMS: its context names the other key.
        var envelope = V3Envelope.Parse((await repository.GetAsync(Db))!.Envelope!, "Db");
        var moved = await Assert.ThrowsAnyAsync<Exception>(() => _kms.Client.DecryptAsync(new DecryptRequest
        {
            CiphertextBlob = new MemoryStream(envelope.Recipients[1].WrappedKey),
            EncryptionContext = envelope.Context.ForRecipient(east.Arn).ToDictionary(),
        }));
        Assert.IsType<InvalidCiphertextException>(moved);
    }

    [Fact]
    public async Task A_reader_falls_back_to_the_next_recipient_when_its_first_key_is_unusable()
    {
        var (east, west) = (Server.CreateKey(), Server.CreateKey());
        var repository = new InMemorySecretRepository();
        using (var writer = Store(repository, east.Arn, [east.Arn, west.Arn]))
        {
            await writer.SetAsync(Db, Value, new SetSecretOptions { Recipients = [east.Arn, west.Arn] });
        }

        Server.DisableKey(east.Arn);
        using var reader = Store(repository, east.Arn, [east.Arn, west.Arn]);

        Assert.Equal(Value, (await reader.GetAsync(Db)).Value);
        Assert.Equal(Value, (await reader.GetManyAsync([Db]))[Db].Value);

        // With both keys unusable, the first failure is reported, coded and without the value.
        Server.DisableKey(west.Arn);
        using var stuck = Store(repository, east.Arn, [east.Arn, west.Arn]);
        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => stuck.GetAsync(Db));
        Assert.Contains(east.Arn, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Value, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_record_whose_recipients_are_all_outside_the_allow_list_is_SSB3012_before_any_Decrypt()
    {
        var (east, west, other) = (Server.CreateKey(), Server.CreateKey(), Server.CreateKey());
        var repository = new InMemorySecretRepository();
        using (var writer = Store(repository, east.Arn, [east.Arn, west.Arn]))
        {
            await writer.SetAsync(Db, Value, new SetSecretOptions { Recipients = [east.Arn, west.Arn] });
        }

        using var reader = Store(repository, other.Arn, [other.Arn]);
        Server.ResetCounters();

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => reader.GetAsync(Db));

        Assert.Equal("SSB3012", ex.Code.Id);
        Assert.Equal(0, Server.RequestCount("Decrypt"));
    }

    [Fact]
    public async Task Dropping_a_recipient_from_an_unsigned_KMS_record_fails_authentication()
    {
        var (east, west) = (Server.CreateKey(), Server.CreateKey());
        var repository = new InMemorySecretRepository();
        using var store = Store(repository, east.Arn, [east.Arn, west.Arn]);
        await store.SetAsync(Db, Value, new SetSecretOptions { Recipients = [east.Arn, west.Arn] });
        var record = (await repository.GetAsync(Db))!;
        var envelope = V3Envelope.Parse(record.Envelope!, "Db");
        var header = V3Envelope.EncodeHeader(envelope.Context, [envelope.Recipients[0]], signed: false);
        await repository.SaveAsync(record with { Envelope = V3Envelope.Encode(header, envelope.Nonce, envelope.Ciphertext, envelope.Tag, null) }, record.Revision);

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => store.GetAsync(Db));

        Assert.Equal("SSB3002", ex.Code.Id);
        Assert.Contains("fails authentication", ex.Message, StringComparison.Ordinal);
    }

    private EnvelopeSecretStore Store(InMemorySecretRepository repository, string defaultKey, string[] allowed) =>
        new(repository, new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = allowed, CacheDataKeys = false }), new EnvelopeSecretStoreOptions { DefaultKeyId = defaultKey }, ownsComponents: true);
}

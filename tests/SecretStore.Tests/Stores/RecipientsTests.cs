using SecretStore.Diagnostics;
using SecretStore.Formats;
using SecretStore.Keys;
using SecretStore.Keys.Rsa;
using SecretStore.Repositories;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Testing.Stores;
using SecretStore.Tests.Support;

namespace SecretStore.Tests.Stores;

/// <summary>
/// Records with several recipients (envelope version 3): one data key wrapped for each key, any one of which opens the
/// record; the recipient list is covered by the signature and by the ciphertext's associated data.
/// </summary>
public sealed class RecipientsTests : IDisposable
{
    private const string Value = "p@ss-for-everyone";
    private static readonly SecretId Db = new("web", "Db");
    private static readonly string[] Everyone = [TestKeyrings.PrimaryKeyId, TestKeyrings.SecondKeyId, TestKeyrings.NonAsciiKeyId];
    private readonly StoreScope _scope = new();
    private readonly List<IDisposable> _keyrings = [];

    public void Dispose()
    {
        _keyrings.ForEach(k => k.Dispose());
        _scope.Dispose();
    }

    [Fact]
    public async Task A_record_for_three_recipients_opens_with_each_private_key_alone()
    {
        var written = await _scope.Store.SetAsync(Db, Value, new SetSecretOptions { Recipients = Everyone });

        Assert.Equal(Everyone, written.Recipients);
        Assert.Equal(TestKeyrings.PrimaryKeyId, written.MasterKeyId);
        foreach (var keyId in Everyone)
        {
            var reader = ReaderWithOnly(keyId);
            var secret = await reader.GetAsync(Db);
            Assert.Equal(Value, secret.Value);
            Assert.Equal(Everyone, secret.Metadata.Recipients);
            Assert.Equal(Value, (await reader.GetManyAsync([Db]))[Db].Value);
        }

        var listed = Assert.Single(await ReaderWithOnly(TestKeyrings.NonAsciiKeyId).ListAsync("web"));
        Assert.Equal(Everyone, listed.Recipients);
        Assert.True(listed.IsKeyAllowed);
    }

    [Fact]
    public async Task A_reader_holding_none_of_the_recipients_keys_is_refused_without_the_value()
    {
        await _scope.Store.SetAsync(Db, Value, new SetSecretOptions { Recipients = [TestKeyrings.PrimaryKeyId, TestKeyrings.SecondKeyId] });
        var reader = ReaderWithOnly(TestKeyrings.NonAsciiKeyId);

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => reader.GetAsync(Db));

        Assert.StartsWith("SSB30", ex.Code.Id, StringComparison.Ordinal);
        Assert.DoesNotContain(Value, ex.ToString(), StringComparison.Ordinal);
        Assert.False(Assert.Single(await reader.ListAsync("web")).IsKeyAllowed);
    }

    public static TheoryData<string, bool> Edits()
    {
        var data = new TheoryData<string, bool>();
        foreach (var edit in new[] { "drop", "reorder", "rename", "swap-wrapped", "add", "strip-to-one" })
        {
            data.Add(edit, true);
            data.Add(edit, false);
        }

        return data;
    }

    /// <summary>
    /// The attack of a store writer on a shared record: change who can read it. Even re-signed with the keyring's own
    /// signing key (a holder of the signing key who lacks the data key), every edit of the list fails authentication,
    /// because the header is the ciphertext's associated data; unsigned (KMS), the same holds.
    /// </summary>
    [Theory]
    [MemberData(nameof(Edits))]
    public async Task Editing_the_recipient_list_is_refused_even_when_re_signed(string edit, bool signed)
    {
        var keyManager = new CountingKeyManager(_scope.KeyManager, hideSigner: !signed);
        var store = new EnvelopeSecretStore(_scope.Repository, keyManager, new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId });
        await store.SetAsync(Db, Value, new SetSecretOptions { Recipients = Everyone });
        await store.SetAsync(new SecretId("web", "Other"), "other value", new SetSecretOptions { Recipients = Everyone });
        var record = (await _scope.Repository.GetAsync(Db))!;
        var other = V3Envelope.Parse((await _scope.Repository.GetAsync(new SecretId("web", "Other")))!.Envelope!, "other");
        var envelope = V3Envelope.Parse(record.Envelope!, "Db");
        var list = envelope.Recipients.ToList();
        List<EnvelopeRecipient> edited = edit switch
        {
            "drop" => [list[0], list[2]],
            "reorder" => [list[0], list[2], list[1]],
            "rename" => [list[0], list[1] with { KeyId = "mallory" }, list[2]],
            "swap-wrapped" => [list[0], list[1] with { WrappedKey = other.Recipients[1].WrappedKey }, list[2]],
            "add" => [.. list, new EnvelopeRecipient("mallory", other.Recipients[0].WrappedKey)],
            "strip-to-one" => [list[0]],
            _ => throw new ArgumentOutOfRangeException(nameof(edit)),
        };
        var signer = signed ? _scope.KeyManager.EnvelopeSigner : null;
        var header = V3Envelope.EncodeHeader(envelope.Context, edited, signer is not null);
        var forged = V3Envelope.Encode(header, envelope.Nonce, envelope.Ciphertext, envelope.Tag, signer);
        await _scope.Repository.SaveAsync(record with { Envelope = forged }, record.Revision);

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => store.GetAsync(Db));

        Assert.Equal("SSB3002", ex.Code.Id);
        Assert.Contains("fails authentication", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Value, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_recipient_list_edited_without_re_signing_is_refused_before_any_unwrap()
    {
        var keyManager = new CountingKeyManager(_scope.KeyManager);
        var store = new EnvelopeSecretStore(_scope.Repository, keyManager, new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId });
        await store.SetAsync(Db, Value, new SetSecretOptions { Recipients = Everyone });
        var record = (await _scope.Repository.GetAsync(Db))!;
        var envelope = V3Envelope.Parse(record.Envelope!, "Db");
        var header = V3Envelope.EncodeHeader(envelope.Context, [envelope.Recipients[0], envelope.Recipients[1]], signed: true);
        var forged = V3Envelope.Encode(header, envelope.Nonce, envelope.Ciphertext, envelope.Tag, new CopiedSignature(envelope));
        await _scope.Repository.SaveAsync(record with { Envelope = forged }, record.Revision);

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => store.GetAsync(Db));

        Assert.Equal("SSB3004", ex.Code.Id);
        Assert.Equal(0, keyManager.Unwraps);
    }

    [Fact]
    public async Task A_write_takes_its_recipients_from_the_caller_or_the_store_never_from_the_record_it_replaces_and_says_when_they_change()
    {
        var first = await _scope.Store.SetAsync(Db, "one", new SetSecretOptions { Recipients = Everyone });
        Assert.Null(first.ReplacedRecipients);
        Assert.False(first.RecipientsChanged);

        var narrowed = await _scope.Store.SetAsync(Db, "two");

        Assert.Equal([TestKeyrings.PrimaryKeyId], narrowed.Recipients);
        Assert.Equal(Everyone, narrowed.ReplacedRecipients);
        Assert.True(narrowed.RecipientsChanged);
        var warning = Assert.Single(WriteWarnings.Of(narrowed));
        Assert.Equal("SSB3015", warning.Code.Id);
        Assert.Contains($"'web/Db' was written for {TestKeyrings.PrimaryKeyId}; the record it replaced was for {string.Join(",", Everyone)}", warning.Message, StringComparison.Ordinal);
        var same = await _scope.Store.SetAsync(Db, "three");
        Assert.False(same.RecipientsChanged);
        Assert.Empty(WriteWarnings.Of(same));
    }

    /// <summary>
    /// Red team, seventh round (RT.20a): bob was removed with rewrap, then a routine rollback went back to a revision
    /// written for him, and every later set kept those recipients, so bob read the next rotated value. A rollback is now
    /// written for the caller's or the store's recipients, never the old revision's.
    /// </summary>
    [Fact]
    public async Task A_rollback_to_a_revision_written_for_a_removed_reader_does_not_give_him_the_next_values()
    {
        await _scope.Store.SetAsync(Db, "v1", new SetSecretOptions { Recipients = [TestKeyrings.PrimaryKeyId, TestKeyrings.SecondKeyId] });
        Assert.Single(await SecretRewrapper.RewrapAsync(_scope.Store, "web", new RewrapOptions { Recipients = [TestKeyrings.PrimaryKeyId] }), o => o.Changed);

        var rolledBack = await _scope.Store.RollbackAsync(Db, 1);
        await _scope.Store.SetAsync(Db, "rotated-after-removal");

        Assert.Equal([TestKeyrings.PrimaryKeyId], rolledBack.Recipients);
        var bob = ReaderWithOnly(TestKeyrings.SecondKeyId);
        var refused = await Assert.ThrowsAnyAsync<SecretStoreException>(() => bob.GetAsync(Db));
        Assert.DoesNotContain("rotated-after-removal", refused.ToString(), StringComparison.Ordinal);
        Assert.Equal("rotated-after-removal", (await ReaderWithOnly(TestKeyrings.PrimaryKeyId).GetAsync(Db)).Value);
    }

    /// <summary>
    /// Red team, seventh round (RT.20b): a store writer replayed bob's old record (still listing him) as the current one;
    /// the owner's next set took the replayed record's recipients and wrote the rotated value for bob.
    /// </summary>
    [Fact]
    public async Task A_replayed_record_that_still_lists_a_removed_reader_does_not_choose_the_recipients_of_the_next_write()
    {
        await _scope.Store.SetAsync(Db, "v1", new SetSecretOptions { Recipients = [TestKeyrings.PrimaryKeyId, TestKeyrings.SecondKeyId] });
        var listingBob = (await _scope.Repository.GetAsync(Db))!;
        await SecretRewrapper.RewrapAsync(_scope.Store, "web", new RewrapOptions { Recipients = [TestKeyrings.PrimaryKeyId] });
        var current = (await _scope.Repository.GetAsync(Db))!;
        await _scope.Repository.SaveAsync(listingBob, current.Revision);

        var written = await _scope.Store.SetAsync(Db, "rotated-after-removal");

        Assert.Equal([TestKeyrings.PrimaryKeyId], written.Recipients);
        Assert.Equal("SSB3015", Assert.Single(WriteWarnings.Of(written)).Code.Id);
        await Assert.ThrowsAnyAsync<SecretStoreException>(() => ReaderWithOnly(TestKeyrings.SecondKeyId).GetAsync(Db));
    }

    [Fact]
    public async Task The_stores_default_recipients_apply_to_writes_that_name_no_key()
    {
        var store = _scope.OpenStore(_scope.Keyring, new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId, Recipients = [TestKeyrings.SecondKeyId, TestKeyrings.PrimaryKeyId] });

        var written = await store.SetAsync(Db, Value);

        Assert.Equal([TestKeyrings.SecondKeyId, TestKeyrings.PrimaryKeyId], written.Recipients);
        Assert.Equal(TestKeyrings.SecondKeyId, (await _scope.Repository.GetAsync(Db))!.MasterKeyId);
        Assert.Equal(Value, (await ReaderWithOnly(TestKeyrings.PrimaryKeyId).GetAsync(Db)).Value);
    }

    [Theory]
    [InlineData("duplicate")]
    [InlineData("empty")]
    [InlineData("too-many")]
    [InlineData("v1")]
    [InlineData("unknown")]
    public async Task A_bad_recipient_list_is_a_coded_error_and_nothing_is_written(string bad)
    {
        var options = bad switch
        {
            "duplicate" => new SetSecretOptions { Recipients = [TestKeyrings.PrimaryKeyId, TestKeyrings.PrimaryKeyId] },
            "empty" => new SetSecretOptions { Recipients = [TestKeyrings.PrimaryKeyId, " "] },
            "too-many" => new SetSecretOptions { Recipients = [.. Enumerable.Range(0, V3Envelope.MaxRecipients + 1).Select(i => $"k{i}")] },
            "v1" => new SetSecretOptions { Recipients = Everyone, Format = ProtectedSecretFormat.V1 },
            _ => new SetSecretOptions { Recipients = [TestKeyrings.PrimaryKeyId, "nobody"] },
        };

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => _scope.Store.SetAsync(Db, Value, options));

        Assert.Equal(bad == "unknown" ? "SSB3001" : "SSB0001", ex.Code.Id);
        Assert.DoesNotContain(Value, ex.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(_scope.StorePath));
    }

    [Fact]
    public async Task A_recipient_key_below_the_minimum_size_is_refused()
    {
        using (var small = System.Security.Cryptography.RSA.Create(1024))
        {
            _scope.Keyring.ImportKey("small", small.ExportPkcs8PrivateKeyPem(), allowSmallKey: true);
        }

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => _scope.Store.SetAsync(Db, Value, new SetSecretOptions { Recipients = [TestKeyrings.PrimaryKeyId, "small"] }));

        Assert.Equal("SSB3005", ex.Code.Id);
        Assert.False(File.Exists(_scope.StorePath));
    }

    private EnvelopeSecretStore ReaderWithOnly(string keyId)
    {
        var keyring = RsaKeyring.Load(_scope.KeyringPath, new RsaKeyringLoadOptions { PrivateKeyPem = _scope.Keyring.ExportReaderSecret(keyId) });
        _keyrings.Add(keyring);
        Assert.Equal([keyId], keyring.KeyIds.Where(keyring.HasPrivateKey));
        return new EnvelopeSecretStore(_scope.Repository, new RsaKeyManager(keyring), new EnvelopeSecretStoreOptions());
    }

    /// <summary>A forger without the signing key: reuses the signature of the record he edits.</summary>
    private sealed class CopiedSignature(V3Envelope original) : IEnvelopeSigner
    {
        public string SigningKeyId => original.SigningKeyId!;

        public byte[] Sign(ReadOnlySpan<byte> data) => original.Signature!;

        public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) => throw new NotSupportedException();
    }
}

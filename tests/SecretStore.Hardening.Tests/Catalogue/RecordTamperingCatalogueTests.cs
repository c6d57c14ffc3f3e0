using CsCheck;
using SecretStore.Diagnostics;
using SecretStore.Hardening.Tests.Support;
using SecretStore.Keys.Rsa;
using SecretStore.Repositories;
using SecretStore.Testing.Repositories;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Testing.Canaries;

namespace SecretStore.Hardening.Tests.Catalogue;

/// <summary>
/// Stored records changed by someone who can write the table or store file but holds no key: bit flips in each
/// field, rows moved across names, applications and stores, v1 planted where v2 is required. Every refusal is a
/// coded error that does not carry the value. What v1 cannot detect is pinned here as its documented limit
/// (docs/security.md), so a change in it shows up.
/// </summary>
public sealed class RecordTamperingCatalogueTests : IClassFixture<KeyringFixture>, IDisposable
{
    private const string Value = "tamper-canary Password=\"p<&>\" 0123456789abcdef0123456789abcdef";
    private static readonly SecretId Db = new("acme-web", "Db");
    private readonly RsaKeyring _keyring;
    private readonly InMemorySecretRepository _repository = new();
    private readonly CanaryScanner _canaries = new(Value);

    public RecordTamperingCatalogueTests(KeyringFixture fixture) => _keyring = RsaKeyring.Load(fixture.KeyringPath);

    public void Dispose() => _keyring.Dispose();

    [Fact]
    public async Task V1_flip_in_the_protected_document_key_is_always_detected()
    {
        var store = Store();
        await store.SetAsync(Db, Value, new SetSecretOptions { Format = ProtectedSecretFormat.V1 });
        var original = (await _repository.GetAsync(Db))!;
        var field = original.ProtectedDocumentKey!;

        // Every bit of the length/key-id header, one bit of every byte of signature and wrapped key (RSA is slow).
        var bits = Enumerable.Range(0, 64).Concat(Enumerable.Range(8, field.Length - 8).Select(b => (b * 8) + (b % 8)));
        var outcomes = await FlipAsync(store, original, bits, bit => original with { ProtectedDocumentKey = Flip(field, bit) });

        Assert.Equal(0, outcomes.Accepted);
        Assert.Equal(0, outcomes.SameValue);
    }

    [Fact]
    public async Task V1_flip_in_the_IV_is_not_detected_and_changes_the_first_block_a_documented_v1_limit()
    {
        var store = Store();
        await store.SetAsync(Db, Value, new SetSecretOptions { Format = ProtectedSecretFormat.V1 });
        var original = (await _repository.GetAsync(Db))!;
        var iv = original.InitialisationVector!;

        var outcomes = await FlipAsync(store, original, Enumerable.Range(0, iv.Length * 8), bit => original with { InitialisationVector = Flip(iv, bit) });

        // AES-CBC without a MAC: an IV flip flips the same bit of the first plaintext block. Accepted unless the
        // result is not UTF-8; never the original value.
        Assert.True(outcomes.Accepted > 0, "v1 is malleable through its IV; if this now fails, v1 gained integrity: update docs/security.md");
        Assert.Equal(0, outcomes.SameValue);
    }

    [Fact]
    public async Task V1_flip_in_the_ciphertext_is_detected_only_by_chance_a_documented_v1_limit()
    {
        var store = Store();
        await store.SetAsync(Db, Value, new SetSecretOptions { Format = ProtectedSecretFormat.V1 });
        var original = (await _repository.GetAsync(Db))!;
        var body = original.ProtectedSecretValue!;

        var outcomes = await FlipAsync(store, original, Enumerable.Range(0, body.Length * 8), bit => original with { ProtectedSecretValue = Flip(body, bit) });

        // Flips in the last block mostly break the padding (detected); earlier ones garble two blocks (accepted
        // unless not UTF-8). Either way the original value never comes back and nothing escapes uncoded.
        Assert.True(outcomes.Rejected > 0);
        Assert.Equal(0, outcomes.SameValue);
    }

    [Fact]
    public async Task V2_any_single_byte_change_to_any_value_is_rejected_property()
    {
        var store = Store();
        await store.SetAsync(Db, Value);
        var original = (await _repository.GetAsync(Db))!;
        var envelope = original.Envelope!;

        await Gen.Select(Gen.Int[0, envelope.Length - 1], Gen.Byte[1, 255]).SampleAsync(
            async change =>
            {
                var changed = (byte[])envelope.Clone();
                changed[change.Item1] ^= change.Item2;
                var error = await Assert.ThrowsAnyAsync<SecretStoreException>(() => OpenAsync(store, original with { Envelope = changed }));
                _canaries.Scan(error, $"byte {change.Item1}").ShouldBeEmpty();
            },
            iter: 300,
            threads: 1);
    }

    [Fact]
    public async Task V2_record_moved_to_any_other_application_or_name_is_rejected_property()
    {
        var store = Store();
        await store.SetAsync(Db, Value);
        var original = (await _repository.GetAsync(Db))!;
        var names = Gen.String[Gen.Char.AlphaNumeric, 1, 12];

        await Gen.Select(names, names).SampleAsync(
            async pair =>
            {
                var target = new SecretId(pair.Item1, pair.Item2);
                if (target == Db)
                {
                    return;
                }

                var moved = original with { Id = target };
                await _repository.SaveAsync(moved, (await _repository.GetAsync(target))?.Revision ?? 0);
                var error = await Assert.ThrowsAnyAsync<SecretStoreException>(() => store.GetAsync(target));
                Assert.Equal("SSB3003", error.Code.Id); // docs/diagnostics.md: the context does not match, it was moved
                _canaries.Scan(error, target.ToString()).ShouldBeEmpty();
            },
            iter: 60,
            threads: 1);
    }

    [Fact]
    public async Task V1_record_moved_to_another_name_opens_with_the_original_value_a_documented_v1_limit()
    {
        var store = Store();
        await store.SetAsync(Db, Value, new SetSecretOptions { Format = ProtectedSecretFormat.V1 });
        var original = (await _repository.GetAsync(Db))!;
        var other = new SecretId("acme-api", "Other");

        await _repository.SaveAsync(original with { Id = other }, 0);

        // v1 binds nothing but the key id: whoever can write the table can swap v1 rows while the opt-in is on.
        // The default (no AllowV1) closes it.
        Assert.Equal(Value, (await store.GetAsync(other)).Value);
        var error = await Assert.ThrowsAsync<SecretStoreException>(() => Store(allowV1: false).GetAsync(other));
        Assert.Equal(DiagnosticCodes.FormatPolicyViolation, error.Code);
    }

    [Theory]
    [InlineData(ProtectedSecretFormat.V1)]
    [InlineData(ProtectedSecretFormat.V2)]
    public async Task Record_copied_into_another_store_under_the_same_id_and_key_opens_a_documented_limit(ProtectedSecretFormat format)
    {
        // A store without an id (here in memory; a store file or table written before store ids) binds nothing: a row
        // copied between such stores that share a key and id is accepted. The defence is the table's write permission,
        // separate keys per environment, and a store id ('store-id --create', then rewrap).
        var store = Store();
        await store.SetAsync(Db, Value, new SetSecretOptions { Format = format });
        var otherTable = new InMemorySecretRepository();
        await otherTable.SaveAsync((await _repository.GetAsync(Db))!, 0);

        var copy = new EnvelopeSecretStore(otherTable, new RsaKeyManager(_keyring), new EnvelopeSecretStoreOptions { DefaultKeyId = KeyringFixture.KeyId, AllowV1 = true });

        Assert.Equal(Value, (await copy.GetAsync(Db)).Value);
    }

    [Fact]
    public async Task Record_copied_into_another_store_that_has_an_id_is_refused_with_SSB3014()
    {
        // Two file stores made by this version (each with its own store id) that share the keyring: the staging record,
        // copied over production's, is refused before any unwrap; the message names both ids and never the value.
        using var temp = new SecretStore.Testing.TempDirectory();
        var staging = new SecretStore.Repositories.File.FileSecretRepository(temp.Combine("staging.json"));
        var production = new SecretStore.Repositories.File.FileSecretRepository(temp.Combine("production.json"));
        var options = new EnvelopeSecretStoreOptions { DefaultKeyId = KeyringFixture.KeyId };
        await new EnvelopeSecretStore(staging, new RsaKeyManager(_keyring), options).SetAsync(Db, Value);
        var productionStore = new EnvelopeSecretStore(production, new RsaKeyManager(_keyring), options);
        await productionStore.SetAsync(Db, "production value");
        await production.SaveAsync((await staging.GetAsync(Db))!, 1);

        var error = await Assert.ThrowsAsync<InvalidProtectedDataException>(() => productionStore.GetAsync(Db));

        Assert.Equal(DiagnosticCodes.RecordFromAnotherStore, error.Code);
        _canaries.Scan(error, "cross-store copy").ShouldBeEmpty();
    }

    [Fact]
    public async Task Older_v2_record_replayed_over_a_newer_one_opens_with_the_old_value_a_documented_limit()
    {
        var store = Store();
        await store.SetAsync(Db, Value);
        var old = (await _repository.GetAsync(Db))!;
        await store.SetAsync(Db, Value + "-rotated", new SetSecretOptions { ExpectedRevision = 1 });

        await _repository.SaveAsync(old, 2);

        // No format detects rollback to an earlier record of the same id: revisions are not authenticated.
        Assert.Equal(Value, (await store.GetAsync(Db)).Value);
    }

    [Fact]
    public async Task V1_record_planted_in_a_store_is_refused_by_default_for_get_get_many_and_set()
    {
        await Store().SetAsync(Db, Value, new SetSecretOptions { Format = ProtectedSecretFormat.V1 });
        var strict = Store(allowV1: false);

        var single = await Assert.ThrowsAsync<SecretStoreException>(() => strict.GetAsync(Db));
        var many = await Assert.ThrowsAsync<SecretStoreException>(() => strict.GetManyAsync([Db]));
        var write = await Assert.ThrowsAsync<SecretStoreException>(() => strict.SetAsync(Db, Value, new SetSecretOptions { Format = ProtectedSecretFormat.V1 }));

        Assert.All([single, many, write], e => Assert.Equal(DiagnosticCodes.FormatPolicyViolation, e.Code));
        Assert.All([single, many, write], e => _canaries.Scan(e, "downgrade").ShouldBeEmpty());
    }

    // The catalogue documents what each format detects, so v1 is opted in unless a test pins the default.
    private EnvelopeSecretStore Store(bool allowV1 = true) =>
        new(_repository, new RsaKeyManager(_keyring), new EnvelopeSecretStoreOptions { DefaultKeyId = KeyringFixture.KeyId, AllowV1 = allowV1 });

    private async Task<Secret> OpenAsync(EnvelopeSecretStore store, ProtectedSecretRecord record)
    {
        await _repository.SaveAsync(record, (await _repository.GetAsync(record.Id))!.Revision);
        return await store.GetAsync(record.Id);
    }

    private async Task<(int Accepted, int Rejected, int SameValue)> FlipAsync(
        EnvelopeSecretStore store, ProtectedSecretRecord original, IEnumerable<int> bits, Func<int, ProtectedSecretRecord> tamper)
    {
        int accepted = 0, rejected = 0, same = 0;
        foreach (var bit in bits)
        {
            try
            {
                var opened = await OpenAsync(store, tamper(bit));
                accepted++;
                same += opened.Value == Value ? 1 : 0;
            }
            catch (SecretStoreException e)
            {
                rejected++;
                _canaries.Scan(e, $"bit {bit}").ShouldBeEmpty();
            }
        }

        return (accepted, rejected, same);
    }

    private static byte[] Flip(byte[] bytes, int bit)
    {
        var copy = (byte[])bytes.Clone();
        copy[bit / 8] ^= (byte)(1 << (bit % 8));
        return copy;
    }
}

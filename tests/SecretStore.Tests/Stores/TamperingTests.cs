using SecretStore.Diagnostics;
using SecretStore.Formats;
using SecretStore.Keys;
using SecretStore.Keys.Rsa;
using SecretStore.Repositories;
using SecretStore.Testing.Repositories;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Tests.Support;

namespace SecretStore.Tests.Stores;

public sealed class TamperingTests
{
    private static readonly SecretId Db = new("acme-web", "Db");
    private static readonly string[] CryptoCodes = ["SSB3001", "SSB3002", "SSB3003", "SSB3004", "SSB3009"];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Every_single_bit_flip_of_a_v2_record_is_rejected(bool withoutEnvelopeSignature)
    {
        // Without the signer the store is in the KMS role: the AEAD, the context and the key binding must
        // catch every flip on their own.
        using var scope = new StoreScope();
        var keyManager = new CountingKeyManager(scope.KeyManager, hideSigner: withoutEnvelopeSignature);
        var repository = new InMemorySecretRepository();
        var store = new EnvelopeSecretStore(repository, keyManager, new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId });
        await store.SetAsync(Db, "s3cr3t");
        var original = (await repository.GetAsync(Db))!;
        var envelope = original.Envelope!;
        Assert.Equal("s3cr3t", (await store.GetAsync(Db)).Value);

        var accepted = new List<int>();
        for (var bit = 0; bit < envelope.Length * 8; bit++)
        {
            var flipped = (byte[])envelope.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            var revision = (await repository.GetAsync(Db))!.Revision;
            await repository.SaveAsync(original with { Envelope = flipped }, revision);
            try
            {
                await store.GetAsync(Db);
                accepted.Add(bit);
            }
            catch (SecretStoreException ex)
            {
                Assert.Contains(ex.Code.Id, CryptoCodes);
            }
        }

        Assert.Empty(accepted);
    }

    [Theory]
    [InlineData("acme-web", "Other")]
    [InlineData("acme-api", "Db")]
    public async Task V2_record_moved_to_another_name_or_application_is_refused(string application, string name)
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(Db, "s3cr3t");
        var record = (await scope.Repository.GetAsync(Db))!;
        var target = new SecretId(application, name);
        await scope.Repository.SaveAsync(record with { Id = target }, 0);

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => scope.Store.GetAsync(target));

        Assert.Equal("SSB3003", ex.Code.Id);
        Assert.Contains(target.ToString(), ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task V2_record_with_master_key_id_changed_in_the_row_is_refused()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(Db, "s3cr3t");
        var record = (await scope.Repository.GetAsync(Db))!;
        await scope.Repository.SaveAsync(record with { MasterKeyId = TestKeyrings.SecondKeyId }, record.Revision);

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => scope.Store.GetAsync(Db));

        Assert.Equal("SSB3002", ex.Code.Id);
    }

    [Theory]
    [InlineData(ProtectedSecretFormat.V1)]
    [InlineData(ProtectedSecretFormat.V2)]
    public async Task Keyring_with_another_private_key_under_the_same_id_cannot_open(ProtectedSecretFormat format)
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(Db, "s3cr3t", new SetSecretOptions { Format = format });

        // Same keyring and signing key, but the encryption key files of the primary id replaced by a new key.
        var otherPath = scope.Combine("other-keyring");
        TestKeyrings.CopyDirectory(scope.KeyringPath, otherPath);
        string? privateFile = null;
        string? publicFile = null;
        TestKeyrings.EditIndex(otherPath, index =>
        {
            privateFile = (string)index["keys"]![TestKeyrings.PrimaryKeyId]!["privateKey"]!;
            publicFile = (string)index["keys"]![TestKeyrings.PrimaryKeyId]!["publicKey"]!;
        });
        using (var replacement = System.Security.Cryptography.RSA.Create(2048))
        {
            // Anchored to the genuine signing key: only the encryption key differs.
            File.WriteAllText(Path.Combine(otherPath, privateFile!), RsaReaderKey.Encode(Convert.FromHexString(scope.Keyring.SigningKeyFingerprint["sha256:".Length..]), [new(TestKeyrings.PrimaryKeyId, replacement)]));
            File.WriteAllText(Path.Combine(otherPath, publicFile!), replacement.ExportSubjectPublicKeyInfoPem());
        }

        using var other = RsaKeyring.Load(otherPath);
        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => scope.OpenStore(other).GetAsync(Db));

        Assert.Equal("SSB3002", ex.Code.Id);
    }

    [Theory]
    [InlineData(ProtectedSecretFormat.V1)]
    [InlineData(ProtectedSecretFormat.V2)]
    public async Task Record_written_with_the_public_key_and_a_foreign_signing_key_is_refused(ProtectedSecretFormat format)
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(Db, "genuine");

        // The attacker holds the shared public encryption key only, and signs with a key of their own.
        using var attackerDir = new TempDirectory();
        using var attacker = RsaKeyring.Create(attackerDir.Combine("k"), "alias/attacker", 2048);
        attacker.ImportKey(TestKeyrings.PrimaryKeyId, scope.Keyring.ExportPublicKeyPem(TestKeyrings.PrimaryKeyId));
        var planted = scope.OpenStore(attacker);
        await planted.SetAsync(Db, "planted", new SetSecretOptions { ExpectedRevision = 1, Format = format });

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => scope.Store.GetAsync(Db));

        // v2 names its signer, which is not the reader's anchor (SSB3009, before any signature check); v1 names
        // none, so its signature fails against the anchored key (SSB3004).
        Assert.Equal(format == ProtectedSecretFormat.V2 ? "SSB3009" : "SSB3004", ex.Code.Id);
    }

    [Fact]
    public async Task Signed_v2_record_read_by_a_key_manager_without_a_signer_is_SSB3004_before_any_unwrap()
    {
        // A reader that cannot check a signature must not take a signed record on trust: it would silently drop
        // the guarantee the writer asked for.
        using var scope = new StoreScope(new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId });
        await scope.Store.SetAsync(Db, "s3cr3t");
        Assert.True(V3Envelope.Parse((await scope.Repository.GetAsync(Db))!.Envelope!, "Db").IsSigned);
        var keyManager = new CountingKeyManager(scope.KeyManager, hideSigner: true);
        var reader = new EnvelopeSecretStore(scope.Repository, keyManager, new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId });

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => reader.GetAsync(Db));

        Assert.Equal("SSB3004", ex.Code.Id);
        Assert.Contains("signed, but this key manager cannot verify signatures", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, keyManager.Unwraps);
    }

    [Fact]
    public async Task Unsigned_v2_record_made_with_the_public_key_alone_is_refused()
    {
        using var scope = new StoreScope();
        using var publicOnlyDir = new TempDirectory();
        using var publicOnly = RsaKeyring.Create(publicOnlyDir.Combine("k"), "alias/x", 2048);
        publicOnly.ImportKey(TestKeyrings.PrimaryKeyId, scope.Keyring.ExportPublicKeyPem(TestKeyrings.PrimaryKeyId));

        // No signer at all: what a forger with the public encryption key can build.
        var forger = new EnvelopeSecretStore(scope.Repository, new CountingKeyManager(new RsaKeyManager(publicOnly), hideSigner: true), new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId });
        await forger.SetAsync(Db, "planted");

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => scope.Store.GetAsync(Db));

        Assert.Equal("SSB3004", ex.Code.Id);
    }

    [Fact]
    public async Task Writing_without_the_signing_private_key_is_SSB3008()
    {
        using var scope = new StoreScope();
        File.Delete(Path.Combine(scope.KeyringPath, "signing.private.pem"));
        using var readOnly = RsaKeyring.Load(scope.KeyringPath);

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => scope.OpenStore(readOnly).SetAsync(Db, "x"));

        Assert.Equal("SSB3008", ex.Code.Id);
        Assert.False(readOnly.CanSign);
    }

    [Fact]
    public async Task Reading_without_the_private_encryption_key_is_SSB3008()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(Db, "x");
        TestKeyrings.EditIndex(scope.KeyringPath, index => File.Delete(Path.Combine(scope.KeyringPath, (string)index["keys"]![TestKeyrings.PrimaryKeyId]!["privateKey"]!)));
        using var writeOnly = RsaKeyring.Load(scope.KeyringPath);

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => scope.OpenStore(writeOnly).GetAsync(Db));

        Assert.Equal("SSB3008", ex.Code.Id);
    }

    [Fact]
    public async Task Truncated_v2_envelopes_of_every_length_are_rejected_with_a_code()
    {
        using var scope = new StoreScope();
        var repository = new InMemorySecretRepository();
        var store = new EnvelopeSecretStore(repository, scope.KeyManager, new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId });
        await store.SetAsync(Db, "s3cr3t");
        var original = (await repository.GetAsync(Db))!;

        for (var length = 0; length < original.Envelope!.Length; length++)
        {
            var revision = (await repository.GetAsync(Db))!.Revision;
            await repository.SaveAsync(original with { Envelope = original.Envelope[..length] }, revision);
            var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => store.GetAsync(Db));

            // A cut envelope never parses: the catalogue's code for malformed protected data, at every length.
            Assert.True(ex.Code.Id == "SSB3002", $"length {length}: {ex.Code.Id}");
        }
    }

    [Fact]
    public async Task Malformed_v1_fields_are_rejected_with_a_code()
    {
        using var scope = new StoreScope();
        var repository = new InMemorySecretRepository();
        var store = new EnvelopeSecretStore(repository, scope.KeyManager, new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId, AllowV1 = true });
        await store.SetAsync(Db, "s3cr3t", new SetSecretOptions { Format = ProtectedSecretFormat.V1 });
        var original = (await repository.GetAsync(Db))!;
        var variants = new List<ProtectedSecretRecord>
        {
            original with { InitialisationVector = original.InitialisationVector![..15] },
            original with { ProtectedSecretValue = [] },
            original with { ProtectedSecretValue = original.ProtectedSecretValue![..^1] },
            original with { ProtectedDocumentKey = original.ProtectedDocumentKey![..^1] },
            original with { ProtectedDocumentKey = [] },
            original with { MasterKeyId = TestKeyrings.SecondKeyId },
        };
        for (var i = 0; i < original.ProtectedDocumentKey!.Length * 8; i += 7)
        {
            var flipped = (byte[])original.ProtectedDocumentKey.Clone();
            flipped[i / 8] ^= (byte)(1 << (i % 8));
            variants.Add(original with { ProtectedDocumentKey = flipped });
        }

        foreach (var variant in variants)
        {
            var revision = (await repository.GetAsync(Db))!.Revision;
            await repository.SaveAsync(variant, revision);
            var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => store.GetAsync(Db));
            Assert.Contains(ex.Code.Id, CryptoCodes);
        }
    }

    [Fact]
    public async Task Record_the_repository_returns_for_another_id_is_SSB3003_naming_both()
    {
        using var scope = new StoreScope();
        var inner = new InMemorySecretRepository();
        var writer = new EnvelopeSecretStore(inner, scope.KeyManager, new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId, AllowV1 = true });
        await writer.SetAsync(Db, "s3cr3t", new SetSecretOptions { Format = ProtectedSecretFormat.V1 });

        // v1 has no context of its own: only the row's id tells that it is another secret's.
        var misrouting = new ReadRewritingRepository(inner, r => r with { Id = new SecretId("acme-web", "Other") });
        var reader = new EnvelopeSecretStore(misrouting, scope.KeyManager, new EnvelopeSecretStoreOptions { AllowV1 = true });
        var single = await Assert.ThrowsAsync<WrongContextException>(() => reader.GetAsync(Db));

        Assert.Equal("SSB3003: The protected record read for 'acme-web/Db' is bound to a different context (the repository returned the record of 'acme-web/Other').", single.Message);
    }

    [Fact]
    public async Task Record_of_an_unknown_format_is_SSB3002()
    {
        using var scope = new StoreScope();
        var repository = new InMemorySecretRepository();
        await repository.SaveAsync(new ProtectedSecretRecord { Id = Db, Format = (ProtectedSecretFormat)9, MasterKeyId = TestKeyrings.PrimaryKeyId, Envelope = [1, 2, 3] }, 0);
        var store = new EnvelopeSecretStore(repository, scope.KeyManager, new EnvelopeSecretStoreOptions { AllowV1 = true });

        var ex = await Assert.ThrowsAsync<InvalidProtectedDataException>(() => store.GetAsync(Db));

        Assert.Equal("SSB3002: The record of 'acme-web/Db' has an unknown format.", ex.Message);
    }

    [Fact]
    public async Task V1_record_missing_a_field_and_v2_record_without_an_envelope_are_SSB3002_saying_so()
    {
        using var scope = new StoreScope();
        var repository = new InMemorySecretRepository();
        var store = new EnvelopeSecretStore(repository, scope.KeyManager, new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId, AllowV1 = true });
        await store.SetAsync(Db, "s3cr3t", new SetSecretOptions { Format = ProtectedSecretFormat.V1 });
        var original = (await repository.GetAsync(Db))!;
        ProtectedSecretRecord[] lacking =
        [
            original with { ProtectedDocumentKey = null },
            original with { InitialisationVector = null },
            original with { ProtectedSecretValue = null },
            original with { MasterKeyId = "" },
        ];

        foreach (var variant in lacking)
        {
            await repository.SaveAsync(variant, (await repository.GetAsync(Db))!.Revision);
            var ex = await Assert.ThrowsAsync<InvalidProtectedDataException>(() => store.GetAsync(Db));
            Assert.Equal("SSB3002: The v1 record of 'acme-web/Db' lacks a field.", ex.Message);
        }

        await repository.SaveAsync(new ProtectedSecretRecord { Id = Db, Format = ProtectedSecretFormat.V2, MasterKeyId = TestKeyrings.PrimaryKeyId }, (await repository.GetAsync(Db))!.Revision);
        var noEnvelope = await Assert.ThrowsAsync<InvalidProtectedDataException>(() => store.GetAsync(Db));
        Assert.Equal("SSB3002: The v2 record of 'acme-web/Db' has no envelope.", noEnvelope.Message);
    }

    [Fact]
    public async Task Record_signed_by_a_foreign_signer_is_SSB3009_naming_the_record()
    {
        using var scope = new StoreScope();
        using var attackerDir = new TempDirectory();
        using var attacker = RsaKeyring.Create(attackerDir.Combine("k"), "alias/attacker", 2048);
        attacker.ImportKey(TestKeyrings.PrimaryKeyId, scope.Keyring.ExportPublicKeyPem(TestKeyrings.PrimaryKeyId));
        await scope.OpenStore(attacker).SetAsync(Db, "planted");

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => scope.Store.GetAsync(Db));

        Assert.Equal(DiagnosticCodes.UntrustedSigner, ex.Code);
        Assert.StartsWith($"SSB3009: The record 'acme-web/Db' was signed by the keyring {attacker.SigningKeyFingerprint}, but the keyring given, ", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"', is {scope.Keyring.SigningKeyFingerprint} (its trust anchor", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unsigned_v2_record_read_with_a_signer_is_SSB3004_saying_it_is_not_signed()
    {
        using var scope = new StoreScope();
        var unsigned = new EnvelopeSecretStore(scope.Repository, new CountingKeyManager(scope.KeyManager, hideSigner: true), new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId });
        await unsigned.SetAsync(Db, "planted");

        var ex = await Assert.ThrowsAsync<InvalidProtectedDataException>(() => scope.Store.GetAsync(Db));

        Assert.Equal("SSB3004: The envelope of 'acme-web/Db' is not signed, but its key manager requires signed envelopes.", ex.Message);
    }

    [Fact]
    public async Task V2_record_moved_to_another_name_says_which_secret_it_was_written_for()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(Db, "s3cr3t");
        var record = (await scope.Repository.GetAsync(Db))!;
        var target = new SecretId("acme-web", "Other");
        await scope.Repository.SaveAsync(record with { Id = target }, 0);

        var ex = await Assert.ThrowsAsync<WrongContextException>(() => scope.Store.GetAsync(target));

        Assert.Equal("SSB3003: The protected record read for 'acme-web/Other' is bound to a different context (it was written for 'acme-web/Db').", ex.Message);
    }

    [Fact]
    public async Task Signed_envelope_bound_to_a_context_without_a_secret_name_is_SSB3003_for_another_context()
    {
        using var scope = new StoreScope();
        var context = new EncryptionContext([new(EncryptionContext.FormatKey, "2"), new(EncryptionContext.MasterKeyIdKey, TestKeyrings.PrimaryKeyId)]);
        await SaveSignedEnvelopeAsync(scope, context, [0x41]);

        var ex = await Assert.ThrowsAsync<WrongContextException>(() => scope.Store.GetAsync(Db));

        Assert.Equal("SSB3003: The protected record read for 'acme-web/Db' is bound to a different context (it was written for 'another context').", ex.Message);
    }

    [Fact]
    public async Task Signed_envelope_holding_bytes_that_are_not_UTF8_is_SSB3002()
    {
        using var scope = new StoreScope();
        await SaveSignedEnvelopeAsync(scope, EncryptionContext.ForSecret(Db, TestKeyrings.PrimaryKeyId, ProtectedSecretFormat.V2), [0x41, 0xC3, 0x28]);

        var ex = await Assert.ThrowsAsync<InvalidProtectedDataException>(() => scope.Store.GetAsync(Db));

        Assert.Equal("SSB3002: The value of 'acme-web/Db' is not valid UTF-8 after decryption.", ex.Message);
    }

    [Fact]
    public async Task Record_naming_another_key_than_its_envelope_says_both_keys()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(Db, "s3cr3t");
        var record = (await scope.Repository.GetAsync(Db))!;
        await scope.Repository.SaveAsync(record with { MasterKeyId = TestKeyrings.SecondKeyId }, record.Revision);

        var ex = await Assert.ThrowsAsync<InvalidProtectedDataException>(() => scope.Store.GetAsync(Db));

        Assert.Equal("SSB3002: The record of 'acme-web/Db' names key 'alias/acme-beta', but its envelope's first recipient is 'alias/acme-alpha'.", ex.Message);
    }

    [Fact]
    public async Task Unsigned_v2_envelope_with_a_flipped_tag_fails_authentication_with_SSB3002()
    {
        using var scope = new StoreScope();
        var repository = new InMemorySecretRepository();
        var store = new EnvelopeSecretStore(repository, new CountingKeyManager(scope.KeyManager, hideSigner: true), new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId });
        await store.SetAsync(Db, "s3cr3t");
        var record = (await repository.GetAsync(Db))!;
        var flipped = (byte[])record.Envelope!.Clone();
        flipped[^1] ^= 0x01;
        await repository.SaveAsync(record with { Envelope = flipped }, record.Revision);

        var ex = await Assert.ThrowsAsync<InvalidProtectedDataException>(() => store.GetAsync(Db));

        Assert.Equal("SSB3002: The envelope of 'acme-web/Db' fails authentication (tampered, or the wrong key).", ex.Message);
    }

    /// <summary>What a writer holding the signing key can store: an envelope signed by the keyring over any plaintext and context.</summary>
    private static async Task SaveSignedEnvelopeAsync(StoreScope scope, EncryptionContext context, byte[] plaintext)
    {
        using var dataKey = await scope.KeyManager.GenerateDataKeyAsync(TestKeyrings.PrimaryKeyId, V2Envelope.DataKeySizeInBytes, context, ProtectedSecretFormat.V2);
        var nonce = System.Security.Cryptography.RandomNumberGenerator.GetBytes(V2Envelope.NonceSizeInBytes);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[V2Envelope.TagSizeInBytes];
        using (var aes = new System.Security.Cryptography.AesGcm(dataKey.Plaintext, V2Envelope.TagSizeInBytes))
        {
            aes.Encrypt(nonce, plaintext, ciphertext, tag, ContextEncoding.Encode(context));
        }

        var envelope = V2Envelope.Encode(context, TestKeyrings.PrimaryKeyId, dataKey.WrappedKey, nonce, ciphertext, tag, scope.KeyManager.EnvelopeSigner);
        await scope.Repository.SaveAsync(new ProtectedSecretRecord { Id = Db, Format = ProtectedSecretFormat.V2, MasterKeyId = TestKeyrings.PrimaryKeyId, Envelope = envelope }, 0);
    }
}

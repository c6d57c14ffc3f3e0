using SecretStore.Diagnostics;
using SecretStore.Keys;
using SecretStore.Keys.Rsa;
using SecretStore.Repositories;
using SecretStore.Testing.Repositories;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Tests.Support;

namespace SecretStore.Tests.Stores;

public sealed class EnvelopeSecretStoreTests
{
    private static readonly SecretId Db = new("acme-web", "ConnectionStrings.Default");

    public static TheoryData<string> UnicodeValues => new()
    {
        "plain ascii",
        "emoji 🔐🦄 and flags 🇳🇱",
        "CJK 秘密の値 비밀 机密",
        "combining e\u0301 a\u0308 and zalgo Z\u0351\u0300",
        "quotes \" ' \\ and <xml/> & ]]>",
        "\0 nul and \r\n line breaks",
    };

    [Theory]
    [InlineData(ProtectedSecretFormat.V1)]
    [InlineData(ProtectedSecretFormat.V2)]
    public async Task Set_then_get_round_trips_in_both_formats(ProtectedSecretFormat format)
    {
        using var scope = new StoreScope();
        var written = await scope.Store.SetAsync(Db, "Server=db;Password=hunter2", new SetSecretOptions { Format = format });

        var secret = await scope.Store.GetAsync(Db);

        Assert.Equal("Server=db;Password=hunter2", secret.Value);
        Assert.Equal(format, secret.Metadata.Format);
        Assert.Equal(1, written.Revision);
        Assert.Equal(TestKeyrings.PrimaryKeyId, secret.Metadata.MasterKeyId);
    }

    [Theory]
    [MemberData(nameof(UnicodeValues))]
    public async Task Unicode_values_and_names_round_trip(string value)
    {
        using var scope = new StoreScope();
        var id = new SecretId("app-ü-日本", "name 🔑 e\u0301");
        await scope.Store.SetAsync(id, value);
        await scope.Store.SetAsync(id, value, new SetSecretOptions { Format = ProtectedSecretFormat.V1, ExpectedRevision = 1 });

        Assert.Equal(value, (await scope.Store.GetAsync(id)).Value);
    }

    [Theory]
    [InlineData(ProtectedSecretFormat.V1, 0)]
    [InlineData(ProtectedSecretFormat.V2, 0)]
    [InlineData(ProtectedSecretFormat.V1, 64 * 1024)]
    [InlineData(ProtectedSecretFormat.V2, 64 * 1024)]
    public async Task Empty_and_64_KiB_values_round_trip(ProtectedSecretFormat format, int length)
    {
        using var scope = new StoreScope();
        var value = new string('x', length);
        await scope.Store.SetAsync(Db, value, new SetSecretOptions { Format = format, AllowEmpty = true });

        var secret = await scope.Store.GetAsync(Db);

        Assert.Equal(value, secret.Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \t\r\n\u00A0\u3000")]
    public async Task Empty_or_whitespace_only_value_is_SSB2017_without_AllowEmpty_and_the_stored_value_stays(string value)
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(Db, "good-value");

        var refused = await Assert.ThrowsAnyAsync<SecretStoreException>(() => scope.Store.SetAsync(Db, value));

        Assert.Equal(DiagnosticCodes.EmptyValue, refused.Code);
        Assert.Contains($"'{Db}'", refused.Message, StringComparison.Ordinal);
        Assert.Equal("good-value", (await scope.Store.GetAsync(Db)).Value);
        Assert.Equal(1, (await scope.Store.Repository.GetAsync(Db))!.Revision);
    }

    [Fact]
    public async Task Non_ascii_key_id_protects_and_opens()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(Db, "v", new SetSecretOptions { KeyId = TestKeyrings.NonAsciiKeyId });
        await scope.Store.SetAsync(new SecretId("a", "b"), "w", new SetSecretOptions { KeyId = TestKeyrings.NonAsciiKeyId, Format = ProtectedSecretFormat.V1 });

        Assert.Equal(TestKeyrings.NonAsciiKeyId, (await scope.Store.GetAsync(Db)).Metadata.MasterKeyId);
        Assert.Equal("w", (await scope.Store.GetAsync(new SecretId("a", "b"))).Value);
    }

    [Fact]
    public async Task Missing_secret_is_SSB2001()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(new SecretId("other", "Secret"), "x");
        var ex = await Assert.ThrowsAsync<SecretNotFoundException>(() => scope.Store.GetAsync(Db));
        Assert.Equal("SSB2001", ex.Code.Id);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Lone_surrogate_in_value_or_name_is_refused_for_writes(bool inValue)
    {
        // Built here: xunit would replace a lone surrogate in InlineData while serializing the case.
        var value = inValue ? "bad \uD800 value" : "value";
        var name = inValue ? "name" : "bad \uDC00 name";
        using var scope = new StoreScope();
        var ex = await Assert.ThrowsAsync<SecretStoreException>(() => scope.Store.SetAsync(new SecretId("app", name), value));
        Assert.Equal("SSB2010", ex.Code.Id);
        Assert.False(File.Exists(scope.StorePath));
    }

    [Fact]
    public async Task Expected_revision_zero_conflicts_with_an_existing_secret()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(Db, "one");

        var ex = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => scope.Store.SetAsync(Db, "two", new SetSecretOptions { ExpectedRevision = 0 }));

        Assert.Equal("SSB2002", ex.Code.Id);
        Assert.Equal("one", (await scope.Store.GetAsync(Db)).Value);
    }

    [Fact]
    public async Task Stale_revision_conflicts_and_current_revision_updates()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(Db, "one");
        var second = await scope.Store.SetAsync(Db, "two", new SetSecretOptions { ExpectedRevision = 1 });

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => scope.Store.SetAsync(Db, "three", new SetSecretOptions { ExpectedRevision = 1 }));

        Assert.Equal(2, second.Revision);
        Assert.Equal("two", (await scope.Store.GetAsync(Db)).Value);
    }

    [Fact]
    public async Task Concurrent_writers_on_threads_never_lose_an_update()
    {
        using var scope = new StoreScope();
        const int writers = 8;
        var successes = 0;
        var conflicts = 0;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(i => Task.Run(async () =>
        {
            for (var attempt = 0; attempt < 3; attempt++)
            {
                try
                {
                    await scope.Store.SetAsync(new SecretId("app", "counter"), $"writer {i} attempt {attempt}");
                    Interlocked.Increment(ref successes);
                }
                catch (ConcurrencyConflictException)
                {
                    Interlocked.Increment(ref conflicts);
                }
            }
        })));

        // Every successful write got its own revision: the final revision counts them all.
        var final = await scope.Repository.GetAsync(new SecretId("app", "counter"));
        Assert.Equal(successes, final!.Revision);
        Assert.Equal(writers * 3, successes + conflicts);
    }

    [Fact]
    public async Task Delete_removes_and_reports_missing()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(Db, "x");

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => scope.Store.DeleteAsync(Db, expectedRevision: 7));
        Assert.True(await scope.Store.DeleteAsync(Db, expectedRevision: 1));
        Assert.False(await scope.Store.DeleteAsync(Db));
        await Assert.ThrowsAsync<SecretNotFoundException>(() => scope.Store.GetAsync(Db));
    }

    [Fact]
    public async Task List_shows_names_of_one_application_sorted_without_values()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(new SecretId("app", "b"), "1");
        await scope.Store.SetAsync(new SecretId("app", "B"), "2", new SetSecretOptions { Format = ProtectedSecretFormat.V1 });
        await scope.Store.SetAsync(new SecretId("app", "a"), "3");
        await scope.Store.SetAsync(new SecretId("other", "a"), "4");

        var list = await scope.Store.ListAsync("app");

        Assert.Equal(["B", "a", "b"], list.Select(m => m.Id.Name));
        Assert.Equal(ProtectedSecretFormat.V1, list[0].Format);
    }

    [Fact]
    public async Task Get_many_returns_present_secrets_and_skips_missing()
    {
        using var scope = new StoreScope();
        for (var i = 0; i < 20; i++)
        {
            await scope.Store.SetAsync(new SecretId("app", $"s{i}"), $"value {i}", new SetSecretOptions { Format = i % 3 == 0 ? ProtectedSecretFormat.V1 : ProtectedSecretFormat.V2 });
        }

        var ids = Enumerable.Range(0, 22).Select(i => new SecretId("app", $"s{i}")).Append(new SecretId("app", "s1")).ToList();
        var result = await scope.Store.GetManyAsync(ids);

        Assert.Equal(20, result.Count);
        Assert.All(Enumerable.Range(0, 20), i => Assert.Equal($"value {i}", result[new SecretId("app", $"s{i}")].Value));
    }

    [Fact]
    public async Task Get_many_with_one_forged_signature_among_many_fails_with_SSB3004_naming_that_secret()
    {
        // Signatures are checked in parallel: the caller must still get the one coded error, not an aggregate.
        using var scope = new StoreScope();
        for (var i = 0; i < 16; i++)
        {
            await scope.Store.SetAsync(new SecretId("app", $"s{i}"), $"value {i}");
        }

        var victim = new SecretId("app", "s11");
        var original = (await scope.Repository.GetAsync(victim))!;
        var forged = (byte[])original.Envelope!.Clone();
        forged[^1] ^= 0x01;
        await scope.Repository.SaveAsync(original with { Envelope = forged }, original.Revision);

        var ex = await Assert.ThrowsAsync<InvalidProtectedDataException>(() => scope.Store.GetManyAsync(Enumerable.Range(0, 16).Select(i => new SecretId("app", $"s{i}"))));

        Assert.Equal("SSB3004", ex.Code.Id);
        Assert.Contains("app/s11", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_many_unwraps_a_shared_wrapped_key_once()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(new SecretId("app", "one"), "1", new SetSecretOptions { Format = ProtectedSecretFormat.V1 });
        var original = await scope.Repository.GetAsync(new SecretId("app", "one"));

        // v1 has no context, so a record copied to another name (as reference tooling could) opens with the same key.
        await scope.Repository.SaveAsync(original! with { Id = new SecretId("app", "two") }, 0);
        var counting = new CountingKeyManager(scope.KeyManager);
        var store = new EnvelopeSecretStore(scope.Repository, counting, new EnvelopeSecretStoreOptions { AllowV1 = true });

        var result = await store.GetManyAsync([new SecretId("app", "one"), new SecretId("app", "two")]);

        Assert.Equal(2, result.Count);
        Assert.Equal(1, counting.Unwraps);
    }

    [Fact]
    public async Task V1_records_are_refused_on_read_and_write_by_default_with_SSB2009()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(Db, "old", new SetSecretOptions { Format = ProtectedSecretFormat.V1 });
        var strict = scope.OpenStore(scope.Keyring, new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId });

        var read = await Assert.ThrowsAsync<SecretStoreException>(() => strict.GetAsync(Db));
        var write = await Assert.ThrowsAsync<SecretStoreException>(() => strict.SetAsync(new SecretId("a", "b"), "x", new SetSecretOptions { Format = ProtectedSecretFormat.V1 }));

        Assert.Equal("SSB2009", read.Code.Id);
        Assert.Equal("SSB2009", write.Code.Id);
    }

    [Fact]
    public async Task V1_record_is_refused_before_its_data_key_is_unwrapped_or_its_value_decrypted()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(Db, "old", new SetSecretOptions { Format = ProtectedSecretFormat.V1 });
        var stored = (await scope.Repository.GetAsync(Db))!;
        await scope.Repository.SaveAsync(stored with { ProtectedSecretValue = new byte[16] }, stored.Revision);
        var counting = new CountingKeyManager(scope.KeyManager);
        var store = new EnvelopeSecretStore(scope.Repository, counting, new EnvelopeSecretStoreOptions());

        var single = await Assert.ThrowsAsync<SecretStoreException>(() => store.GetAsync(Db));
        var many = await Assert.ThrowsAsync<SecretStoreException>(() => store.GetManyAsync([Db]));

        Assert.Equal("SSB2009", single.Code.Id);
        Assert.Equal("SSB2009", many.Code.Id);
        Assert.Equal(0, counting.Unwraps);
    }

    [Theory]
    [InlineData(ProtectedSecretFormat.V1)]
    [InlineData(ProtectedSecretFormat.V2)]
    public async Task Unknown_key_id_is_SSB3001(ProtectedSecretFormat format)
    {
        using var scope = new StoreScope();
        var ex = await Assert.ThrowsAsync<MasterKeyNotFoundException>(() => scope.Store.SetAsync(Db, "x", new SetSecretOptions { KeyId = "alias/nope", Format = format }));
        Assert.Equal("SSB3001", ex.Code.Id);
    }

    [Fact]
    public async Task Value_over_the_configured_limit_is_SSB2003()
    {
        using var scope = new StoreScope();
        var store = scope.OpenStore(scope.Keyring, new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId, MaxValueSizeInBytes = 4 });

        var ex = await Assert.ThrowsAsync<PayloadTooLargeException>(() => store.SetAsync(Db, "12345"));

        Assert.Equal("SSB2003", ex.Code.Id);
        Assert.DoesNotContain("12345", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Secret_to_string_and_errors_never_show_the_value()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(Db, "canary-8f3e2a");
        var secret = await scope.Store.GetAsync(Db);

        Assert.DoesNotContain("canary", secret.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("canary", scope.Store.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("canary", File.ReadAllText(scope.StorePath), StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_names_a_missing_repository_key_manager_or_options()
    {
        using var scope = new StoreScope();
        var options = new EnvelopeSecretStoreOptions();

        Assert.Equal("repository", Assert.Throws<ArgumentNullException>(() => new EnvelopeSecretStore(null!, scope.KeyManager, options)).ParamName);
        Assert.Equal("keyManager", Assert.Throws<ArgumentNullException>(() => new EnvelopeSecretStore(scope.Repository, null!, options)).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => new EnvelopeSecretStore(scope.Repository, scope.KeyManager, null!)).ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Constructor_refuses_a_degree_of_parallelism_below_one(int degree)
    {
        using var scope = new StoreScope();

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new EnvelopeSecretStore(scope.Repository, scope.KeyManager, new EnvelopeSecretStoreOptions { MaxDegreeOfParallelism = degree }));

        Assert.Equal("options", ex.ParamName);
    }

    [Fact]
    public async Task Null_or_empty_arguments_are_refused_naming_the_parameter()
    {
        using var scope = new StoreScope();

        Assert.Equal("ids", (await Assert.ThrowsAsync<ArgumentNullException>(() => scope.Store.GetManyAsync(null!))).ParamName);

        // Over a repository that does not check the name itself (the file repository does): the store's own guard.
        var inMemory = new EnvelopeSecretStore(new InMemorySecretRepository(), scope.KeyManager, new EnvelopeSecretStoreOptions());
        Assert.Equal("applicationName", (await Assert.ThrowsAsync<ArgumentNullException>(() => inMemory.ListAsync(null!))).ParamName);
        Assert.Equal("applicationName", (await Assert.ThrowsAsync<ArgumentException>(() => inMemory.ListAsync(""))).ParamName);
        Assert.Equal("value", (await Assert.ThrowsAsync<ArgumentNullException>(() => scope.Store.SetAsync(Db, null!))).ParamName);
    }

    [Fact]
    public async Task Get_many_of_no_ids_is_empty_without_reading_the_store_file()
    {
        using var scope = new StoreScope();

        var result = await scope.Store.GetManyAsync([]);

        // The store file does not exist: a read of it would be SSB2011.
        Assert.Empty(result);
        Assert.False(File.Exists(scope.StorePath));
    }

    [Fact]
    public async Task Get_of_a_record_under_a_key_outside_the_allow_list_is_SSB3012_naming_the_record_and_the_key()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(Db, "x");
        var reader = new EnvelopeSecretStore(scope.Repository, new RsaKeyManager(scope.Keyring, [TestKeyrings.SecondKeyId]), new EnvelopeSecretStoreOptions());

        var ex = await Assert.ThrowsAsync<SecretStoreException>(() => reader.GetAsync(Db));

        Assert.Equal(DiagnosticCodes.MasterKeyNotAllowed, ex.Code);
        Assert.Equal("SSB3012: The record of 'acme-web/ConnectionStrings.Default' is protected by keyring key 'alias/acme-alpha', which is not one of the reader's allowed master keys (alias/acme-beta); it was not unwrapped.", ex.Message);
    }

    [Fact]
    public async Task Get_many_refuses_records_under_a_key_outside_the_allow_list_naming_the_first_in_ordinal_order()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(new SecretId("app", "b"), "1");
        await scope.Store.SetAsync(new SecretId("app", "a"), "2");
        await scope.Store.SetAsync(new SecretId("app", "c"), "3", new SetSecretOptions { KeyId = TestKeyrings.SecondKeyId });
        var reader = new EnvelopeSecretStore(scope.Repository, new RsaKeyManager(scope.Keyring, [TestKeyrings.SecondKeyId]), new EnvelopeSecretStoreOptions());

        var ex = await Assert.ThrowsAsync<SecretStoreException>(() => reader.GetManyAsync([new SecretId("app", "c"), new SecretId("app", "b"), new SecretId("app", "a")]));

        Assert.Equal("SSB3012: The record of 'app/a' is protected by keyring key 'alias/acme-alpha', which is not one of the reader's allowed master keys (alias/acme-beta); it was not unwrapped.", ex.Message);
    }

    [Fact]
    public async Task Get_many_with_a_cancelled_token_is_cancelled_before_any_unwrap()
    {
        using var scope = new StoreScope();
        var counting = new CountingKeyManager(scope.KeyManager);
        var store = new EnvelopeSecretStore(new InMemorySecretRepository(), counting, new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId });
        await store.SetAsync(Db, "x");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.GetManyAsync([Db], cancelled.Token));

        Assert.Equal(0, counting.Unwraps);
    }

    [Fact]
    public async Task List_flags_the_record_with_an_invalid_revision_and_only_that_one()
    {
        using var scope = new StoreScope();
        var inner = new InMemorySecretRepository();
        var writer = new EnvelopeSecretStore(inner, scope.KeyManager, new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId });
        await writer.SetAsync(new SecretId("app", "bad"), "1");
        await writer.SetAsync(new SecretId("app", "good"), "2");
        var repository = new ReadRewritingRepository(inner, r => r.Id.Name == "bad" ? r with { Revision = 0, InvalidRevision = "-1" } : r);
        var reader = new EnvelopeSecretStore(repository, scope.KeyManager, new EnvelopeSecretStoreOptions());

        var list = await reader.ListAsync("app");

        Assert.Equal(["bad", "good"], list.Select(m => m.Id.Name));
        Assert.True(list[0].HasInvalidRevision);
        Assert.False(list[1].HasInvalidRevision);
        Assert.All(list, m => Assert.True(m.IsKeyAllowed));
    }

    [Fact]
    public async Task Get_and_set_of_a_record_with_an_invalid_revision_are_SSB2014_and_nothing_is_written()
    {
        using var scope = new StoreScope();
        var inner = new InMemorySecretRepository();
        var writer = new EnvelopeSecretStore(inner, scope.KeyManager, new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId });
        await writer.SetAsync(Db, "one");
        var store = new EnvelopeSecretStore(new ReadRewritingRepository(inner, r => r with { Revision = 0, InvalidRevision = "-1" }), scope.KeyManager, new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId });
        const string Expected = "SSB2014: The record of 'acme-web/ConnectionStrings.Default' has a revision that is not a whole number from 1 to 9223372036854775807; it is refused (other records are not affected) and nothing was written.";

        var get = await Assert.ThrowsAsync<SecretStoreException>(() => store.GetAsync(Db));
        var many = await Assert.ThrowsAsync<SecretStoreException>(() => store.GetManyAsync([Db]));
        var set = await Assert.ThrowsAsync<SecretStoreException>(() => store.SetAsync(Db, "two"));
        var setAt = await Assert.ThrowsAsync<SecretStoreException>(() => store.SetAsync(Db, "two", new SetSecretOptions { ExpectedRevision = 1 }));

        Assert.All(new[] { get, many, set, setAt }, ex => Assert.Equal(Expected, ex.Message));
        Assert.Equal(1, (await inner.GetAsync(Db))!.Revision);
        Assert.Equal("one", (await writer.GetAsync(Db)).Value);
    }

    [Fact]
    public async Task Set_without_an_expected_revision_replaces_the_current_one_and_reports_the_replaced_revision()
    {
        using var scope = new StoreScope();

        var first = await scope.Store.SetAsync(Db, "one");
        var second = await scope.Store.SetAsync(Db, "two");
        var third = await scope.Store.SetAsync(Db, "three", new SetSecretOptions { ExpectedRevision = 2 });

        Assert.Equal((1L, (long?)null), (first.Revision, first.ReplacedRevision));
        Assert.Equal((2L, (long?)1), (second.Revision, second.ReplacedRevision));
        Assert.Equal((3L, (long?)2), (third.Revision, third.ReplacedRevision));
        Assert.Equal("three", (await scope.Store.GetAsync(Db)).Value);
    }

    [Fact]
    public async Task Value_of_exactly_the_limit_is_accepted_and_one_byte_more_is_SSB2003_counted_in_UTF8_bytes()
    {
        using var scope = new StoreScope();
        var store = scope.OpenStore(scope.Keyring, new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId, MaxValueSizeInBytes = 4 });

        await store.SetAsync(Db, "1234");
        var ex = await Assert.ThrowsAsync<PayloadTooLargeException>(() => store.SetAsync(Db, "ééa"));

        Assert.Equal("SSB2003: Secret 'acme-web/ConnectionStrings.Default' is 5 bytes; the limit is 4 bytes.", ex.Message);
        Assert.Equal("1234", (await store.GetAsync(Db)).Value);
    }

    [Fact]
    public async Task Lone_surrogates_are_refused_with_a_message_saying_where_they_are()
    {
        using var scope = new StoreScope();

        var inValue = await Assert.ThrowsAsync<SecretStoreException>(() => scope.Store.SetAsync(Db, "bad \uD800 value"));
        var inName = await Assert.ThrowsAsync<SecretStoreException>(() => scope.Store.SetAsync(new SecretId("app", "bad \uDC00"), "value"));

        Assert.Equal("SSB2010: The value of secret 'acme-web/ConnectionStrings.Default' holds a lone UTF-16 surrogate, which has no UTF-8 form.", inValue.Message);
        Assert.StartsWith("SSB2010: The application or name of secret 'app/bad ", inName.Message, StringComparison.Ordinal);
        Assert.EndsWith("' holds a lone UTF-16 surrogate, which has no UTF-8 form.", inName.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Set_without_a_key_id_or_a_default_key_is_SSB0003_and_writes_nothing()
    {
        using var scope = new StoreScope();
        var store = scope.OpenStore(scope.Keyring, new EnvelopeSecretStoreOptions());

        var ex = await Assert.ThrowsAsync<SecretStoreException>(() => store.SetAsync(Db, "x"));

        Assert.Equal("SSB0003: No key id to protect secret 'acme-web/ConnectionStrings.Default' with: give one, or configure the store's default key.", ex.Message);
        Assert.False(File.Exists(scope.StorePath));
    }

    [Fact]
    public async Task Set_with_an_unknown_format_is_SSB0001_and_writes_nothing()
    {
        using var scope = new StoreScope();

        var ex = await Assert.ThrowsAsync<SecretStoreException>(() => scope.Store.SetAsync(Db, "x", new SetSecretOptions { Format = (ProtectedSecretFormat)7 }));

        Assert.Equal("SSB0001: Unknown format for secret 'acme-web/ConnectionStrings.Default'.", ex.Message);
        Assert.False(File.Exists(scope.StorePath));
    }

    [Fact]
    public async Task V1_refusals_name_the_secret_and_every_opt_in()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(Db, "old", new SetSecretOptions { Format = ProtectedSecretFormat.V1 });
        var strict = scope.OpenStore(scope.Keyring, new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId });

        var read = await Assert.ThrowsAsync<SecretStoreException>(() => strict.GetAsync(Db));
        var write = await Assert.ThrowsAsync<SecretStoreException>(() => strict.SetAsync(new SecretId("a", "b"), "x", new SetSecretOptions { Format = ProtectedSecretFormat.V1 }));
        var overwrite = await Assert.ThrowsAsync<SecretStoreException>(() => strict.SetAsync(Db, "new"));

        Assert.Equal($"SSB2009: Secret 'acme-web/ConnectionStrings.Default' is a v1 record; v1 is refused by default because it has no integrity protection. To read it for migration, {V1Policy.OptIn}, then 'secretstore rewrap' it to v2.", read.Message);
        Assert.Equal($"SSB2009: Secret 'a/b' cannot be written as v1; v1 is refused by default because it has no integrity protection. To write it anyway, {V1Policy.OptIn}.", write.Message);
        Assert.Equal($"SSB2009: Secret 'acme-web/ConnectionStrings.Default' is stored as a v1 record; v1 is refused by default, so it is not replaced unnoticed. To replace or migrate it, {V1Policy.OptIn} ('secretstore rewrap' makes it v2).", overwrite.Message);
        var stored = (await scope.Repository.GetAsync(Db))!;
        Assert.Equal((ProtectedSecretFormat.V1, 1L), (stored.Format, stored.Revision));
    }

    [Fact]
    public void Import_refusal_of_a_v1_record_names_the_secret_the_opt_in_and_the_file()
    {
        var diagnostic = V1Policy.ImportRefused(Db, "/tmp/import.json");

        Assert.Equal(DiagnosticCodes.FormatPolicyViolation, diagnostic.Code);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("/tmp/import.json", diagnostic.FilePath);
        Assert.Equal($"Secret 'acme-web/ConnectionStrings.Default' is a v1 record; v1 is refused by default because it has no integrity protection. To import it for migration, {V1Policy.OptIn}, then 'secretstore rewrap' it to v2. Nothing was imported.", diagnostic.Message);
    }

    [Fact]
    public async Task A_key_manager_returning_a_data_key_of_the_wrong_size_is_SSB0099_and_nothing_is_written()
    {
        using var scope = new StoreScope();
        var store = new EnvelopeSecretStore(scope.Repository, new ShortDataKeyManager(scope.KeyManager), new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId });

        var ex = await Assert.ThrowsAsync<SecretStoreException>(() => store.SetAsync(Db, "x"));

        Assert.Equal("SSB0099: The key manager returned a data key of the wrong size for 'alias/acme-alpha'.", ex.Message);
        Assert.False(File.Exists(scope.StorePath));
    }

    [Fact]
    public void To_string_names_the_repository_and_the_key_manager()
    {
        using var scope = new StoreScope();

        Assert.Equal($"EnvelopeSecretStore (File store '{scope.StorePath}', {scope.KeyManager})", scope.Store.ToString());
    }

    /// <summary>Hands out v2 data keys of 16 bytes: AES-128, which AES-GCM would take without a word.</summary>
    private sealed class ShortDataKeyManager(IKeyManager inner) : IKeyManager
    {
        public IEnvelopeSigner? EnvelopeSigner => inner.EnvelopeSigner;

        public async Task<DataKey> GenerateDataKeyAsync(string keyId, int keySizeInBytes, EncryptionContext context, ProtectedSecretFormat format, CancellationToken cancellationToken = default)
        {
            using var key = await inner.GenerateDataKeyAsync(keyId, keySizeInBytes, context, format, cancellationToken);
            return new DataKey(keyId, key.Plaintext[..16].ToArray(), key.WrappedKey);
        }

        public Task<DataKey> DecryptDataKeyAsync(string keyId, ReadOnlyMemory<byte> wrappedKey, EncryptionContext context, ProtectedSecretFormat format, int expectedKeySizeInBytes, CancellationToken cancellationToken = default) =>
            inner.DecryptDataKeyAsync(keyId, wrappedKey, context, format, expectedKeySizeInBytes, cancellationToken);
    }
}

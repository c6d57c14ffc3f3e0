using System.Text.Json.Nodes;
using SecretStore.Aws.Kms;
using SecretStore.Aws.Tests.Infrastructure;
using SecretStore.Configuration;
using SecretStore.Diagnostics;
using SecretStore.Keys;
using SecretStore.Repositories;
using SecretStore.Secrets;
using SecretStore.Testing.Aws.Kms;

namespace SecretStore.Aws.Tests.Kms;

/// <summary>
/// The key manager's contract in detail: its argument checks, exactly what it sends to KMS (recorded by the fixture),
/// what it refuses in a KMS reply (rewritten by the fixture), and how its cache keys requests apart.
/// </summary>
public sealed class KmsKeyManagerContractTests : IClassFixture<KmsServerFixture>
{
    private readonly KmsServerFixture _kms;

    public KmsKeyManagerContractTests(KmsServerFixture kms)
    {
        _kms = kms;
        kms.Reset();
    }

    private KmsFixtureServer Server => _kms.Server;

    [Fact]
    public void The_constructor_and_AllowedKeys_check_their_arguments()
    {
        Assert.Equal("kms", Assert.Throws<ArgumentNullException>(() => new KmsKeyManager(null!)).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { MaxDegreeOfParallelism = 0 })).ParamName);
        Assert.Equal("settings", Assert.Throws<ArgumentNullException>(() => KmsKeyManager.AllowedKeys(null!)).ParamName);
    }

    [Fact]
    public void AllowedKeys_without_an_allow_list_is_the_configured_key_alone()
    {
        Assert.Equal(["alias/app"], KmsKeyManager.AllowedKeys(new StoreSettings { KeyId = " alias/app ", AllowedKeyIds = null! }));
    }

    [Fact]
    public async Task IsKeyAllowedAsync_refuses_a_null_key_id()
    {
        var key = Server.CreateKey();
        using var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = [key.Arn] });

        await Assert.ThrowsAsync<ArgumentNullException>(async () => await manager.IsKeyAllowedAsync(null!));
    }

    [Fact]
    public async Task A_key_outside_the_allow_list_is_refused_with_SSB3012_listing_the_allowed_keys()
    {
        var (first, second, foreign) = (Server.CreateKey(), Server.CreateKey(), Server.CreateKey());
        using var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = [first.Arn, second.Arn] });

        var error = await Assert.ThrowsAsync<SecretStoreException>(async () => await manager.RequireKeyAllowedAsync(foreign.Arn, "Secret 'shop/Db'"));

        Assert.Equal(
            $"SSB3012: Secret 'shop/Db' is protected by KMS master key '{foreign.Arn}', which is not one of the reader's allowed master keys ({first.Arn}, {second.Arn}); it was not sent to KMS. If the key is yours, add it to AllowedKeyIds.",
            error.Message);
        Assert.Equal(0, Server.TotalRequests);
    }

    [Fact]
    public async Task GenerateDataKeyAsync_checks_its_arguments_before_any_KMS_call()
    {
        var key = Server.CreateKey();
        var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = [key.Arn] });

        await Assert.ThrowsAsync<ArgumentNullException>(() => manager.GenerateDataKeyAsync(null!, 32, EncryptionContext.Empty, ProtectedSecretFormat.V2));
        await Assert.ThrowsAsync<ArgumentException>(() => manager.GenerateDataKeyAsync(" ", 32, EncryptionContext.Empty, ProtectedSecretFormat.V2));
        Assert.Equal("context", (await Assert.ThrowsAsync<ArgumentNullException>(() =>
            manager.GenerateDataKeyAsync(key.Arn, 32, null!, ProtectedSecretFormat.V2))).ParamName);
        var size = await Assert.ThrowsAsync<SecretStoreException>(() => manager.GenerateDataKeyAsync(key.Arn, 24, EncryptionContext.Empty, ProtectedSecretFormat.V2));
        Assert.Equal("SSB0001: KMS data keys are 16 or 32 bytes; 24 was asked for.", size.Message);
        Assert.Equal(0, Server.TotalRequests);

        manager.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => manager.GenerateDataKeyAsync(key.Arn, 32, EncryptionContext.Empty, ProtectedSecretFormat.V2));
        Assert.Equal(0, Server.TotalRequests);
    }

    [Fact]
    public async Task DecryptDataKeyAsync_checks_its_arguments_before_any_KMS_call()
    {
        var key = Server.CreateKey();
        var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { CacheDataKeys = false, AllowedKeyIds = [key.Arn] });
        var blob = new byte[] { 1, 2, 3 };

        await Assert.ThrowsAsync<ArgumentException>(() => manager.DecryptDataKeyAsync("", blob, EncryptionContext.Empty, ProtectedSecretFormat.V2, 32));
        Assert.Equal("context", (await Assert.ThrowsAsync<ArgumentNullException>(() =>
            manager.DecryptDataKeyAsync(key.Arn, blob, null!, ProtectedSecretFormat.V2, 32))).ParamName);
        var empty = await Assert.ThrowsAsync<InvalidProtectedDataException>(() =>
            manager.DecryptDataKeyAsync(key.Arn, ReadOnlyMemory<byte>.Empty, EncryptionContext.Empty, ProtectedSecretFormat.V2, 32));
        Assert.Equal($"SSB3002: The wrapped data key for master key '{key.Arn}' is empty.", empty.Message);
        Assert.Equal(0, Server.TotalRequests);

        manager.Dispose();
        var disposed = await Assert.ThrowsAsync<ObjectDisposedException>(() => manager.DecryptDataKeyAsync(key.Arn, blob, EncryptionContext.Empty, ProtectedSecretFormat.V2, 32));
        Assert.Equal(typeof(KmsKeyManager).FullName, disposed.ObjectName);
        Assert.Equal(0, Server.TotalRequests);
    }

    [Fact]
    public async Task V2_requests_carry_the_key_id_key_spec_and_context_and_V1_requests_no_context_at_all()
    {
        var key = Server.CreateKey();
        using var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = [key.Arn] });
        var context = Context("orders", "db-password", key.Arn);

        using var v2 = await manager.GenerateDataKeyAsync(key.Arn, 32, context, ProtectedSecretFormat.V2);
        using var v1 = await manager.GenerateDataKeyAsync(key.Arn, 16, context, ProtectedSecretFormat.V1);
        using var openedV2 = await manager.DecryptDataKeyAsync(key.Arn, v2.WrappedKey, context, ProtectedSecretFormat.V2, 32);
        using var openedV1 = await manager.DecryptDataKeyAsync(key.Arn, v1.WrappedKey, context, ProtectedSecretFormat.V1, 16);

        var generated = Server.RecordedRequests("GenerateDataKey");
        var decrypted = Server.RecordedRequests("Decrypt");
        var expectedContext = new JsonObject(context.ToDictionary().Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))).ToJsonString();
        Assert.Equal(2, generated.Count);
        Assert.Equal(key.Arn, (string?)generated[0]["KeyId"]);
        Assert.Equal("AES_256", (string?)generated[0]["KeySpec"]);
        Assert.Equal(expectedContext, generated[0]["EncryptionContext"]?.ToJsonString());
        Assert.Equal("AES_128", (string?)generated[1]["KeySpec"]);
        Assert.False(generated[1].ContainsKey("EncryptionContext"));
        Assert.Equal(2, decrypted.Count);
        Assert.Equal(key.Arn, (string?)decrypted[0]["KeyId"]);
        Assert.Equal(expectedContext, decrypted[0]["EncryptionContext"]?.ToJsonString());
        Assert.False(decrypted[1].ContainsKey("EncryptionContext"));
    }

    [Theory]
    [InlineData("another-key")]
    [InlineData("short-key")]
    [InlineData("no-plaintext")]
    [InlineData("no-blob")]
    [InlineData("empty-blob")]
    public async Task A_GenerateDataKey_reply_with_another_key_a_wrong_size_or_no_blob_is_refused_with_SSB3002(string tamper)
    {
        var (key, other) = (Server.CreateKey(), Server.CreateKey());
        Server.RewriteReplies("GenerateDataKey", reply =>
        {
            switch (tamper)
            {
                case "another-key": reply["KeyId"] = other.Arn; break;
                case "short-key": reply["Plaintext"] = Convert.ToBase64String(new byte[16]); break;
                case "no-plaintext": reply.Remove("Plaintext"); break;
                case "no-blob": reply.Remove("CiphertextBlob"); break;
                default: reply["CiphertextBlob"] = string.Empty; break;
            }
        });
        using var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = [key.Arn] });

        var error = await Assert.ThrowsAsync<InvalidProtectedDataException>(() =>
            manager.GenerateDataKeyAsync(key.Arn, 32, EncryptionContext.Empty, ProtectedSecretFormat.V2));

        var answered = tamper == "another-key" ? other.Arn : key.Arn;
        Assert.Equal(
            $"SSB3002: KMS GenerateDataKey for master key '{key.Arn}' answered with another key ('{answered}') or a data key of the wrong size.",
            error.Message);
    }

    [Fact]
    public async Task A_Decrypt_reply_naming_another_key_is_refused_with_SSB3003()
    {
        var (key, other) = (Server.CreateKey("app-" + Guid.NewGuid().ToString("N")), Server.CreateKey());
        using var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = [key.AliasName!] });
        using var generated = await manager.GenerateDataKeyAsync(key.AliasName!, 32, EncryptionContext.Empty, ProtectedSecretFormat.V2);
        Server.RewriteReplies("Decrypt", reply => reply["KeyId"] = other.Arn);

        var error = await Assert.ThrowsAsync<InvalidProtectedDataException>(() =>
            manager.DecryptDataKeyAsync(key.AliasName!, generated.WrappedKey, EncryptionContext.Empty, ProtectedSecretFormat.V2, 32));

        Assert.Equal($"SSB3003: KMS Decrypt answered with master key '{other.Arn}', not '{key.AliasName}' ({key.Arn}).", error.Message);
    }

    [Fact]
    public async Task A_Decrypt_of_the_wrong_length_names_both_lengths()
    {
        var key = Server.CreateKey();
        using var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = [key.Arn] });
        using var generated = await manager.GenerateDataKeyAsync(key.Arn, 16, EncryptionContext.Empty, ProtectedSecretFormat.V1);

        var error = await Assert.ThrowsAsync<InvalidProtectedDataException>(() =>
            manager.DecryptDataKeyAsync(key.Arn, generated.WrappedKey, EncryptionContext.Empty, ProtectedSecretFormat.V1, 32));

        Assert.Equal($"SSB3002: KMS Decrypt with master key '{key.Arn}' returned a data key of 16 bytes; 32 were expected.", error.Message);
    }

    [Fact]
    public async Task A_failed_DescribeKey_is_mapped_naming_DescribeKey_and_is_asked_again_next_time()
    {
        var key = Server.CreateKey("app-" + Guid.NewGuid().ToString("N"));
        using var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = [key.AliasName!] });
        Server.DenyAccess("DescribeKey");

        var error = await Assert.ThrowsAsync<SecretStoreException>(() =>
            manager.GenerateDataKeyAsync(key.AliasName!, 32, EncryptionContext.Empty, ProtectedSecretFormat.V2));
        Server.ClearFaults();
        using var generated = await manager.GenerateDataKeyAsync(key.AliasName!, 32, EncryptionContext.Empty, ProtectedSecretFormat.V2);

        Assert.Equal(
            $"SSB2007: KMS DescribeKey on master key '{key.AliasName}' was denied (AccessDeniedException). Fix: check the key policy and the caller's IAM policy (see docs/aws.md).",
            error.Message);
        Assert.Equal(2, Server.RequestCount("DescribeKey"));
        Assert.Equal(1, Server.RequestCount("GenerateDataKey"));
    }

    [Fact]
    public async Task A_DescribeKey_reply_without_an_ARN_gives_SSB0099()
    {
        var key = Server.CreateKey("app-" + Guid.NewGuid().ToString("N"));
        using var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = [key.AliasName!] });
        Server.RewriteReplies("DescribeKey", reply => ((JsonObject)reply["KeyMetadata"]!).Remove("Arn"));

        var error = await Assert.ThrowsAsync<SecretStoreException>(() =>
            manager.GenerateDataKeyAsync(key.AliasName!, 32, EncryptionContext.Empty, ProtectedSecretFormat.V2));

        Assert.Equal($"SSB0099: KMS DescribeKey for master key '{key.AliasName}' returned no ARN.", error.Message);
    }

    [Fact]
    public async Task Only_an_arn_with_a_key_part_is_taken_as_a_key_ARN_without_DescribeKey()
    {
        var key = Server.CreateKey();
        using var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = [key.Arn] });

        await Assert.ThrowsAsync<MasterKeyNotFoundException>(() =>
            manager.GenerateDataKeyAsync("not-an-arn:key/" + key.KeyId, 32, EncryptionContext.Empty, ProtectedSecretFormat.V2));

        Assert.Equal(1, Server.RequestCount("DescribeKey"));
        Assert.Equal(0, Server.RequestCount("GenerateDataKey"));
    }

    [Fact]
    public async Task The_cache_keeps_requests_apart_by_key_id()
    {
        var (right, wrong) = (Server.CreateKey(), Server.CreateKey());
        using var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = [right.Arn, wrong.Arn] });
        var context = Context("a", "b", right.Arn);
        using var generated = await manager.GenerateDataKeyAsync(right.Arn, 32, context, ProtectedSecretFormat.V2);
        using var opened = await manager.DecryptDataKeyAsync(right.Arn, generated.WrappedKey, context, ProtectedSecretFormat.V2, 32);

        var error = await Assert.ThrowsAsync<InvalidProtectedDataException>(() =>
            manager.DecryptDataKeyAsync(wrong.Arn, generated.WrappedKey, context, ProtectedSecretFormat.V2, 32));

        Assert.Equal("SSB3003", error.Code.Id);
        Assert.Equal(2, Server.RequestCount("Decrypt"));
    }

    [Theory]
    [InlineData("name")]
    [InlineData("value")]
    public async Task The_cache_keeps_requests_apart_by_each_context_name_and_value(string differs)
    {
        var key = Server.CreateKey();
        using var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = [key.Arn] });
        var context = new EncryptionContext([new("purpose", "orders")]);
        var other = differs == "name" ? new EncryptionContext([new("tenant", "orders")]) : new EncryptionContext([new("purpose", "billing")]);
        using var generated = await manager.GenerateDataKeyAsync(key.Arn, 32, context, ProtectedSecretFormat.V2);
        using var opened = await manager.DecryptDataKeyAsync(key.Arn, generated.WrappedKey, context, ProtectedSecretFormat.V2, 32);

        var error = await Assert.ThrowsAsync<InvalidProtectedDataException>(() =>
            manager.DecryptDataKeyAsync(key.Arn, generated.WrappedKey, other, ProtectedSecretFormat.V2, 32));

        Assert.Equal("SSB3002", error.Code.Id);
        Assert.Equal(2, Server.RequestCount("Decrypt"));
    }

    [Fact]
    public async Task The_cache_keeps_requests_apart_by_wrapped_key()
    {
        var key = Server.CreateKey();
        using var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = [key.Arn] });
        var context = Context("a", "b", key.Arn);
        using var first = await manager.GenerateDataKeyAsync(key.Arn, 32, context, ProtectedSecretFormat.V2);
        using var second = await manager.GenerateDataKeyAsync(key.Arn, 32, context, ProtectedSecretFormat.V2);

        using var openedFirst = await manager.DecryptDataKeyAsync(key.Arn, first.WrappedKey, context, ProtectedSecretFormat.V2, 32);
        using var openedSecond = await manager.DecryptDataKeyAsync(key.Arn, second.WrappedKey, context, ProtectedSecretFormat.V2, 32);

        Assert.True(first.Plaintext.SequenceEqual(openedFirst.Plaintext));
        Assert.True(second.Plaintext.SequenceEqual(openedSecond.Plaintext));
        Assert.Equal(2, Server.RequestCount("Decrypt"));
        Assert.Equal(2, manager.CachedKeyCount);
    }

    [Fact]
    public async Task A_call_in_flight_is_not_counted_as_kept_and_ToString_shows_the_count()
    {
        var key = Server.CreateKey();
        using var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = [key.Arn] });
        using var generated = await manager.GenerateDataKeyAsync(key.Arn, 32, EncryptionContext.Empty, ProtectedSecretFormat.V2);
        var gate = Server.Hold("Decrypt");

        var call = manager.DecryptDataKeyAsync(key.Arn, generated.WrappedKey, EncryptionContext.Empty, ProtectedSecretFormat.V2, 32);
        await gate.WaitForHeldAsync(1);
        Assert.Equal(0, manager.CachedKeyCount);
        Assert.Equal("KmsKeyManager (0 data keys kept)", manager.ToString());
        gate.ReleaseOne();
        using var opened = await call;

        Assert.Equal(1, manager.CachedKeyCount);
        Assert.Equal("KmsKeyManager (1 data keys kept)", manager.ToString());
    }

    [Fact]
    public async Task The_plaintext_buffer_of_the_KMS_reply_is_zeroed_once_copied()
    {
        var key = Server.CreateKey();
        using var client = new InterceptingKmsClient(Server);
        using var manager = new KmsKeyManager(client, new KmsKeyManagerOptions { AllowedKeyIds = [key.Arn] });
        using var generated = await manager.GenerateDataKeyAsync(key.Arn, 32, EncryptionContext.Empty, ProtectedSecretFormat.V2);

        using var opened = await manager.DecryptDataKeyAsync(key.Arn, generated.WrappedKey, EncryptionContext.Empty, ProtectedSecretFormat.V2, 32);

        Assert.True(generated.Plaintext.SequenceEqual(opened.Plaintext));
        var stream = Assert.Single(client.PlaintextStreams);
        Assert.Equal(new byte[32], stream.ToArray());
    }

    [Fact]
    public async Task Dispose_twice_is_harmless_and_a_disposed_manager_looks_up_no_key()
    {
        var (key, foreign) = (Server.CreateKey("app-" + Guid.NewGuid().ToString("N")), Server.CreateKey());
        var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = [key.AliasName!] });

        manager.Dispose();
        manager.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await manager.IsKeyAllowedAsync(foreign.Arn));
        Assert.Equal(0, Server.TotalRequests);
    }

    [Fact]
    public async Task Dispose_cancels_a_Decrypt_still_in_flight()
    {
        var key = Server.CreateKey();
        var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = [key.Arn] });
        using var generated = await manager.GenerateDataKeyAsync(key.Arn, 32, EncryptionContext.Empty, ProtectedSecretFormat.V2);
        var gate = Server.Hold("Decrypt");
        var call = manager.DecryptDataKeyAsync(key.Arn, generated.WrappedKey, EncryptionContext.Empty, ProtectedSecretFormat.V2, 32);
        await gate.WaitForHeldAsync(1);

        manager.Dispose();

        // The held request is never released: only the manager's own cancellation can end the call.
        var ended = await Task.WhenAny(call, Task.Delay(TimeSpan.FromSeconds(30)));
        Server.ClearFaults();
        Assert.Same(call, ended);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => call);
        Assert.True(error is OperationCanceledException or ObjectDisposedException, error.ToString());
    }

    private static EncryptionContext Context(string application, string name, string keyId) =>
        EncryptionContext.ForSecret(new SecretId(application, name), keyId, ProtectedSecretFormat.V2);
}

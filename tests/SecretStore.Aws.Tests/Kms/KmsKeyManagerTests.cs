using Amazon.KeyManagementService.Model;
using SecretStore.Aws.Kms;
using SecretStore.Aws.Tests.Infrastructure;
using SecretStore.Diagnostics;
using SecretStore.Keys;
using SecretStore.Repositories;
using SecretStore.Secrets;
using SecretStore.Testing.Aws.Kms;

namespace SecretStore.Aws.Tests.Kms;

public sealed class KmsKeyManagerTests : IClassFixture<KmsServerFixture>
{
    private readonly KmsServerFixture _kms;

    public KmsKeyManagerTests(KmsServerFixture kms)
    {
        _kms = kms;
        kms.Reset();
    }

    private KmsFixtureServer Server => _kms.Server;

    [Theory]
    [InlineData("uuid")]
    [InlineData("arn")]
    [InlineData("alias")]
    [InlineData("alias-arn")]
    public async Task V2_data_key_round_trips_whatever_form_of_key_id_is_configured(string form)
    {
        var key = Server.CreateKey("app-" + Guid.NewGuid().ToString("N"));
        var keyId = form switch
        {
            "uuid" => key.KeyId,
            "arn" => key.Arn,
            "alias" => key.AliasName!,
            _ => key.AliasArn!,
        };
        using var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = Server.AllKeyIds() });
        var context = Context("orders", "db-password", keyId);

        using var generated = await manager.GenerateDataKeyAsync(keyId, 32, context, ProtectedSecretFormat.V2);
        using var opened = await manager.DecryptDataKeyAsync(keyId, generated.WrappedKey, context, ProtectedSecretFormat.V2, 32);

        Assert.Equal(32, generated.Plaintext.Length);
        Assert.True(generated.Plaintext.SequenceEqual(opened.Plaintext));
        Assert.Equal(keyId, opened.KeyId);
        // The configured id is resolved to the key ARN once, not on every call.
        Assert.Equal(form == "arn" ? 0 : 1, Server.RequestCount("DescribeKey"));
    }

    [Fact]
    public async Task V1_data_key_is_AES_128_under_an_empty_context_as_the_reference_wrote_it()
    {
        var key = Server.CreateKey();
        using var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = Server.AllKeyIds() });

        using var generated = await manager.GenerateDataKeyAsync(key.KeyId, 16, Context("a", "b", key.KeyId), ProtectedSecretFormat.V1);
        var raw = await _kms.Client.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(generated.WrappedKey) });

        Assert.Equal(16, generated.Plaintext.Length);
        Assert.Equal(generated.Plaintext.ToArray(), raw.Plaintext.ToArray());
    }

    [Fact]
    public async Task A_wrapped_key_bound_to_another_secret_name_fails_with_SSB3002()
    {
        var key = Server.CreateKey();
        using var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = Server.AllKeyIds() });
        using var generated = await manager.GenerateDataKeyAsync(key.KeyId, 32, Context("orders", "db-password", key.KeyId), ProtectedSecretFormat.V2);

        var error = await Assert.ThrowsAsync<InvalidProtectedDataException>(() =>
            manager.DecryptDataKeyAsync(key.KeyId, generated.WrappedKey, Context("orders", "api-key", key.KeyId), ProtectedSecretFormat.V2, 32));

        Assert.Equal("SSB3002", error.Code.Id);
    }

    [Fact]
    public async Task A_wrapped_key_of_another_master_key_fails_with_SSB3003()
    {
        var right = Server.CreateKey();
        var wrong = Server.CreateKey();
        using var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = Server.AllKeyIds() });
        using var generated = await manager.GenerateDataKeyAsync(right.KeyId, 32, Context("a", "b", right.KeyId), ProtectedSecretFormat.V2);

        var error = await Assert.ThrowsAsync<InvalidProtectedDataException>(() =>
            manager.DecryptDataKeyAsync(wrong.KeyId, generated.WrappedKey, Context("a", "b", right.KeyId), ProtectedSecretFormat.V2, 32));

        Assert.Equal("SSB3003", error.Code.Id);
        Assert.Contains(wrong.KeyId, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_disabled_key_gives_SSB3006()
    {
        var key = Server.CreateKey();
        using var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = Server.AllKeyIds() });
        using var generated = await manager.GenerateDataKeyAsync(key.KeyId, 32, Context("a", "b", key.KeyId), ProtectedSecretFormat.V2);
        Server.DisableKey(key.KeyId);

        var decrypt = await Assert.ThrowsAsync<SecretStoreException>(() =>
            manager.DecryptDataKeyAsync(key.KeyId, generated.WrappedKey, Context("a", "b", key.KeyId), ProtectedSecretFormat.V2, 32));
        var generate = await Assert.ThrowsAsync<SecretStoreException>(() =>
            manager.GenerateDataKeyAsync(key.KeyId, 32, Context("a", "c", key.KeyId), ProtectedSecretFormat.V2));

        Assert.Equal("SSB3006", decrypt.Code.Id);
        Assert.Equal("SSB3006", generate.Code.Id);
    }

    [Fact]
    public async Task An_unknown_key_gives_MasterKeyNotFoundException()
    {
        using var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = Server.AllKeyIds() });

        var error = await Assert.ThrowsAsync<MasterKeyNotFoundException>(() =>
            manager.GenerateDataKeyAsync("alias/does-not-exist", 32, EncryptionContext.Empty, ProtectedSecretFormat.V2));

        Assert.Equal("SSB3001", error.Code.Id);
        Assert.Equal("alias/does-not-exist", error.KeyId);
    }

    [Fact]
    public async Task Access_denied_gives_SSB2007_naming_the_operation_and_key()
    {
        var key = Server.CreateKey();
        Server.DenyAccess("GenerateDataKey");
        using var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = Server.AllKeyIds() });

        var error = await Assert.ThrowsAsync<SecretStoreException>(() =>
            manager.GenerateDataKeyAsync(key.Arn, 32, EncryptionContext.Empty, ProtectedSecretFormat.V2));

        Assert.Equal("SSB2007", error.Code.Id);
        Assert.Contains("GenerateDataKey", error.Message, StringComparison.Ordinal);
        Assert.Contains(key.Arn, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Throttling_then_success_is_retried_by_the_SDK_alone()
    {
        var key = Server.CreateKey();
        using var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = Server.AllKeyIds() });
        using var generated = await manager.GenerateDataKeyAsync(key.Arn, 32, Context("a", "b", key.Arn), ProtectedSecretFormat.V2);
        Server.ResetCounters();
        Server.ThrottleNext(2);

        using var opened = await manager.DecryptDataKeyAsync(key.Arn, generated.WrappedKey, Context("a", "b", key.Arn), ProtectedSecretFormat.V2, 32);

        Assert.True(generated.Plaintext.SequenceEqual(opened.Plaintext));
        Assert.Equal(3, Server.RequestCount("Decrypt"));
    }

    [Theory]
    [InlineData("throttle")]
    [InlineData("5xx")]
    public async Task Throttling_or_5xx_past_the_SDK_retries_gives_SSB2005_after_exactly_three_attempts(string fault)
    {
        var key = Server.CreateKey();
        using var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = Server.AllKeyIds() });
        using var generated = await manager.GenerateDataKeyAsync(key.Arn, 32, Context("a", "b", key.Arn), ProtectedSecretFormat.V2);
        Server.ResetCounters();
        if (fault == "throttle")
        {
            Server.ThrottleNext(1000);
        }
        else
        {
            Server.FailNext(1000);
        }

        var error = await Assert.ThrowsAsync<SecretStoreException>(() =>
            manager.DecryptDataKeyAsync(key.Arn, generated.WrappedKey, Context("a", "b", key.Arn), ProtectedSecretFormat.V2, 32));

        Assert.Equal("SSB2005", error.Code.Id);
        Assert.Contains("Decrypt", error.Message, StringComparison.Ordinal);
        Assert.Contains(key.Arn, error.Message, StringComparison.Ordinal);
        // The SDK's standard mode makes 3 attempts; there is no second retry layer on top.
        Assert.Equal(3, Server.RequestCount("Decrypt"));
        Assert.Equal(0, manager.CachedKeyCount);

        // A failure is not remembered: once KMS recovers, the same request succeeds.
        Server.ClearFaults();
        using var opened = await manager.DecryptDataKeyAsync(key.Arn, generated.WrappedKey, Context("a", "b", key.Arn), ProtectedSecretFormat.V2, 32);
        Assert.True(generated.Plaintext.SequenceEqual(opened.Plaintext));
    }

    [Fact]
    public async Task The_same_wrapped_key_is_sent_to_KMS_once_per_manager_until_the_cache_is_cleared()
    {
        var key = Server.CreateKey();
        using var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = Server.AllKeyIds() });
        using var generated = await manager.GenerateDataKeyAsync(key.Arn, 32, Context("a", "b", key.Arn), ProtectedSecretFormat.V2);
        Server.ResetCounters();
        Server.Latency = TimeSpan.FromMilliseconds(50);

        var keys = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            manager.DecryptDataKeyAsync(key.Arn, generated.WrappedKey, Context("a", "b", key.Arn), ProtectedSecretFormat.V2, 32)));

        Assert.Equal(1, Server.RequestCount("Decrypt"));
        Assert.All(keys, k => Assert.True(generated.Plaintext.SequenceEqual(k.Plaintext)));
        // Each caller owns a copy: disposing one does not zero the others or the cache.
        keys[0].Dispose();
        Assert.True(generated.Plaintext.SequenceEqual(keys[1].Plaintext));
        Array.ForEach(keys, k => k.Dispose());

        manager.ClearCache();
        Assert.Equal(0, manager.CachedKeyCount);
        using var again = await manager.DecryptDataKeyAsync(key.Arn, generated.WrappedKey, Context("a", "b", key.Arn), ProtectedSecretFormat.V2, 32);
        Assert.Equal(2, Server.RequestCount("Decrypt"));
    }

    [Fact]
    public async Task Without_the_cache_every_request_asks_KMS_and_nothing_is_kept()
    {
        var key = Server.CreateKey();
        using var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { CacheDataKeys = false, AllowedKeyIds = Server.AllKeyIds() });
        using var generated = await manager.GenerateDataKeyAsync(key.Arn, 32, Context("a", "b", key.Arn), ProtectedSecretFormat.V2);
        Server.ResetCounters();

        using var first = await manager.DecryptDataKeyAsync(key.Arn, generated.WrappedKey, Context("a", "b", key.Arn), ProtectedSecretFormat.V2, 32);
        using var second = await manager.DecryptDataKeyAsync(key.Arn, generated.WrappedKey, Context("a", "b", key.Arn), ProtectedSecretFormat.V2, 32);

        Assert.Equal(2, Server.RequestCount("Decrypt"));
        Assert.Equal(0, manager.CachedKeyCount);
        Assert.True(first.Plaintext.SequenceEqual(second.Plaintext));
    }

    [Fact]
    public async Task Concurrent_decrypts_stay_within_MaxDegreeOfParallelism()
    {
        var key = Server.CreateKey();
        using var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { MaxDegreeOfParallelism = 3, AllowedKeyIds = Server.AllKeyIds() });
        var wrapped = new List<(byte[] Blob, EncryptionContext Context)>();
        for (var i = 0; i < 12; i++)
        {
            var context = Context("app", $"s{i}", key.Arn);
            using var dataKey = await manager.GenerateDataKeyAsync(key.Arn, 32, context, ProtectedSecretFormat.V2);
            wrapped.Add((dataKey.WrappedKey, context));
        }

        Server.ResetCounters();

        // The fixture holds every Decrypt until the test lets one go: each step waits until the client has as many
        // calls in flight as it may (3, fewer at the end), so neither a slow machine nor luck decides the count.
        // A step counts only once every call is accounted for (held at the fixture, waiting for a slot, or done), so a
        // call still on its way to the fixture cannot hide: a manager that let 4 through is seen holding 4.
        var gate = Server.Hold("Decrypt");
        var calls = wrapped.Select(w => manager.DecryptDataKeyAsync(key.Arn, w.Blob, w.Context, ProtectedSecretFormat.V2, 32)).ToList();
        for (var released = 0; released < calls.Count; released++)
        {
            var allowed = Math.Min(3, calls.Count - released);
            await Until(() => gate.Held >= allowed && gate.Held + manager.CallsWaitingForSlot + calls.Count(c => c.IsCompleted) == calls.Count);
            Assert.Equal(allowed, gate.Held);
            gate.ReleaseOne();
        }

        var keys = await Task.WhenAll(calls);

        Assert.Equal(12, Server.RequestCount("Decrypt"));
        Assert.Equal(3, gate.MaxHeld);
        Array.ForEach(keys, k => k.Dispose());
    }

    [Fact]
    public async Task A_data_key_of_the_wrong_length_is_refused()
    {
        var key = Server.CreateKey();
        using var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = Server.AllKeyIds() });
        using var generated = await manager.GenerateDataKeyAsync(key.Arn, 16, EncryptionContext.Empty, ProtectedSecretFormat.V1);

        var error = await Assert.ThrowsAsync<InvalidProtectedDataException>(() =>
            manager.DecryptDataKeyAsync(key.Arn, generated.WrappedKey, EncryptionContext.Empty, ProtectedSecretFormat.V1, 32));

        Assert.Equal("SSB3002", error.Code.Id);
    }

    [Fact]
    public async Task Dispose_zeroes_and_forgets_the_kept_data_keys()
    {
        var key = Server.CreateKey();
        var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = Server.AllKeyIds() });
        using var generated = await manager.GenerateDataKeyAsync(key.Arn, 32, Context("a", "b", key.Arn), ProtectedSecretFormat.V2);
        using var opened = await manager.DecryptDataKeyAsync(key.Arn, generated.WrappedKey, Context("a", "b", key.Arn), ProtectedSecretFormat.V2, 32);
        Assert.Equal(1, manager.CachedKeyCount);

        manager.Dispose();

        Assert.Equal(0, manager.CachedKeyCount);
        Assert.True(generated.Plaintext.SequenceEqual(opened.Plaintext));
        await Assert.ThrowsAsync<ObjectDisposedException>(() =>
            manager.DecryptDataKeyAsync(key.Arn, generated.WrappedKey, Context("a", "b", key.Arn), ProtectedSecretFormat.V2, 32));
    }

    private static EncryptionContext Context(string application, string name, string keyId) =>
        EncryptionContext.ForSecret(new SecretId(application, name), keyId, ProtectedSecretFormat.V2);

    /// <summary>Waits for a condition the code under test makes true; the bound only turns a hang into a failure.</summary>
    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not become true within 60 s");
            await Task.Delay(TimeSpan.FromMilliseconds(2));
        }
    }
}

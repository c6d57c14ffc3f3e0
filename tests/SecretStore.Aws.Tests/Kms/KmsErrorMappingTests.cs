using SecretStore.Aws.Kms;
using SecretStore.Aws.Tests.Infrastructure;
using SecretStore.Diagnostics;
using SecretStore.Keys;
using SecretStore.Repositories;
using SecretStore.Secrets;
using SecretStore.Testing.Aws.Kms;

namespace SecretStore.Aws.Tests.Kms;

/// <summary>
/// What each KMS error (the real JSON error shapes, parsed by the real SDK client) becomes: the code and the exact message
/// of KmsErrors, naming the operation and the configured key id.
/// </summary>
public sealed class KmsErrorMappingTests : IClassFixture<KmsServerFixture>
{
    private readonly KmsServerFixture _kms;

    public KmsErrorMappingTests(KmsServerFixture kms)
    {
        _kms = kms;
        kms.Reset();
    }

    private KmsFixtureServer Server => _kms.Server;

    [Theory]
    [InlineData("AccessDenied")]
    [InlineData("UnrecognizedClientException")]
    [InlineData("InvalidSignatureException")]
    [InlineData("ExpiredTokenException")]
    public async Task Every_authorization_error_gives_SSB2007_naming_the_error(string errorType)
    {
        var (error, keyId) = await GenerateFailingWithAsync(400, errorType);

        Assert.Equal("SSB2007", error.Code.Id);
        Assert.Equal(
            $"SSB2007: KMS GenerateDataKey on master key '{keyId}' was denied ({errorType}). Fix: check the key policy and the caller's IAM policy (see docs/aws.md).",
            error.Message);
    }

    [Theory]
    [InlineData(400, "Throttling")]
    [InlineData(400, "TooManyRequestsException")]
    [InlineData(500, "DependencyTimeoutException")]
    [InlineData(500, "InternalFailure")]
    [InlineData(429, "SlowDown")]
    public async Task Throttling_quota_and_server_errors_give_SSB2005_naming_the_cause(int status, string errorType)
    {
        var (error, keyId) = await GenerateFailingWithAsync(status, errorType);

        Assert.Equal("SSB2005", error.Code.Id);
        Assert.Equal(
            $"SSB2005: KMS GenerateDataKey on master key '{keyId}' failed after the SDK's retries ({errorType}). Fix: retry later or ask for a higher KMS request quota.",
            error.Message);
    }

    [Fact]
    public async Task A_server_error_without_an_error_type_gives_SSB2005_with_an_unknown_cause()
    {
        var (error, keyId) = await GenerateFailingWithAsync(500, null);

        Assert.Equal(
            $"SSB2005: KMS GenerateDataKey on master key '{keyId}' failed after the SDK's retries (unknown cause). Fix: retry later or ask for a higher KMS request quota.",
            error.Message);
    }

    [Theory]
    [InlineData("ValidationException")]
    [InlineData("InvalidKeyUsageException")]
    [InlineData("KeyUnavailableException")]
    public async Task A_rejected_request_gives_SSB0001_naming_the_error(string errorType)
    {
        var (error, keyId) = await GenerateFailingWithAsync(400, errorType);

        Assert.Equal("SSB0001", error.Code.Id);
        Assert.Equal($"SSB0001: KMS GenerateDataKey on master key '{keyId}' was rejected ({errorType}).", error.Message);
    }

    [Fact]
    public async Task Any_other_client_error_gives_SSB0099_naming_the_error_code()
    {
        var (error, keyId) = await GenerateFailingWithAsync(400, "CustomKeyStoreHasCMKsException");

        Assert.Equal("SSB0099", error.Code.Id);
        Assert.Equal($"SSB0099: KMS GenerateDataKey on master key '{keyId}' failed with CustomKeyStoreHasCMKsException.", error.Message);
        Assert.Equal(1, Server.RequestCount("GenerateDataKey"));
    }

    [Fact]
    public async Task KMSInvalidStateException_and_a_disabled_key_give_SSB3006()
    {
        var (invalidState, keyId) = await GenerateFailingWithAsync(400, "KMSInvalidStateException");
        var key = Server.CreateKey();
        Server.DisableKey(key.KeyId);
        using var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = [key.Arn] });

        var disabled = await Assert.ThrowsAsync<SecretStoreException>(() =>
            manager.GenerateDataKeyAsync(key.Arn, 32, EncryptionContext.Empty, ProtectedSecretFormat.V2));

        Assert.Equal(
            $"SSB3006: KMS GenerateDataKey refused: master key '{keyId}' is disabled or pending deletion. Fix: enable the key (or restore it) and retry.",
            invalidState.Message);
        Assert.Equal(
            $"SSB3006: KMS GenerateDataKey refused: master key '{key.Arn}' is disabled or pending deletion. Fix: enable the key (or restore it) and retry.",
            disabled.Message);
    }

    [Fact]
    public async Task A_wrapped_key_KMS_cannot_open_gives_SSB3002_naming_the_key()
    {
        var key = Server.CreateKey();
        using var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = [key.Arn] });
        using var generated = await manager.GenerateDataKeyAsync(key.Arn, 32, Context("orders", "db-password", key.Arn), ProtectedSecretFormat.V2);

        var error = await Assert.ThrowsAsync<InvalidProtectedDataException>(() =>
            manager.DecryptDataKeyAsync(key.Arn, generated.WrappedKey, Context("orders", "api-key", key.Arn), ProtectedSecretFormat.V2, 32));

        Assert.Equal(
            $"SSB3002: KMS Decrypt with master key '{key.Arn}' rejected the wrapped data key: it is corrupt or bound to another application or secret (encryption context).",
            error.Message);
    }

    [Fact]
    public async Task A_non_SDK_exception_gives_SSB0099_naming_its_type()
    {
        var key = Server.CreateKey();
        using var client = new InterceptingKmsClient(Server) { DecryptFailure = new InvalidOperationException("not for the message") };
        using var manager = new KmsKeyManager(client, new KmsKeyManagerOptions { AllowedKeyIds = [key.Arn] });

        var error = await Assert.ThrowsAsync<SecretStoreException>(() =>
            manager.DecryptDataKeyAsync(key.Arn, new byte[] { 1, 2, 3 }, EncryptionContext.Empty, ProtectedSecretFormat.V1, 16));

        Assert.Equal($"SSB0099: KMS Decrypt on master key '{key.Arn}' failed unexpectedly (InvalidOperationException).", error.Message);
        Assert.IsType<InvalidOperationException>(error.InnerException);
    }

    [Fact]
    public async Task A_cancellation_the_caller_did_not_ask_for_is_a_failure_SSB2005_not_a_cancellation()
    {
        var key = Server.CreateKey();
        using var client = new InterceptingKmsClient(Server) { DecryptFailure = new OperationCanceledException() };
        using var manager = new KmsKeyManager(client, new KmsKeyManagerOptions { CacheDataKeys = false, AllowedKeyIds = [key.Arn] });

        var error = await Assert.ThrowsAsync<SecretStoreException>(() =>
            manager.DecryptDataKeyAsync(key.Arn, new byte[] { 1, 2, 3 }, EncryptionContext.Empty, ProtectedSecretFormat.V1, 16));

        Assert.Equal(
            $"SSB2005: KMS Decrypt on master key '{key.Arn}' failed after the SDK's retries (OperationCanceledException). Fix: retry later or ask for a higher KMS request quota.",
            error.Message);
    }

    private async Task<(SecretStoreException Error, string KeyId)> GenerateFailingWithAsync(int status, string? errorType)
    {
        var key = Server.CreateKey();
        Server.FailNext("GenerateDataKey", 1000, status, errorType);
        using var manager = new KmsKeyManager(_kms.Client, new KmsKeyManagerOptions { AllowedKeyIds = [key.Arn] });
        var error = await Assert.ThrowsAnyAsync<SecretStoreException>(() =>
            manager.GenerateDataKeyAsync(key.Arn, 32, EncryptionContext.Empty, ProtectedSecretFormat.V2));
        return (error, key.Arn);
    }

    private static EncryptionContext Context(string application, string name, string keyId) =>
        EncryptionContext.ForSecret(new SecretId(application, name), keyId, ProtectedSecretFormat.V2);
}

using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using SecretStore.Aws.Tests.Infrastructure;

namespace SecretStore.Aws.Tests.Kms;

/// <summary>The fixture must behave like KMS for the real SDK client, or the key manager tests prove nothing.</summary>
public sealed class KmsFixtureServerTests : IClassFixture<KmsServerFixture>
{
    private readonly KmsServerFixture _kms;

    public KmsFixtureServerTests(KmsServerFixture kms)
    {
        _kms = kms;
        kms.Server.ClearFaults();
    }

    [Fact]
    public async Task CreateKey_CreateAlias_and_DescribeKey_work_through_the_SDK()
    {
        var created = await _kms.Client.CreateKeyAsync(new CreateKeyRequest());
        await _kms.Client.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/fixture-" + created.KeyMetadata.KeyId, TargetKeyId = created.KeyMetadata.KeyId });

        var described = await _kms.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/fixture-" + created.KeyMetadata.KeyId });

        Assert.Equal(created.KeyMetadata.Arn, described.KeyMetadata.Arn);
        Assert.Equal(KeyState.Enabled, described.KeyMetadata.KeyState);
        await Assert.ThrowsAsync<AlreadyExistsException>(() => _kms.Client.CreateAliasAsync(
            new CreateAliasRequest { AliasName = "alias/fixture-" + created.KeyMetadata.KeyId, TargetKeyId = created.KeyMetadata.KeyId }));
    }

    [Fact]
    public async Task Encrypt_Decrypt_and_ReEncrypt_honour_the_encryption_context()
    {
        var source = _kms.Server.CreateKey("source-" + Guid.NewGuid().ToString("N"));
        var destination = _kms.Server.CreateKey();
        var context = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" };
        var plaintext = new byte[] { 9, 8, 7, 6 };

        var encrypted = await _kms.Client.EncryptAsync(new EncryptRequest { KeyId = source.AliasArn, Plaintext = new MemoryStream(plaintext), EncryptionContext = context });
        var reencrypted = await _kms.Client.ReEncryptAsync(new ReEncryptRequest
        {
            CiphertextBlob = new MemoryStream(encrypted.CiphertextBlob.ToArray()),
            SourceEncryptionContext = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" },
            DestinationKeyId = destination.KeyId,
            DestinationEncryptionContext = new Dictionary<string, string> { ["c"] = "3" },
        });
        var decrypted = await _kms.Client.DecryptAsync(new DecryptRequest
        {
            CiphertextBlob = new MemoryStream(reencrypted.CiphertextBlob.ToArray()),
            EncryptionContext = new Dictionary<string, string> { ["c"] = "3" },
        });

        Assert.Equal(source.Arn, encrypted.KeyId);
        Assert.Equal(source.Arn, reencrypted.SourceKeyId);
        Assert.Equal(destination.Arn, decrypted.KeyId);
        Assert.Equal(plaintext, decrypted.Plaintext.ToArray());
        await Assert.ThrowsAsync<InvalidCiphertextException>(() => _kms.Client.DecryptAsync(new DecryptRequest
        {
            CiphertextBlob = new MemoryStream(reencrypted.CiphertextBlob.ToArray()),
            EncryptionContext = new Dictionary<string, string> { ["c"] = "4" },
        }));
    }

    [Fact]
    public async Task Errors_have_the_shapes_the_SDK_maps_to_typed_exceptions()
    {
        var key = _kms.Server.CreateKey();
        var blob = (await _kms.Client.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([1]) })).CiphertextBlob.ToArray();
        var other = _kms.Server.CreateKey();

        await Assert.ThrowsAsync<NotFoundException>(() => _kms.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = Guid.NewGuid().ToString() }));
        await Assert.ThrowsAsync<IncorrectKeyException>(() => _kms.Client.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob), KeyId = other.KeyId }));
        await Assert.ThrowsAsync<InvalidCiphertextException>(() => _kms.Client.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream([1, 2, 3]) }));
        await _kms.Client.DisableKeyAsync(new DisableKeyRequest { KeyId = key.Arn });
        await Assert.ThrowsAsync<DisabledException>(() => _kms.Client.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) }));
        await _kms.Client.EnableKeyAsync(new EnableKeyRequest { KeyId = key.Arn });
        Assert.Single((await _kms.Client.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) })).Plaintext.ToArray());

        _kms.Server.DenyAccess("Encrypt");
        var denied = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => _kms.Client.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([1]) }));
        Assert.Equal("AccessDeniedException", denied.ErrorCode);
        var invalid = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => _kms.Client.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId }));
        Assert.Equal("ValidationException", invalid.ErrorCode);
    }
}

using Amazon.DynamoDBv2.Model;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using SecretStore.Aws.Clients;
using SecretStore.Aws.DynamoDb;
using SecretStore.Aws.Kms;
using SecretStore.Configuration;
using SecretStore.Diagnostics;

namespace SecretStore.Aws.Tests;

public sealed class AwsClientFactoryTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8000", true)]
    [InlineData("http://127.5.6.7:8000/", true)]
    [InlineData("http://localhost:4566", true)]
    [InlineData("http://[::1]:8000", true)]
    [InlineData("https://dynamodb.eu-west-1.amazonaws.com", false)]
    [InlineData("http://10.0.0.1:8000", false)]
    [InlineData(null, false)]
    public void IsLoopback_accepts_only_this_machine(string? url, bool expected) => Assert.Equal(expected, AwsClientFactory.IsLoopback(url));

    [Fact]
    public void Clients_use_the_standard_retry_mode_and_the_configured_endpoint()
    {
        // Loopback URLs only: building a client for real AWS could send the credential chain off this machine.
        var settings = new StoreSettings { Storage = StorageKind.DynamoDb, Protection = ProtectionKind.Kms, Region = "eu-west-1", ServiceUrl = "http://127.0.0.1:8/", KmsServiceUrl = "http://127.0.0.1:9/" };

        using var dynamo = AwsClientFactory.CreateDynamoDbClient(settings);
        using var kms = AwsClientFactory.CreateKmsClient(settings);

        Assert.Equal(RequestRetryMode.Standard, dynamo.Config.RetryMode);
        Assert.Equal(AwsClientFactory.MaxErrorRetry, dynamo.Config.MaxErrorRetry);
        Assert.Equal("eu-west-1", dynamo.Config.AuthenticationRegion);
        Assert.Equal("http://127.0.0.1:8/", dynamo.Config.ServiceURL);
        Assert.Equal(RequestRetryMode.Standard, kms.Config.RetryMode);
        Assert.Equal("http://127.0.0.1:9/", kms.Config.ServiceURL);
        Assert.Equal("eu-west-1", kms.Config.AuthenticationRegion);
    }

    [Fact]
    public void A_service_url_that_is_not_http_is_a_configuration_error()
    {
        var error = Assert.Throws<SecretStoreException>(() =>
            AwsClientFactory.CreateDynamoDbClient(new StoreSettings { Storage = StorageKind.DynamoDb, Protection = ProtectionKind.Kms, ServiceUrl = "ftp://example" }));

        Assert.Equal("SSB0003", error.Code.Id);
    }

    [Theory]
    [InlineData("http://10.0.0.1:8000", null, "ServiceUrl")]
    [InlineData("http://127.0.0.1:8000", "http://kms.internal.example:4566", "KmsServiceUrl")]
    [InlineData("HTTP://dynamodb.eu-west-1.amazonaws.com", null, "ServiceUrl")]
    public void An_http_endpoint_for_a_remote_host_is_SSB2016_naming_the_setting_unless_allowed(string serviceUrl, string? kmsServiceUrl, string setting)
    {
        var settings = new StoreSettings { Storage = StorageKind.DynamoDb, Protection = ProtectionKind.Kms, Region = "eu-west-1", ServiceUrl = serviceUrl, KmsServiceUrl = kmsServiceUrl };

        var error = Assert.Throws<SecretStoreException>(() =>
        {
            using var dynamo = AwsClientFactory.CreateDynamoDbClient(settings);
            using var kms = AwsClientFactory.CreateKmsClient(settings);
        });
        Assert.Equal("SSB2016", error.Code.Id);
        Assert.StartsWith($"SSB2016: {setting} (", error.Message, StringComparison.Ordinal);

        using var allowedDynamo = AwsClientFactory.CreateDynamoDbClient(settings with { AllowInsecureEndpoint = true });
        using var allowedKms = AwsClientFactory.CreateKmsClient(settings with { AllowInsecureEndpoint = true });
        Assert.StartsWith(serviceUrl, allowedDynamo.Config.ServiceURL, StringComparison.Ordinal);
    }

    [Fact]
    public void An_https_endpoint_is_always_allowed()
    {
        var settings = new StoreSettings { Storage = StorageKind.DynamoDb, Protection = ProtectionKind.Kms, Region = "eu-west-1", ServiceUrl = "https://dynamodb.example:8443/", KmsServiceUrl = "https://kms.example:8443/" };

        using var dynamo = AwsClientFactory.CreateDynamoDbClient(settings);
        using var kms = AwsClientFactory.CreateKmsClient(settings);

        Assert.Equal("https://kms.example:8443/", kms.Config.ServiceURL);
    }

    [Fact]
    public void Throttling_and_server_errors_after_retries_map_to_SSB2005_naming_operation_and_table()
    {
        var throttled = DynamoDbErrors.Map(new ProvisionedThroughputExceededException("slow down"), "Query", "secrets-prod");
        var internalError = DynamoDbErrors.Map(new InternalServerErrorException("oops"), "PutItem", "secrets-prod");
        var denied = DynamoDbErrors.Map(new AmazonDynamoDBExceptionWithCode("AccessDeniedException"), "Query", "secrets-prod");

        Assert.Equal("SSB2005", throttled.Code.Id);
        Assert.Contains("Query on table 'secrets-prod'", throttled.Message, StringComparison.Ordinal);
        Assert.Equal("SSB2005", internalError.Code.Id);
        Assert.Equal("SSB2007", denied.Code.Id);
    }

    [Fact]
    public void KMS_errors_map_to_their_codes()
    {
        Assert.Equal("SSB3001", KmsErrors.Map(new NotFoundException("x"), "Decrypt", "k").Code.Id);
        Assert.Equal("SSB3006", KmsErrors.Map(new DisabledException("x"), "Decrypt", "k").Code.Id);
        Assert.Equal("SSB3006", KmsErrors.Map(new KMSInvalidStateException("x"), "Decrypt", "k").Code.Id);
        Assert.Equal("SSB3002", KmsErrors.Map(new InvalidCiphertextException("x"), "Decrypt", "k").Code.Id);
        Assert.Equal("SSB3003", KmsErrors.Map(new IncorrectKeyException("x"), "Decrypt", "k").Code.Id);
        Assert.Equal("SSB2005", KmsErrors.Map(new KMSInternalException("x"), "Decrypt", "k").Code.Id);
        Assert.Equal("SSB2005", KmsErrors.Map(new HttpRequestException("refused"), "Decrypt", "k").Code.Id);
    }

    private sealed class AmazonDynamoDBExceptionWithCode : Amazon.DynamoDBv2.AmazonDynamoDBException
    {
        public AmazonDynamoDBExceptionWithCode(string code)
            : base("denied") => ErrorCode = code;
    }
}

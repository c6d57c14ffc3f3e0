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
        var settings = new StoreSettings { Provider = StoreProvider.Aws, Region = "eu-west-1", ServiceUrl = "http://127.0.0.1:8/", KmsServiceUrl = "http://127.0.0.1:9/" };

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
            AwsClientFactory.CreateDynamoDbClient(new StoreSettings { Provider = StoreProvider.Aws, ServiceUrl = "ftp://example" }));

        Assert.Equal("SSB0003", error.Code.Id);
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

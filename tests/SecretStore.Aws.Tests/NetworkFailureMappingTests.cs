using System.Net.Sockets;
using Amazon;
using Amazon.DynamoDBv2;
using Amazon.KeyManagementService;
using SecretStore.Aws.DynamoDb;
using SecretStore.Aws.Kms;

namespace SecretStore.Aws.Tests;

/// <summary>
/// What the wire cannot stage on this machine (a host name that does not resolve, a failed TLS handshake, a real
/// AWS region's endpoint), built as the SDK hands it back, and what a network failure message never shows.
/// </summary>
public sealed class NetworkFailureMappingTests
{
    private const string KmsFix = "Fix: check the KMS service URL (KmsServiceUrl or AWS_ENDPOINT_URL_KMS), the network (proxy, firewall, DNS) and the region (Region).";
    private const string DynamoDbFix = "Fix: check the DynamoDB service URL (ServiceUrl or AWS_ENDPOINT_URL_DYNAMODB), the network (proxy, firewall, DNS) and the region (Region).";

    [Fact]
    public void A_KMS_host_name_that_does_not_resolve_is_SSB2005_naming_the_regional_endpoint()
    {
        var config = new AmazonKeyManagementServiceConfig { RegionEndpoint = RegionEndpoint.EUWest1 };

        var error = KmsErrors.Map(DnsFailure("kms.eu-west-1.amazonaws.com:443"), "Decrypt", "alias/orders", config);

        Assert.Equal(
            $"SSB2005: KMS Decrypt on master key 'alias/orders' could not connect to kms.eu-west-1.amazonaws.com:443 (the host name did not resolve) after the SDK's retries; this is a network failure, not a quota. {KmsFix}",
            error.Message);
    }

    [Fact]
    public void A_DynamoDb_host_name_that_does_not_resolve_is_SSB2005_naming_the_regional_endpoint()
    {
        var config = new AmazonDynamoDBConfig { RegionEndpoint = RegionEndpoint.CNNorth1 };

        var error = DynamoDbErrors.Map(DnsFailure("dynamodb.cn-north-1.amazonaws.com.cn:443"), "Query", "secrets", config);

        Assert.Equal(
            $"SSB2005: DynamoDB Query on table 'secrets' could not connect to dynamodb.cn-north-1.amazonaws.com.cn:443 (the host name did not resolve) after the SDK's retries; this is a network failure, not a capacity problem. {DynamoDbFix}",
            error.Message);
    }

    [Fact]
    public void A_failed_TLS_handshake_is_SSB2005_could_not_connect_saying_so()
    {
        var config = new AmazonKeyManagementServiceConfig { ServiceURL = "https://kms.internal.example:8443/" };
        var exception = new HttpRequestException(HttpRequestError.SecureConnectionError, "The SSL connection could not be established, see inner exception.", new IOException("handshake"));

        var error = KmsErrors.Map(exception, "GenerateDataKey", "alias/orders", config);

        Assert.Equal(
            $"SSB2005: KMS GenerateDataKey on master key 'alias/orders' could not connect to kms.internal.example:8443 (the TLS handshake failed) after the SDK's retries; this is a network failure, not a quota. {KmsFix}",
            error.Message);
    }

    [Fact]
    public void User_info_in_a_service_URL_never_reaches_the_message()
    {
        var kms = new AmazonKeyManagementServiceConfig { ServiceURL = "https://alice:s3cret-pw@kms.internal.example/" };
        var dynamoDb = new AmazonDynamoDBConfig { ServiceURL = "http://alice:s3cret-pw@127.0.0.1:8000/" };
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused", new SocketException((int)SocketError.ConnectionRefused));

        var kmsError = KmsErrors.Map(refused, "Decrypt", "alias/orders", kms);
        var dynamoDbError = DynamoDbErrors.Map(refused, "GetItem", "secrets", dynamoDb);

        Assert.Contains("could not connect to kms.internal.example:443 (connection refused)", kmsError.Message, StringComparison.Ordinal);
        Assert.Contains("could not connect to 127.0.0.1:8000 (connection refused)", dynamoDbError.Message, StringComparison.Ordinal);
        foreach (var message in new[] { kmsError.Message, dynamoDbError.Message })
        {
            Assert.DoesNotContain("alice", message, StringComparison.Ordinal);
            Assert.DoesNotContain("s3cret", message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Throttling_still_says_quota_and_capacity()
    {
        var kms = KmsErrors.Map(new Amazon.KeyManagementService.Model.LimitExceededException("x") { ErrorCode = "LimitExceededException" }, "Decrypt", "alias/orders", new AmazonKeyManagementServiceConfig { ServiceURL = "http://127.0.0.1:1/" });

        Assert.Equal("SSB2005: KMS Decrypt on master key 'alias/orders' failed after the SDK's retries (LimitExceededException). Fix: retry later or ask for a higher KMS request quota.", kms.Message);
    }

    private static HttpRequestException DnsFailure(string hostAndPort) =>
        new(HttpRequestError.NameResolutionError, $"Name or service not known ({hostAndPort})", new SocketException((int)SocketError.HostNotFound));
}

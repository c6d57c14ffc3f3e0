using System.Net;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using SecretStore.Aws.DynamoDb;

namespace SecretStore.Aws.Tests.DynamoDb;

/// <summary>
/// The mapping of what the SDK throws (after its retries) to coded errors, one error code at a time, with the
/// exact messages. The SDK raises an unmodelled error code as a plain <see cref="AmazonDynamoDBException"/>
/// carrying the code and the HTTP status, which is what these tests build.
/// </summary>
public sealed class DynamoDbErrorsTests
{
    private const string Table = "errors-table";

    [Theory]
    [InlineData("AccessDeniedException")]
    [InlineData("AccessDenied")]
    [InlineData("UnrecognizedClientException")]
    [InlineData("InvalidSignatureException")]
    [InlineData("ExpiredTokenException")]
    public void Each_access_denied_code_is_SSB2007_naming_operation_table_and_code(string code)
    {
        var error = DynamoDbErrors.Map(Service(code, HttpStatusCode.BadRequest), "GetItem", Table);

        Assert.Equal("SSB2007", error.Code.Id);
        Assert.Equal(
            $"SSB2007: DynamoDB GetItem on table 'errors-table' was denied ({code}). Fix: check the IAM policy of the caller (see docs/aws.md).",
            error.Message);
    }

    [Theory]
    [InlineData("ThrottlingException")]
    [InlineData("Throttling")]
    [InlineData("ProvisionedThroughputExceededException")]
    [InlineData("RequestLimitExceeded")]
    [InlineData("TooManyRequestsException")]
    public void Each_throttling_code_on_a_400_is_SSB2005_naming_the_code(string code)
    {
        var error = DynamoDbErrors.Map(Service(code, HttpStatusCode.BadRequest), "Query", Table);

        Assert.Equal("SSB2005", error.Code.Id);
        Assert.Equal(
            $"SSB2005: DynamoDB Query on table 'errors-table' failed after the SDK's retries ({code}). Fix: retry later or raise the table's capacity.",
            error.Message);
        Assert.True(DynamoDbErrors.IsThrottling(code));
        Assert.False(DynamoDbErrors.IsAccessDenied(code));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ValidationException")]
    [InlineData("throttlingexception")]
    public void Other_codes_are_neither_throttling_nor_access_denied(string? code)
    {
        Assert.False(DynamoDbErrors.IsThrottling(code));
        Assert.False(DynamoDbErrors.IsAccessDenied(code));
    }

    [Fact]
    public void An_unknown_code_with_status_exactly_500_is_SSB2005()
    {
        var error = DynamoDbErrors.Map(Service("SomethingBroke", HttpStatusCode.InternalServerError), "PutItem", Table);

        Assert.Equal("SSB2005", error.Code.Id);
        Assert.Equal(
            "SSB2005: DynamoDB PutItem on table 'errors-table' failed after the SDK's retries (SomethingBroke). Fix: retry later or raise the table's capacity.",
            error.Message);
    }

    [Fact]
    public void A_5xx_without_an_error_code_says_unknown_cause()
    {
        var error = DynamoDbErrors.Map(Service(null, HttpStatusCode.BadGateway), "DeleteItem", Table);

        Assert.Equal("SSB2005", error.Code.Id);
        Assert.Equal(
            "SSB2005: DynamoDB DeleteItem on table 'errors-table' failed after the SDK's retries (unknown cause). Fix: retry later or raise the table's capacity.",
            error.Message);
    }

    [Fact]
    public void An_unknown_code_with_status_499_is_SSB0099_naming_the_code()
    {
        var error = DynamoDbErrors.Map(Service("ValidationException", (HttpStatusCode)499), "PutItem", Table);

        Assert.Equal("SSB0099", error.Code.Id);
        Assert.Equal("SSB0099: DynamoDB PutItem on table 'errors-table' failed with ValidationException.", error.Message);
    }

    [Fact]
    public void A_4xx_without_an_error_code_names_the_status_instead()
    {
        var error = DynamoDbErrors.Map(Service(null, HttpStatusCode.Conflict), "PutItem", Table);

        Assert.Equal("SSB0099", error.Code.Id);
        Assert.Equal("SSB0099: DynamoDB PutItem on table 'errors-table' failed with Conflict.", error.Message);
    }

    [Fact]
    public void An_exception_of_no_known_kind_is_SSB0099_naming_its_type_only()
    {
        var inner = new InvalidOperationException("body bytes must not show");

        var error = DynamoDbErrors.Map(inner, "BatchGetItem", Table);

        Assert.Equal("SSB0099", error.Code.Id);
        Assert.Equal("SSB0099: DynamoDB BatchGetItem on table 'errors-table' failed unexpectedly (InvalidOperationException).", error.Message);
        Assert.Same(inner, error.InnerException);
    }

    private static AmazonDynamoDBException Service(string? code, HttpStatusCode status) =>
        new("service said no", null, ErrorType.Sender, code, "request-1", status);
}

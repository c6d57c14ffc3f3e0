using System.Net;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using SecretStore.Aws.Clients;
using SecretStore.Diagnostics;

namespace SecretStore.Aws.DynamoDb;

/// <summary>
/// Turns what the DynamoDB SDK throws (after its own retries) into coded errors that name the operation and
/// the table. Request and response bodies are never copied into messages: they may hold protected bytes.
/// </summary>
internal static class DynamoDbErrors
{
    /// <summary>
    /// The coded error for <paramref name="exception"/>; <paramref name="config"/> (the client's) names the endpoint
    /// when the call never got an answer.
    /// </summary>
    public static SecretStoreException Map(Exception exception, string operation, string tableName, IClientConfig? config = null)
    {
        switch (exception)
        {
            case SecretStoreException coded:
                return coded;
            case ResourceNotFoundException:
                return new SecretStoreException(
                    DiagnosticCodes.TableNotFound,
                    $"DynamoDB {operation} failed: table '{tableName}' does not exist or is not active in this account and region. Fix: create it with the create-table operation.",
                    exception);
            case ProvisionedThroughputExceededException or RequestLimitExceededException or InternalServerErrorException:
                return Unavailable(exception, operation, tableName, ((AmazonServiceException)exception).ErrorCode);
            case AmazonServiceException service when IsAccessDenied(service.ErrorCode):
                return new SecretStoreException(
                    DiagnosticCodes.AccessDenied,
                    $"DynamoDB {operation} on table '{tableName}' was denied ({service.ErrorCode}). Fix: check the IAM policy of the caller (see docs/aws.md).",
                    exception);
            case AmazonServiceException service when IsThrottling(service.ErrorCode) || (int)service.StatusCode >= 500:
                return Unavailable(exception, operation, tableName, service.ErrorCode);
            case AmazonServiceException service:
                return new SecretStoreException(
                    DiagnosticCodes.UnexpectedError,
                    $"DynamoDB {operation} on table '{tableName}' failed with {service.ErrorCode ?? service.StatusCode.ToString()}.",
                    exception);
            case AmazonClientException or HttpRequestException or IOException or TimeoutException or WebException or OperationCanceledException:
                // No answer at all (connection refused, DNS, timeout): the SDK has already retried; say it is the
                // network, or it reads as capacity to raise.
                return NetworkFailure.Describe(exception, config, "DynamoDB", "dynamodb") is { } failure
                    ? new SecretStoreException(
                        DiagnosticCodes.BackendUnavailable,
                        $"DynamoDB {operation} on table '{tableName}' {failure} after the SDK's retries; this is a network failure, not a capacity problem. Fix: check the DynamoDB service URL (ServiceUrl or AWS_ENDPOINT_URL_DYNAMODB), the network (proxy, firewall, DNS) and the region (Region).",
                        exception)
                    : Unavailable(exception, operation, tableName, exception.GetType().Name);
            default:
                return new SecretStoreException(
                    DiagnosticCodes.UnexpectedError,
                    $"DynamoDB {operation} on table '{tableName}' failed unexpectedly ({exception.GetType().Name}).",
                    exception);
        }
    }

    internal static bool IsThrottling(string? errorCode) => errorCode is "ThrottlingException" or "Throttling"
        or "ProvisionedThroughputExceededException" or "RequestLimitExceeded" or "TooManyRequestsException";

    internal static bool IsAccessDenied(string? errorCode) => errorCode is "AccessDeniedException" or "AccessDenied"
        or "UnrecognizedClientException" or "InvalidSignatureException" or "ExpiredTokenException";

    private static SecretStoreException Unavailable(Exception exception, string operation, string tableName, string? cause) =>
        new(
            DiagnosticCodes.BackendUnavailable,
            $"DynamoDB {operation} on table '{tableName}' failed after the SDK's retries ({cause ?? "unknown cause"}). Fix: retry later or raise the table's capacity.",
            exception);
}

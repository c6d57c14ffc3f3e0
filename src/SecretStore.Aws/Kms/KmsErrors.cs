using System.Net;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using SecretStore.Aws.Clients;
using SecretStore.Diagnostics;

namespace SecretStore.Aws.Kms;

/// <summary>
/// Turns what the KMS SDK throws (after its own retries) into coded errors naming the operation and key id.
/// KMS messages never contain plaintext, but we still do not copy them: our messages are enough.
/// </summary>
internal static class KmsErrors
{
    /// <summary>
    /// The coded error for <paramref name="exception"/>; <paramref name="config"/> (the client's) names the endpoint
    /// when the call never got an answer.
    /// </summary>
    public static SecretStoreException Map(Exception exception, string operation, string keyId, IClientConfig? config = null)
    {
        switch (exception)
        {
            case SecretStoreException coded:
                return coded;
            case NotFoundException:
                return new MasterKeyNotFoundException(keyId, exception);
            case DisabledException or KMSInvalidStateException:
                return new SecretStoreException(
                    DiagnosticCodes.KeyDisabled,
                    $"KMS {operation} refused: master key '{keyId}' is disabled or pending deletion. Fix: enable the key (or restore it) and retry.",
                    exception);
            case InvalidCiphertextException:
                return new InvalidProtectedDataException(
                    $"KMS {operation} with master key '{keyId}' rejected the wrapped data key: it is corrupt or bound to another application or secret (encryption context).",
                    exception);
            case IncorrectKeyException:
                return new InvalidProtectedDataException(
                    DiagnosticCodes.WrongContext,
                    $"KMS {operation}: the wrapped data key was not made by master key '{keyId}'.",
                    exception);
            case AmazonServiceException service when service.ErrorCode is "AccessDeniedException" or "AccessDenied"
                or "UnrecognizedClientException" or "InvalidSignatureException" or "ExpiredTokenException":
                return new SecretStoreException(
                    DiagnosticCodes.AccessDenied,
                    $"KMS {operation} on master key '{keyId}' was denied ({service.ErrorCode}). Fix: check the key policy and the caller's IAM policy (see docs/aws.md).",
                    exception);
            case KMSInternalException or DependencyTimeoutException or LimitExceededException:
                return Unavailable(exception, operation, keyId, ((AmazonServiceException)exception).ErrorCode);
            case AmazonServiceException service when service.ErrorCode is "ThrottlingException" or "Throttling" or "TooManyRequestsException"
                || (int)service.StatusCode >= 500 || service.StatusCode == HttpStatusCode.TooManyRequests:
                return Unavailable(exception, operation, keyId, service.ErrorCode);
            case AmazonServiceException service when service.ErrorCode is "ValidationException" or "InvalidKeyUsageException" or "KeyUnavailableException":
                return new SecretStoreException(
                    DiagnosticCodes.InvalidArgument,
                    $"KMS {operation} on master key '{keyId}' was rejected ({service.ErrorCode}).",
                    exception);
            case AmazonServiceException service:
                return new SecretStoreException(
                    DiagnosticCodes.UnexpectedError,
                    $"KMS {operation} on master key '{keyId}' failed with {service.ErrorCode ?? service.StatusCode.ToString()}.",
                    exception);
            case AmazonClientException or HttpRequestException or IOException or TimeoutException or WebException or OperationCanceledException:
                // No answer at all: say so, or a refused connection reads as a quota to raise.
                return NetworkFailure.Describe(exception, config, "KMS", "kms") is { } failure
                    ? new SecretStoreException(
                        DiagnosticCodes.BackendUnavailable,
                        $"KMS {operation} on master key '{keyId}' {failure} after the SDK's retries; this is a network failure, not a quota. Fix: check the KMS service URL (KmsServiceUrl or AWS_ENDPOINT_URL_KMS), the network (proxy, firewall, DNS) and the region (Region).",
                        exception)
                    : Unavailable(exception, operation, keyId, exception.GetType().Name);
            default:
                return new SecretStoreException(
                    DiagnosticCodes.UnexpectedError,
                    $"KMS {operation} on master key '{keyId}' failed unexpectedly ({exception.GetType().Name}).",
                    exception);
        }
    }

    private static SecretStoreException Unavailable(Exception exception, string operation, string keyId, string? cause) =>
        new(
            DiagnosticCodes.BackendUnavailable,
            $"KMS {operation} on master key '{keyId}' failed after the SDK's retries ({cause ?? "unknown cause"}). Fix: retry later or ask for a higher KMS request quota.",
            exception);
}

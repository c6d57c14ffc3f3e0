using SecretStore.Diagnostics;

namespace SecretStore.Running;

/// <summary>
/// The one policy for failures at a face's boundary, the same in every face: a <see cref="SecretStoreException"/>
/// gives its own coded, value-free diagnostics; anything else is <c>SSB0099</c> naming the exception's type only
/// (its message is not ours and could quote file content), except I/O errors, whose messages name paths.
/// </summary>
public static class FailurePolicy
{
    /// <summary>The diagnostics for <paramref name="exception"/>; cancellation is not a failure and is not described here.</summary>
    public static IReadOnlyList<Diagnostic> Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            SecretStoreException coded when coded.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error) => coded.Diagnostics,
            SecretStoreException coded => [.. coded.Diagnostics, new Diagnostic(coded.Code, DiagnosticSeverity.Error, StripCode(coded))],
            IOException or UnauthorizedAccessException => [new Diagnostic(
                DiagnosticCodes.UnexpectedError,
                DiagnosticSeverity.Error,
                $"Unexpected {exception.GetType().Name}: {exception.Message} Check the path and its permissions; report it if the cause is not obvious.")],
            _ => [new Diagnostic(
                DiagnosticCodes.UnexpectedError,
                DiagnosticSeverity.Error,
                $"Unexpected {exception.GetType().FullName}. This is a bug; please report it with the command and a diagnostic log, which hold no secret values.")],
        };
    }

    private static string StripCode(SecretStoreException exception)
    {
        var prefix = exception.Code.Id + ": ";
        return exception.Message.StartsWith(prefix, StringComparison.Ordinal) ? exception.Message[prefix.Length..] : exception.Message;
    }
}

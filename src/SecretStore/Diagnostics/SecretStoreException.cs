namespace SecretStore.Diagnostics;

/// <summary>
/// The base of every exception the engine raises on purpose. It carries a stable <see cref="Code"/> and
/// the diagnostics behind it. Messages never contain a secret value or key material.
/// </summary>
public class SecretStoreException : Exception
{
    /// <summary>Creates an exception for one code and a value-free message.</summary>
    public SecretStoreException(DiagnosticCode code, string message, Exception? innerException = null)
        : base(LogText.Escape($"{code.Id}: {message}"), innerException)
    {
        Code = code;
        Diagnostics = [new Diagnostic(code, DiagnosticSeverity.Error, message)];
    }

    /// <summary>Creates an exception that reports several located diagnostics; the first error gives the code.</summary>
    public SecretStoreException(IReadOnlyList<Diagnostic> diagnostics)
        : base(Describe(diagnostics))
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        Diagnostics = diagnostics;
        Code = diagnostics.FirstOrDefault(d => d.Severity == DiagnosticSeverity.Error)?.Code
            ?? DiagnosticCodes.UnexpectedError;
    }

    /// <summary>The stable code, for example <c>SSB2001</c>.</summary>
    public DiagnosticCode Code { get; }

    /// <summary>The located diagnostics behind this exception (at least one).</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    private static string Describe(IReadOnlyList<Diagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        return errors.Count switch
        {
            0 => "No errors.",
            1 => errors[0].ToMSBuildFormat(),
            _ => $"{errors.Count} errors; first: {errors[0].ToMSBuildFormat()}",
        };
    }
}

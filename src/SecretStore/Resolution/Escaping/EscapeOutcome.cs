using SecretStore.Diagnostics;

namespace SecretStore.Resolution.Escaping;

/// <summary>The text to write for a value, or why it cannot be written (value-free reason).</summary>
internal readonly record struct EscapeOutcome(string? Written, DiagnosticCode? Code, string? Reason)
{
    public static EscapeOutcome Ok(string written) => new(written, null, null);

    public static EscapeOutcome Fail(DiagnosticCode code, string reason) => new(null, code, reason);
}

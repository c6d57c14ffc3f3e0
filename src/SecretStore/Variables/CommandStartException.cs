using SecretStore.Diagnostics;

namespace SecretStore.Variables;

/// <summary>
/// The command of <c>run</c> was not started (<c>SSB4004</c>): <see cref="ExitCode"/> is what a shell exits with in
/// the same case, 127 for a command not found and 126 for one found but not executable.
/// </summary>
public sealed class CommandStartException(string message, int exitCode) : SecretStoreException(DiagnosticCodes.CommandNotFound, message)
{
    /// <summary>127 (not found) or 126 (found, not executable or not startable).</summary>
    public int ExitCode { get; } = exitCode;
}

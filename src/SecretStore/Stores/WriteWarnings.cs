using SecretStore.Diagnostics;
using SecretStore.Secrets;

namespace SecretStore.Stores;

/// <summary>
/// What every face says after a write, besides its result: one engine text, so the CLI and Cake report it alike.
/// </summary>
public static class WriteWarnings
{
    /// <summary>
    /// <c>SSB3015</c> when the write changed who can read the secret (<see cref="SecretMetadata.RecipientsChanged"/>),
    /// naming both lists; nothing otherwise.
    /// </summary>
    public static IEnumerable<Diagnostic> Of(SecretMetadata written)
    {
        ArgumentNullException.ThrowIfNull(written);
        if (written.RecipientsChanged)
        {
            yield return new Diagnostic(
                DiagnosticCodes.RecipientsChanged,
                DiagnosticSeverity.Warning,
                $"'{written.Id}' was written for {string.Join(",", written.Recipients)}; the record it replaced was for {string.Join(",", written.ReplacedRecipients!)}. A write takes its recipients from --recipients, the key given, the settings file's recipients or the default key, never from the stored record.");
        }
    }
}

using SecretStore.Diagnostics;
using SecretStore.Secrets;

namespace SecretStore.Stores;

/// <summary>
/// The refusals of v1 records (<c>SSB2009</c>), worded once for every face: each names the record and the
/// opt-in of every face, since the engine does not know which face called it.
/// </summary>
public static class V1Policy
{
    /// <summary>How each face turns the opt-in on.</summary>
    public const string OptIn = "pass --allow-v1 (SECRETSTORE_ALLOW_V1=true, MSBuild SecretStoreAllowV1=true, Cake AllowV1 = true, action input allow-v1, Azure template parameter allowV1)";

    /// <summary>A v1 record was read without the opt-in.</summary>
    public static SecretStoreException ReadRefused(SecretId id) =>
        new(DiagnosticCodes.FormatPolicyViolation, $"Secret '{id}' is a v1 record; v1 is refused by default because it has no integrity protection. To read it for migration, {OptIn}, then 'secretstore rewrap' it to v2.");

    /// <summary>A v1 record was to be written without the opt-in.</summary>
    public static SecretStoreException WriteRefused(SecretId id) =>
        new(DiagnosticCodes.FormatPolicyViolation, $"Secret '{id}' cannot be written as v1; v1 is refused by default because it has no integrity protection. To write it anyway, {OptIn}.");

    /// <summary>A write would replace a stored v1 record without the opt-in.</summary>
    public static SecretStoreException OverwriteRefused(SecretId id) =>
        new(DiagnosticCodes.FormatPolicyViolation, $"Secret '{id}' is stored as a v1 record; v1 is refused by default, so it is not replaced unnoticed. To replace or migrate it, {OptIn} ('secretstore rewrap' makes it v2).");

    /// <summary>A v1 record was to be imported without the opt-in.</summary>
    public static Diagnostic ImportRefused(SecretId id, string? sourcePath) =>
        new(DiagnosticCodes.FormatPolicyViolation, DiagnosticSeverity.Error, $"Secret '{id}' is a v1 record; v1 is refused by default because it has no integrity protection. To import it for migration, {OptIn}, then 'secretstore rewrap' it to v2. Nothing was imported.", sourcePath);
}

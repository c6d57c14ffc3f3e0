namespace SecretStore.Repositories;

/// <summary>The layout of a protected record.</summary>
public enum ProtectedSecretFormat
{
    /// <summary>
    /// The reference format (LeapingGorilla SecretStore): AES-128-CBC, PKCS#7, random IV, no MAC. Read
    /// always; written only on explicit request.
    /// </summary>
    V1 = 1,

    /// <summary>
    /// The authenticated format: AES-256-GCM bound to application, name and key id (see docs/format.md).
    /// The default for writes.
    /// </summary>
    V2 = 2,
}

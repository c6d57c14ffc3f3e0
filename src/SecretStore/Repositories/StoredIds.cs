using SecretStore.Diagnostics;
using SecretStore.Secrets;

namespace SecretStore.Repositories;

/// <summary>
/// The one refusal of an id that no store can hold, shared by every repository so that each refuses it before any read
/// or write, in the same words: <c>SSB2010</c>.
/// </summary>
public static class StoredIds
{
    /// <summary>Throws <c>SSB2010</c> for a default id or one with a lone surrogate (not storable as UTF-8).</summary>
    public static void EnsureWellFormed(SecretId id)
    {
        if (id == default)
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidSecret, "A secret id must have an application name and a secret name.");
        }

        if (!id.IsWellFormed)
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidSecret, "A secret id contains a lone surrogate and cannot be stored as UTF-8.");
        }
    }
}

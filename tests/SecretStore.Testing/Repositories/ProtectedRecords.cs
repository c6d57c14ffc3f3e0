using System.Security.Cryptography;
using SecretStore.Repositories;
using SecretStore.Secrets;

namespace SecretStore.Testing.Repositories;

/// <summary>
/// Protected records with opaque random bytes, for repository tests (a repository never opens them): the one record
/// helper of every store's tests and of <see cref="RepositoryContract"/>.
/// </summary>
public static class ProtectedRecords
{
    /// <summary>A v2 record: one envelope of <paramref name="envelopeBytes"/> random bytes.</summary>
    public static ProtectedSecretRecord V2(SecretId id, int envelopeBytes = 64, string keyId = "alias/test") => new()
    {
        Id = id,
        Format = ProtectedSecretFormat.V2,
        MasterKeyId = keyId,
        Envelope = RandomNumberGenerator.GetBytes(envelopeBytes),
    };

    /// <summary>A v1 (reference format) record: document key, IV and value, random.</summary>
    public static ProtectedSecretRecord V1(SecretId id, string keyId = "alias/test") => new()
    {
        Id = id,
        Format = ProtectedSecretFormat.V1,
        MasterKeyId = keyId,
        ProtectedDocumentKey = RandomNumberGenerator.GetBytes(48),
        InitialisationVector = RandomNumberGenerator.GetBytes(16),
        ProtectedSecretValue = RandomNumberGenerator.GetBytes(32),
    };

    /// <summary>An application name no other test uses (<paramref name="prefix"/>, a dash, a GUID).</summary>
    public static string NewApplication(string prefix = "app") => $"{prefix}-{Guid.NewGuid():N}";
}

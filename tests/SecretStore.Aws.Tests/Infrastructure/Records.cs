using System.Security.Cryptography;
using SecretStore.Repositories;
using SecretStore.Secrets;

namespace SecretStore.Aws.Tests.Infrastructure;

/// <summary>Protected records with opaque bytes, for repository tests (the repository never opens them).</summary>
public static class Records
{
    public static ProtectedSecretRecord V2(SecretId id, int envelopeBytes = 64, string keyId = "alias/test") => new()
    {
        Id = id,
        Format = ProtectedSecretFormat.V2,
        MasterKeyId = keyId,
        Envelope = RandomNumberGenerator.GetBytes(envelopeBytes),
    };

    public static ProtectedSecretRecord V1(SecretId id, string keyId = "alias/test") => new()
    {
        Id = id,
        Format = ProtectedSecretFormat.V1,
        MasterKeyId = keyId,
        ProtectedDocumentKey = RandomNumberGenerator.GetBytes(48),
        InitialisationVector = RandomNumberGenerator.GetBytes(16),
        ProtectedSecretValue = RandomNumberGenerator.GetBytes(32),
    };

    public static string NewApplication(string prefix = "app") => $"{prefix}-{Guid.NewGuid():N}";
}

namespace SecretStore.Keys;

/// <summary>Signs and verifies v2 envelopes (RSA-PSS with SHA-256 for the RSA keyring).</summary>
public interface IEnvelopeSigner
{
    /// <summary>An id for the signing key, recorded in the envelope.</summary>
    string SigningKeyId { get; }

    /// <summary>Signs <paramref name="data"/>; throws when the signing private key is missing.</summary>
    byte[] Sign(ReadOnlySpan<byte> data);

    /// <summary>True when <paramref name="signature"/> is a valid signature of <paramref name="data"/> by the signing key.</summary>
    bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature);
}

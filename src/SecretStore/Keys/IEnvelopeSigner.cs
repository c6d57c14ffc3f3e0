namespace SecretStore.Keys;

/// <summary>Signs and verifies v2 envelopes (RSA-PSS with SHA-256 for the RSA keyring).</summary>
public interface IEnvelopeSigner
{
    /// <summary>An id for the signing key, recorded in the envelope.</summary>
    string SigningKeyId { get; }

    /// <summary>Signs <paramref name="data"/>; throws when the signing private key is missing.</summary>
    byte[] Sign(ReadOnlySpan<byte> data);

    /// <summary>
    /// Throws a coded error when records signed by <paramref name="signingKeyId"/> (the id an envelope names, or
    /// null for a format that names none) must not be trusted by this reader; called before anything is verified
    /// or decrypted. <paramref name="subject"/> names the record in messages (for example <c>'app/Name'</c>).
    /// The default trusts every signer whose signature verifies.
    /// </summary>
    void RequireTrustedSigner(string? signingKeyId, string subject)
    {
    }

    /// <summary>True when <paramref name="signature"/> is a valid signature of <paramref name="data"/> by the signing key.</summary>
    bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature);
}

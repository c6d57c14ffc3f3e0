namespace SecretStore.Keys.Rsa;

/// <summary>
/// Where private key material may come from besides the keyring's PEM files: CI systems hand secrets out as
/// environment variables, so the private encryption key (and the signing private key) can be passed that way.
/// </summary>
public sealed record RsaKeyringLoadOptions
{
    /// <summary>
    /// Name of an environment variable holding a PEM private encryption key (PKCS#8 or PKCS#1). It is matched
    /// to the keyring entry with the same public key, or to <see cref="PrivateKeyId"/> when given.
    /// </summary>
    public string? PrivateKeyEnvironmentVariable { get; init; }

    /// <summary>A PEM private encryption key given directly (same rules as <see cref="PrivateKeyEnvironmentVariable"/>).</summary>
    public string? PrivateKeyPem { get; init; }

    /// <summary>The key id the supplied private key belongs to; null matches it by public key (or the default key).</summary>
    public string? PrivateKeyId { get; init; }

    /// <summary>Name of an environment variable holding the PEM signing private key (needed for writes).</summary>
    public string? SigningPrivateKeyEnvironmentVariable { get; init; }

    /// <summary>Redacted: options may point at key material.</summary>
    public override string ToString() =>
        $"RsaKeyringLoadOptions (private key from {(PrivateKeyEnvironmentVariable is null ? PrivateKeyPem is null ? "files" : "text (redacted)" : "$" + PrivateKeyEnvironmentVariable)})";
}

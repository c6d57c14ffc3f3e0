namespace SecretStore.Keys.Rsa;

/// <summary>
/// Where private key material may come from besides the keyring's files: CI systems hand secrets out as
/// environment variables, so the reader secret (private encryption keys and trust anchor) and the signing
/// private key can be passed that way.
/// </summary>
public sealed record RsaKeyringLoadOptions
{
    /// <summary>
    /// Name of an environment variable holding a reader secret (<c>SECRETSTORE READER KEY</c> PEM, printed by
    /// <c>secretstore keys export-reader</c>, the same format as the keyring's private key files): the private
    /// encryption key(s) by key id and the trust anchor. It replaces the folder's private encryption key files and
    /// fixes the anchor. A plain PEM private key is refused (<c>SSB3010</c>).
    /// </summary>
    public string? PrivateKeyEnvironmentVariable { get; init; }

    /// <summary>A reader secret given directly (same rules as <see cref="PrivateKeyEnvironmentVariable"/>).</summary>
    public string? PrivateKeyPem { get; init; }

    /// <summary>Name of an environment variable holding the PEM signing private key (needed for writes).</summary>
    public string? SigningPrivateKeyEnvironmentVariable { get; init; }

    /// <summary>Redacted: options may point at key material.</summary>
    public override string ToString() =>
        $"RsaKeyringLoadOptions (private key from {(PrivateKeyEnvironmentVariable is null ? PrivateKeyPem is null ? "files" : "text (redacted)" : "$" + PrivateKeyEnvironmentVariable)})";
}

namespace SecretStore.Configuration;

/// <summary>
/// Where secrets live and which keys protect them: the one settings shape that the settings file
/// (<c>secretstore.json</c>), the MSBuild tasks, the Cake aliases and the CLI all end in. Storage and protection are
/// independent: a store file may hold KMS-wrapped records, a DynamoDB table RSA-wrapped ones.
/// </summary>
public sealed record StoreSettings
{
    /// <summary>Where the records live: a store file (default) or a DynamoDB table.</summary>
    public StorageKind Storage { get; init; } = StorageKind.File;

    /// <summary>What wraps the data keys: an RSA keyring (default) or AWS KMS.</summary>
    public ProtectionKind Protection { get; init; } = ProtectionKind.Rsa;

    /// <summary>File storage: path of the JSON store file.</summary>
    public string? FilePath { get; init; }

    /// <summary>RSA protection: folder of the keyring (<c>keyring.json</c> and PEM files).</summary>
    public string? KeyringPath { get; init; }

    /// <summary>
    /// Name of an environment variable holding a PEM private encryption key, for CI systems that hand out
    /// secrets as variables; used instead of the keyring's private key file.
    /// </summary>
    public string? PrivateKeyEnvironmentVariable { get; init; }

    /// <summary>The master key id for writes (keyring key id, or KMS key id/ARN/alias). Null: the store's default.</summary>
    public string? KeyId { get; init; }

    /// <summary>
    /// The master keys whose records a reader accepts, besides <see cref="KeyId"/> (which is always allowed).
    /// A record under any other key is refused (<c>SSB3012</c>) before its data key is unwrapped. Empty: for
    /// KMS only <see cref="KeyId"/> (neither set: reads are refused, <c>SSB3013</c>); for an RSA keyring the keys
    /// whose private half the reader holds. KMS entries may be key ARNs, key ids, alias names or alias ARNs.
    /// </summary>
    public IReadOnlyList<string> AllowedKeyIds { get; init; } = [];

    /// <summary>
    /// The master keys new records are written for (docs/format.md, "Envelope version 3"), the first being each record's
    /// primary key; any one of them opens a record. Empty: <see cref="KeyId"/> (or the keyring's default key) alone.
    /// For KMS they are also allowed for reading, like <see cref="AllowedKeyIds"/>.
    /// </summary>
    public IReadOnlyList<string> Recipients { get; init; } = [];

    /// <summary>DynamoDB storage: the table name.</summary>
    public string? Table { get; init; }

    /// <summary>
    /// PostgreSQL storage: the name of the environment variable that holds the connection string (read when the store is
    /// opened, so the connection string never passes through MSBuild properties or the settings file), or an inline
    /// connection string that holds no password (<see cref="PostgreSqlConnection"/>).
    /// </summary>
    public string? PostgreSqlConnection { get; init; }

    /// <summary>AWS (DynamoDB, KMS): region (for example <c>eu-west-1</c>). Null: the SDK's default chain.</summary>
    public string? Region { get; init; }

    /// <summary>DynamoDB storage: a service URL for local endpoints (DynamoDB Local); null for AWS itself.</summary>
    public string? ServiceUrl { get; init; }

    /// <summary>KMS protection: a KMS service URL for local endpoints; null for AWS KMS itself.</summary>
    public string? KmsServiceUrl { get; init; }

    /// <summary>
    /// Read (and write) v1 records. Off by default: v1 has no integrity protection, so a store writer can use
    /// its decryption errors as a padding oracle. Turn it on only to migrate: <c>import</c>, then <c>rewrap</c>.
    /// </summary>
    public bool AllowV1 { get; init; }

    /// <summary>
    /// Allow an <c>http://</c> <see cref="ServiceUrl"/> or <see cref="KmsServiceUrl"/> for a host that is not loopback.
    /// Off by default (<c>SSB2016</c>): without TLS anyone on the path reads KMS's plaintext data keys and can change
    /// records. <c>https://</c> and loopback <c>http://</c> are always allowed.
    /// </summary>
    public bool AllowInsecureEndpoint { get; init; }

    /// <summary>
    /// The most revisions a write keeps per secret in the store's history (the newest ones, the current one and
    /// deletions included), or null to keep all (the default). Below 1 is <c>SSB0003</c>. Applied by the writes of this
    /// process: older revisions go with the next write of that secret (docs/format.md, "History").
    /// </summary>
    public int? KeepRevisions { get; init; }

    /// <summary>How many data keys to unwrap at once for get-many (default 8).</summary>
    public int MaxDegreeOfParallelism { get; init; } = 8;
}

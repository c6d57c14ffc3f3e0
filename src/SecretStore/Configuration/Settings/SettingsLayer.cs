namespace SecretStore.Configuration.Settings;

/// <summary>
/// One layer of store settings, every member optional: an environment of <c>secretstore.json</c>, the file's shared
/// top level, or what a face was given explicitly (MSBuild properties, Cake settings, CLI options). Layers are
/// merged by <see cref="SettingsResolver"/>: a member set in a higher layer wins, unset members fall through.
/// Relative paths in <see cref="Storage"/> and <see cref="Protection"/> are taken from <see cref="BaseDirectory"/>.
/// </summary>
public sealed record SettingsLayer
{
    /// <summary>The folder relative paths are taken from (the settings file's folder, the project folder, the working directory).</summary>
    public required string BaseDirectory { get; init; }

    /// <summary>Where the layer came from, for messages: <c>secretstore.json environment 'Production'</c>, <c>--store</c>.</summary>
    public string? Origin { get; init; }

    /// <summary>The application of placeholders that name none, and of commands given a bare name.</summary>
    public string? Application { get; init; }

    /// <summary>Storage, <c>file:&lt;path&gt;</c> or <c>dynamodb:&lt;table&gt;</c> (see <see cref="StoreSpec"/>).</summary>
    public string? Storage { get; init; }

    /// <summary>Protection, <c>rsa:&lt;keyring folder&gt;</c> or <c>kms</c> (see <see cref="StoreSpec"/>).</summary>
    public string? Protection { get; init; }

    /// <summary>The master key for writes (keyring key id, KMS key id/ARN/alias).</summary>
    public string? KeyId { get; init; }

    /// <summary>Master keys whose records may be read besides <see cref="KeyId"/>; null: not set in this layer.</summary>
    public IReadOnlyList<string>? AllowedKeyIds { get; init; }

    /// <summary>The recipients of new records (<see cref="StoreSettings.Recipients"/>); null: not set in this layer.</summary>
    public IReadOnlyList<string>? Recipients { get; init; }

    /// <summary>AWS region.</summary>
    public string? Region { get; init; }

    /// <summary>DynamoDB service URL (DynamoDB Local).</summary>
    public string? ServiceUrl { get; init; }

    /// <summary>KMS service URL.</summary>
    public string? KmsServiceUrl { get; init; }

    /// <summary>Name (not value) of an environment variable holding the PEM private key of the RSA keyring.</summary>
    public string? PrivateKeyVariable { get; init; }

    /// <summary>Read (and write) v1 records; null: not set in this layer.</summary>
    public bool? AllowV1 { get; init; }

    /// <summary>Allow an <c>http://</c> service URL off this machine; null: not set in this layer.</summary>
    public bool? AllowInsecureEndpoint { get; init; }

    /// <summary>
    /// The most revisions a write keeps per secret in the store's history (<see cref="StoreSettings.KeepRevisions"/>),
    /// at least 1; null: not set in this layer (and, if no layer sets it, every revision is kept).
    /// </summary>
    public int? KeepRevisions { get; init; }

    /// <summary>
    /// Environment variables and their secrets, for <c>run</c> and <c>export</c> when no mapping is given on the
    /// command line; a higher layer's entry replaces a lower layer's entry of the same variable. Null: not set here.
    /// </summary>
    public IReadOnlyList<Variables.VariableMapping>? Variables { get; init; }
}

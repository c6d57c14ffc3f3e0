using System.CommandLine;
using SecretStore.Cli.Hosting;
using SecretStore.Configuration;

namespace SecretStore.Cli.Options;

/// <summary>
/// The store selection shared by every command that reads or writes secrets, translated into the one
/// <see cref="StoreSettings"/> shape that <see cref="Aws.SecretStoreFactory"/> opens.
/// </summary>
internal sealed class StoreOptions
{
    public const string FilePrefix = "file:";
    public const string DynamoDbPrefix = "dynamodb:";

    public Option<string?> Store { get; } = EnvironmentOption.String("--store", "The secret store: file:<path> (JSON file with an RSA keyring) or dynamodb:<table> (DynamoDB with AWS KMS).", recursive: true);

    public Option<string?> Keyring { get; } = EnvironmentOption.String("--keyring", "File store: the RSA keyring folder.", recursive: true);

    public Option<string?> PrivateKeyEnv { get; } = EnvironmentOption.String("--private-key-env", "File store: name of an environment variable holding the PEM private key (instead of the keyring's key file).", recursive: true);

    public Option<string?> Region { get; } = EnvironmentOption.String("--region", "DynamoDB store: the AWS region (default: the SDK's region chain).", recursive: true);

    public Option<string?> ServiceUrl { get; } = EnvironmentOption.String("--service-url", "DynamoDB store: a DynamoDB endpoint such as DynamoDB Local.", recursive: true);

    public Option<string?> KmsServiceUrl { get; } = EnvironmentOption.String("--kms-service-url", "DynamoDB store: a KMS endpoint (default: AWS KMS).", recursive: true);

    public Option<bool> AllowV1 { get; } = EnvironmentOption.Flag("--allow-v1", "Read (and import) v1 reference-format records, refused by default because v1 has no integrity protection; for migrating them with 'import' and 'rewrap' only.", recursive: true);

    public Option<bool> AllowInsecureEndpoint { get; } = EnvironmentOption.Flag("--allow-insecure-endpoint", "DynamoDB store: allow an http:// --service-url or --kms-service-url for a host that is not this machine, refused by default (SSB2016) because KMS answers carry plaintext data keys; for a trusted network only.", recursive: true);

    public Option<string[]> AllowedKeyIds { get; } = new("--allowed-key-id")
    {
        Description = "A master key whose records may be read, besides the write key (repeatable). DynamoDB store: a KMS key ARN, key id, alias name or alias ARN; without any, reads are refused (SSB3013). File store: a keyring key id; without any, the keys whose private half you hold. Environment: " + AllowedKeyIdsVariable + " (comma-separated).",
        Recursive = true,
        AllowMultipleArgumentsPerToken = false,
        DefaultValueFactory = _ => [.. KeyIdList.Parse(Environment.GetEnvironmentVariable(AllowedKeyIdsVariable))],
    };

    public const string AllowedKeyIdsVariable = EnvironmentOption.Prefix + "ALLOWED_KEY_IDS";

    public IEnumerable<Option> All => [Store, Keyring, PrivateKeyEnv, Region, ServiceUrl, KmsServiceUrl, AllowV1, AllowInsecureEndpoint, AllowedKeyIds];

    /// <summary>Builds the settings; a missing or malformed selection is a usage error (exit 2).</summary>
    public StoreSettings ToSettings(ParseResult parse, string? keyId = null)
    {
        var store = parse.GetValue(Store)
            ?? throw new UsageException($"No secret store given: pass --store file:<path> or --store dynamodb:<table> (or set {EnvironmentOption.VariableFor("--store")}).");
        if (store.StartsWith(FilePrefix, StringComparison.OrdinalIgnoreCase))
        {
            var path = store[FilePrefix.Length..];
            if (path.Length == 0)
            {
                throw new UsageException("--store file: needs a path, for example --store file:secrets.json.");
            }

            return new StoreSettings
            {
                Provider = StoreProvider.File,
                FilePath = path,
                KeyringPath = parse.GetValue(Keyring)
                    ?? throw new UsageException($"A file store needs --keyring <dir> (or {EnvironmentOption.VariableFor("--keyring")})."),
                PrivateKeyEnvironmentVariable = parse.GetValue(PrivateKeyEnv),
                KeyId = keyId,
                AllowV1 = parse.GetValue(AllowV1),
                AllowedKeyIds = KeyIdList.Parse(parse.GetValue(AllowedKeyIds)),
            };
        }

        if (store.StartsWith(DynamoDbPrefix, StringComparison.OrdinalIgnoreCase))
        {
            var table = store[DynamoDbPrefix.Length..];
            if (table.Length == 0)
            {
                throw new UsageException("--store dynamodb: needs a table name, for example --store dynamodb:Secrets.");
            }

            return new StoreSettings
            {
                Provider = StoreProvider.Aws,
                Table = table,
                Region = parse.GetValue(Region),
                ServiceUrl = parse.GetValue(ServiceUrl),
                KmsServiceUrl = parse.GetValue(KmsServiceUrl),
                KeyId = keyId,
                AllowV1 = parse.GetValue(AllowV1),
                AllowInsecureEndpoint = parse.GetValue(AllowInsecureEndpoint),
                AllowedKeyIds = KeyIdList.Parse(parse.GetValue(AllowedKeyIds)),
            };
        }

        throw new UsageException($"--store is not file:<path> or dynamodb:<table> (the text given is {UsageErrors.NotRepeated}).");
    }
}

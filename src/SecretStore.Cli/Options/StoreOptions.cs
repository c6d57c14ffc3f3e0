using System.CommandLine;
using SecretStore.Configuration;
using SecretStore.Cli.Hosting;
using SecretStore.Configuration.Settings;
using SecretStore.Diagnostics;
using SettingsFileName = SecretStore.Configuration.Settings.SettingsFile;
using SecretStore.Running;

namespace SecretStore.Cli.Options;

/// <summary>
/// The store selection shared by every command that reads or writes secrets: the settings file and environment, and
/// the explicit options that override it, translated into the engine's one <see cref="StoreSelection"/>.
/// </summary>
internal sealed class StoreOptions
{
    public Option<string?> SettingsFile { get; } = EnvironmentOption.String("--settings", $"The settings file (default: the nearest {SettingsFileName.FileName} in the working directory or a folder above it).", recursive: true);

    public Option<string?> Environment { get; } = EnvironmentOption.String("--env", $"The environment of {SettingsFileName.FileName} to use (default: its defaultEnvironment).", recursive: true);

    public Option<string?> Store { get; } = EnvironmentOption.String("--store", $"The storage: {StoreSpec.StorageForms} (default: the settings file's).", recursive: true);

    public Option<string?> Protection { get; } = EnvironmentOption.String("--protection", $"The protection: {StoreSpec.ProtectionForms} (default: the settings file's; kms for dynamodb: storage).", recursive: true);

    public Option<string?> Keyring { get; } = EnvironmentOption.String("--keyring", "RSA protection: the keyring folder (shorthand for --protection rsa:<folder>).", recursive: true);

    public Option<string?> PrivateKeyEnv { get; } = EnvironmentOption.String("--private-key-env", "RSA protection: name of an environment variable holding the PEM private key (instead of the keyring's key file).", recursive: true);

    public Option<string?> Region { get; } = EnvironmentOption.String("--region", "AWS (DynamoDB, KMS): the region (default: the SDK's region chain).", recursive: true);

    public Option<string?> ServiceUrl { get; } = EnvironmentOption.String("--service-url", "DynamoDB storage: an endpoint such as DynamoDB Local.", recursive: true);

    public Option<string?> KmsServiceUrl { get; } = EnvironmentOption.String("--kms-service-url", "KMS protection: a KMS endpoint (default: AWS KMS).", recursive: true);

    public Option<bool> AllowV1 { get; } = EnvironmentOption.Flag("--allow-v1", "Read (and import) v1 reference-format records, refused by default because v1 has no integrity protection; for migrating them with 'import' and 'rewrap' only.", recursive: true);

    public Option<bool> AllowInsecureEndpoint { get; } = EnvironmentOption.Flag("--allow-insecure-endpoint", "Allow an http:// --service-url or --kms-service-url for a host that is not this machine, refused by default (SSB2016) because KMS answers carry plaintext data keys; for a trusted network only.", recursive: true);

    public Option<int?> KeepRevisions { get; } = EnvironmentOption.PositiveInteger("--keep-revisions", "History retention: the most revisions a write keeps per secret (the newest ones; the current revision and deletions count), at least 1 (default: the settings file's keepRevisions, else every revision).", recursive: true);

    public Option<string[]> AllowedKeyIds { get; } = new("--allowed-key-id")
    {
        Description = "A master key whose records may be read, besides the write key (repeatable). KMS: a key ARN, key id, alias name or alias ARN; without any, reads are refused (SSB3013). RSA: a keyring key id; without any, the keys whose private half you hold. Environment: " + AllowedKeyIdsVariable + " (comma-separated).",
        Recursive = true,
        AllowMultipleArgumentsPerToken = false,
        DefaultValueFactory = _ => [.. KeyIdList.Parse(System.Environment.GetEnvironmentVariable(AllowedKeyIdsVariable))],
    };

    public const string AllowedKeyIdsVariable = EnvironmentOption.Prefix + "ALLOWED_KEY_IDS";

    public Option<string[]> Recipients { get; } = new("--recipients")
    {
        Description = "The master keys new records are written for, comma-separated or repeated; the first is each record's primary key and any one opens a record (at most 16). RSA: keyring key ids (a public key is enough to write for someone); KMS: key ids, ARNs or aliases, also allowed for reading. Default: the settings file's recipients, else the write key alone. Environment: " + RecipientsVariable + ".",
        Recursive = true,
        AllowMultipleArgumentsPerToken = false,
        DefaultValueFactory = _ => [.. KeyIdList.Parse(System.Environment.GetEnvironmentVariable(RecipientsVariable))],
    };

    public const string RecipientsVariable = EnvironmentOption.Prefix + "RECIPIENTS";

    public IEnumerable<Option> All => [SettingsFile, Environment, Store, Protection, Keyring, PrivateKeyEnv, Region, ServiceUrl, KmsServiceUrl, AllowV1, AllowInsecureEndpoint, AllowedKeyIds, Recipients, KeepRevisions];

    /// <summary>The selection for the engine; <paramref name="application"/> and <paramref name="keyId"/> are a command's own options.</summary>
    public StoreSelection ToSelection(ParseResult parse, Func<string, string?> environment, string? application = null, string? keyId = null)
    {
        var workingDirectory = Directory.GetCurrentDirectory();
        var allowed = KeyIdList.Parse(parse.GetValue(AllowedKeyIds));
        var recipients = KeyIdList.Parse(parse.GetValue(Recipients));
        return new StoreSelection
        {
            WorkingDirectory = workingDirectory,
            SettingsFile = parse.GetValue(SettingsFile),
            Environment = parse.GetValue(Environment) is { Length: > 0 } name
                ? new EnvironmentChoice(name, parse.GetResult(Environment) is { Implicit: false } ? "--env" : EnvironmentOption.VariableFor("--env"))
                : null,
            EnvironmentVariables = environment,
            Explicit = new SettingsLayer
            {
                BaseDirectory = workingDirectory,
                Origin = "the command line",
                Application = application,
                Storage = Checked("--store", StoreSpec.Choose(("--store", parse.GetValue(Store), "")), StoreSpec.WithStorage, workingDirectory),
                Protection = Checked("--protection", StoreSpec.Choose(("--protection", parse.GetValue(Protection), ""), ("--keyring", parse.GetValue(Keyring), StoreSpec.RsaPrefix)), StoreSpec.WithProtection, workingDirectory),
                PrivateKeyVariable = parse.GetValue(PrivateKeyEnv),
                KeyId = keyId,
                AllowedKeyIds = allowed.Count == 0 ? null : allowed,
                Recipients = recipients.Count == 0 ? null : recipients,
                Region = parse.GetValue(Region),
                ServiceUrl = parse.GetValue(ServiceUrl),
                KmsServiceUrl = parse.GetValue(KmsServiceUrl),
                // A flag given on the command line wins; otherwise the variable (read by the engine) and the settings file decide.
                AllowV1 = Given(parse, AllowV1),
                AllowInsecureEndpoint = Given(parse, AllowInsecureEndpoint),
                KeepRevisions = parse.GetValue(KeepRevisions),
            },
        };
    }

    /// <summary>A malformed <c>--store</c>/<c>--protection</c> is a usage error (exit 2), like any other bad option value.</summary>
    private static string? Checked(string option, string? spec, Func<StoreSettings, string, string, string, StoreSettings> apply, string workingDirectory)
    {
        if (spec is null)
        {
            return null;
        }

        try
        {
            apply(new StoreSettings(), option, spec, workingDirectory);
            return spec;
        }
        catch (SecretStoreException error) when (error.Code == DiagnosticCodes.InvalidStoreConfiguration)
        {
            throw new UsageException(error.Diagnostics[0].Message);
        }
    }

    private static bool? Given(ParseResult parse, Option<bool> option) =>
        parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option) : null;
}

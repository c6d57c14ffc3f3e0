using Cake.Core.IO;
using SecretStore.Resolution;

namespace Cake.SecretStore;

/// <summary>
/// Where the secrets live and how resolution behaves. Whatever is left unset comes from <c>secretstore.json</c>
/// (found from the script's working directory upwards; see docs/settings.md). Relative paths are taken from the
/// script's working directory.
/// </summary>
public sealed class SecretStoreSettings
{
    /// <summary>The environment of <c>secretstore.json</c> to use (for example <c>Production</c>). Null: the file's <c>defaultEnvironment</c>.</summary>
    public string? Environment { get; set; }

    /// <summary>An explicit settings file instead of the search for <c>secretstore.json</c>.</summary>
    public FilePath? SettingsFile { get; set; }

    /// <summary>Storage: <c>file:&lt;path&gt;</c>, <c>dynamodb:&lt;table&gt;</c> or <c>postgres:&lt;environment variable holding the connection string&gt;</c>. Or use the shorthands <see cref="StoreFile"/> / <see cref="Table"/>.</summary>
    public string? Storage { get; set; }

    /// <summary>Protection: <c>rsa:&lt;keyring folder&gt;</c> or <c>kms</c>. Or use the shorthand <see cref="KeyringPath"/>.</summary>
    public string? Protection { get; set; }

    /// <summary>File storage: the store file (shorthand for <c>Storage = "file:..."</c>).</summary>
    public FilePath? StoreFile { get; set; }

    /// <summary>RSA protection: the keyring folder (shorthand for <c>Protection = "rsa:..."</c>).</summary>
    public DirectoryPath? KeyringPath { get; set; }

    /// <summary>
    /// File store: name of an environment variable holding the PEM private key (CI systems hand secrets out as
    /// variables); used instead of the keyring's private key file.
    /// </summary>
    public string? PrivateKeyEnvironmentVariable { get; set; }

    /// <summary>The master key id for writes (keyring key id, or KMS key id/ARN/alias). Null: the store's default.</summary>
    public string? KeyId { get; set; }

    /// <summary>
    /// The master keys whose records may be read besides <see cref="KeyId"/> (KMS key ARNs, key ids, alias names or
    /// alias ARNs; keyring key ids). A record under any other key fails with SSB3012. Empty: for AWS only
    /// <see cref="KeyId"/> (neither set: reads fail with SSB3013); for a keyring the keys whose private half it holds.
    /// </summary>
    public IList<string> AllowedKeyIds { get; set; } = [];

    /// <summary>
    /// The master keys new records are written for (settings file <c>recipients</c>): the first is each record's primary
    /// key and any one of them opens a record (at most 16). Empty: <see cref="KeyId"/> or the keyring's default key alone.
    /// </summary>
    public IList<string> Recipients { get; set; } = [];

    /// <summary>DynamoDB storage: the table name (shorthand for <c>Storage = "dynamodb:..."</c>).</summary>
    public string? Table { get; set; }

    /// <summary>AWS: the region, for example <c>eu-west-1</c>. Null: the SDK's default chain.</summary>
    public string? Region { get; set; }

    /// <summary>AWS: a DynamoDB service URL for local endpoints; null for AWS itself.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>AWS: a KMS service URL for local endpoints; null for AWS itself.</summary>
    public string? KmsServiceUrl { get; set; }

    /// <summary>
    /// Read (and replace) v1 reference-format records, refused by default (<c>SSB2009</c>) because v1 has no
    /// integrity protection; for migrating an old store only. Null: the <c>SECRETSTORE_ALLOW_V1</c> environment
    /// variable (<c>true/false</c>, <c>1/0</c>, <c>yes/no</c>; anything else is <c>SSB0001</c>), else false.
    /// </summary>
    public bool? AllowV1 { get; set; }

    /// <summary>
    /// AWS: allow an <c>http://</c> <see cref="ServiceUrl"/> or <see cref="KmsServiceUrl"/> for a host that is not
    /// loopback, refused by default (<c>SSB2016</c>) because KMS answers carry plaintext data keys; for a trusted
    /// network only. Null: the <c>SECRETSTORE_ALLOW_INSECURE_ENDPOINT</c> environment variable (strict boolean), else false.
    /// </summary>
    public bool? AllowInsecureEndpoint { get; set; }

    /// <summary>
    /// <c>SetSecret</c>: the most revisions a write keeps per secret in the store's history (the newest ones; the
    /// current revision and deletions count), at least 1; older revisions are removed by that write. Below 1 is
    /// <c>SSB0003</c>. Null: <c>keepRevisions</c> of <c>secretstore.json</c>, else every revision is kept.
    /// </summary>
    public int? KeepRevisions { get; set; }

    /// <summary>The application of placeholders that name none (<c>#{secret:Name}</c>), and of <c>GetSecret</c>/<c>SetSecret</c> calls given a null application.</summary>
    public string? DefaultApplication { get; set; }

    /// <summary>Where to write the redacted report: JSON, or Markdown when the path ends in <c>.md</c>. Null: no report.</summary>
    public FilePath? ReportPath { get; set; }

    /// <summary>When true, finding no placeholder at all is an error (<c>SSB1010</c>).</summary>
    public bool RequirePlaceholders { get; set; }

    /// <summary>
    /// True: move <c>secretstore.lock.json</c> on purpose (not enforced; written with the revisions this run reads, when
    /// it succeeds). False (default): a lock next to <c>secretstore.json</c> is enforced (<c>SSB2020</c>, <c>SSB2021</c>).
    /// </summary>
    public bool UpdateLock { get; set; }

    /// <summary>
    /// Files or globs (relative to the working directory) resolved with the others when they find a file and skipped
    /// when they find none. The files given to the alias are required: a path that does not exist or a glob that
    /// matches nothing is an error (<c>SSB1009</c>), as in MSBuild and the CLI.
    /// </summary>
    /// <example>
    /// <code>
    /// var settings = new SecretStoreSettings();
    /// settings.OptionalFiles.Add("./publish/appsettings.Production.json");
    /// settings.OptionalFiles.Add("./publish/**/*.dll.config");
    /// ResolveSecrets("./publish/appsettings.json", settings);
    /// </code>
    /// </example>
    public IList<string> OptionalFiles { get; } = new List<string>();

    /// <summary>
    /// The format of every file of the call, instead of the one each file's extension gives: <c>json</c>, <c>xml</c>,
    /// <c>text</c>, <c>ini</c>, <c>properties</c>, <c>env</c> or <c>yaml</c> (the MSBuild item metadata <c>Format</c> and the CLI's <c>--format</c> are the same).
    /// Null or empty: by extension.
    /// </summary>
    /// <example>
    /// <code>
    /// ResolveSecrets("./publish/settings.cfg", new SecretStoreSettings { Format = "ini" });
    /// </code>
    /// </example>
    public string? Format { get; set; }

    /// <summary>When false, a missing <c>optional</c> secret is an error as well. Default true.</summary>
    public bool AllowOptional { get; set; } = true;

    /// <summary>
    /// <c>SetSecret</c>: store an empty or whitespace-only value on purpose. Default false: such a value is refused
    /// (<c>SSB2017</c>) and nothing is written, since it is what an unset or misspelt CI variable gives.
    /// </summary>
    public bool AllowEmpty { get; set; }

    /// <summary>
    /// Structured mode, no placeholder needed: each mapping puts a secret at a configuration path
    /// (<c>ConnectionStrings:Default</c>) of the JSON or web.config/app.config files being resolved.
    /// </summary>
    /// <example>
    /// <code>
    /// var settings = new SecretStoreSettings();
    /// settings.Mappings.Add(new SecretMapping { ConfigurationPath = "ConnectionStrings:Default", Secret = "Shop/Db" });
    /// ResolveSecrets("./publish/appsettings.json", settings);
    /// </code>
    /// </example>
    public IList<SecretMapping> Mappings { get; } = new List<SecretMapping>();
}

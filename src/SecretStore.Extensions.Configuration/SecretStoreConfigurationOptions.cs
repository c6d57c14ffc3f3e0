using Microsoft.Extensions.Logging;
using SecretStore.Diagnostics;
using SecretStore.Runtime;
using SecretStore.Secrets;

namespace SecretStore.Extensions.Configuration;

/// <summary>
/// Options of <see cref="SecretStoreConfigurationExtensions.AddSecretStore(Microsoft.Extensions.Configuration.IConfigurationBuilder, Action{SecretStoreConfigurationOptions})"/>.
/// Without any store option the source reads <c>secretstore.json</c> (found from the content root upwards) and its
/// environment named like the host's, as publish, Cake and the CLI do. Every store option can also come from the
/// <c>SecretStore</c> section of the configuration added before the source (<c>SecretStore:Storage</c>, the variable
/// <c>SecretStore__Storage</c>); an option set in code wins.
/// </summary>
public sealed class SecretStoreConfigurationOptions
{
    /// <summary>Placeholders (default) or Section.</summary>
    public SecretStoreConfigurationMode Mode { get; set; } = SecretStoreConfigurationMode.Placeholders;

    /// <summary>
    /// When true, a first load that fails leaves the source empty (and logs <c>SSB0008</c>) instead of throwing; the
    /// reload timer keeps trying. Default false: the app does not start on a broken secret.
    /// </summary>
    public bool Optional { get; set; }

    /// <summary>How often the secrets are checked for changes; null (default) loads once. Jittered by <see cref="ReloadJitter"/>.</summary>
    public TimeSpan? ReloadInterval { get; set; }

    /// <summary>
    /// The fraction by which each reload delay is moved at random, either way (default 0.1: ±10%), so a fleet of apps
    /// started together does not reach the backend together.
    /// </summary>
    public double ReloadJitter { get; set; } = 0.1;

    /// <summary>
    /// The most KMS unwraps (or keyring operations) in flight during a load, and reads in flight when a batch is read
    /// one by one. Default 32: an app's start is what waits for them (100 secrets at 5 ms per KMS call take 4
    /// rounds instead of 13 at the publish default of 8; docs/benchmarks.md). Lower it when a large fleet shares one KMS request quota.
    /// </summary>
    public int MaxConcurrency { get; set; } = 32;

    /// <summary>Section mode: only secret names that start with this prefix (ordinal).</summary>
    public string? NamePrefix { get; set; }

    /// <summary>
    /// Section mode: the configuration key of a secret, or null to leave it out. Default <see cref="SectionKeys.Default"/>
    /// (<c>ConnectionStrings.Default</c> → <c>ConnectionStrings:Default</c>); <see cref="SectionKeys.TrimPrefix"/> drops the prefix.
    /// </summary>
    public Func<SecretId, string?>? KeyForSecret { get; set; }

    /// <summary>
    /// Per-secret policy for a secret that is missing or cannot be read. Default: every failure fails the load, as at
    /// publish. <see cref="SecretFailureAction.Skip"/> leaves that secret's keys unset and logs a coded warning.
    /// </summary>
    public Func<SecretId, SecretFailureAction>? FailurePolicy { get; set; }

    /// <summary>Where warnings go (coded, never a value). Default: <see cref="OnDiagnostic"/>, else standard error.</summary>
    public ILogger? Logger { get; set; }

    /// <summary>Receives every warning (<c>SSB0008</c> reload failed, <c>SSB1013</c> skipped secret); default: none.</summary>
    public Action<Diagnostic>? OnDiagnostic { get; set; }

    /// <summary>A store the caller opened and owns (tests, custom backends); the settings options below are then not read.</summary>
    public ISecretStore? Store { get; set; }

    /// <summary>The environment of <c>secretstore.json</c>; default: the host's environment name (it must then exist there).</summary>
    public string? Environment { get; set; }

    /// <summary>An explicit settings file; default: <c>secretstore.json</c> found from <see cref="WorkingDirectory"/> upwards.</summary>
    public string? SettingsFile { get; set; }

    /// <summary>Where the settings file is looked for and relative paths start; default: the host's content root, else the current directory.</summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>The application of placeholders that name none (section mode: the one loaded); default: the settings', else the entry assembly's name.</summary>
    public string? Application { get; set; }

    /// <summary>Storage, <c>file:&lt;path&gt;</c> or <c>dynamodb:&lt;table&gt;</c>; overrides the settings file.</summary>
    public string? Storage { get; set; }

    /// <summary>Protection, <c>rsa:&lt;keyring folder&gt;</c> or <c>kms</c>; overrides the settings file.</summary>
    public string? Protection { get; set; }

    /// <summary>The master key id (keyring key id, KMS key id, ARN or alias).</summary>
    public string? KeyId { get; set; }

    /// <summary>Further master keys whose records may be read.</summary>
    public IList<string> AllowedKeyIds { get; } = [];

    /// <summary>AWS region.</summary>
    public string? Region { get; set; }

    /// <summary>DynamoDB service URL (DynamoDB Local).</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>KMS service URL.</summary>
    public string? KmsServiceUrl { get; set; }

    /// <summary>Name (not value) of the environment variable holding the reader secret of an RSA keyring.</summary>
    public string? PrivateKeyVariable { get; set; }

    /// <summary>Allow an <c>http://</c> service URL off this machine (a trusted network only).</summary>
    public bool? AllowInsecureEndpoint { get; set; }
}

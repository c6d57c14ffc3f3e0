using Microsoft.Build.Framework;
using SecretStore.Configuration;
using SecretStore.Diagnostics;
using SecretStore.Resolution;

namespace SecretStore.Build.Tasks;

/// <summary>
/// Resolves the secret placeholders (and <c>SecretStoreMapping</c> items) in the config files of one folder,
/// normally the publish folder. It receives paths and options only, reads the secrets itself and writes the
/// files itself: no value ever becomes a task parameter, an output, an item or a log message.
/// </summary>
public sealed class ResolveSecrets : SecretStoreTask
{
    /// <summary>The folder whose files are resolved; relative config file patterns are taken from here.</summary>
    [Required]
    public string Directory { get; set; } = string.Empty;

    /// <summary>
    /// Files or globs relative to <see cref="Directory"/> (<c>appsettings*.json</c>); <c>!glob</c> excludes.
    /// Metadata <c>Optional="true"</c>: a plain path that does not exist is skipped instead of failing.
    /// </summary>
    public ITaskItem[] ConfigFiles { get; set; } = [];

    /// <summary>
    /// Structured mode: <c>Include</c> is a configuration path (<c>ConnectionStrings:Default</c>); metadata
    /// <c>Secret</c> (<c>Name</c> or <c>Application/Name</c>), optional <c>File</c> (name or pattern) and
    /// <c>Optional</c>.
    /// </summary>
    public ITaskItem[] Mappings { get; set; } = [];

    /// <summary>The application of placeholders that name none.</summary>
    public string? Application { get; set; }

    /// <summary><c>File</c> (default) or <c>Aws</c>.</summary>
    public string? Provider { get; set; }

    /// <summary>File provider: full path of the store file.</summary>
    public string? StoreFile { get; set; }

    /// <summary>File provider: full path of the keyring folder.</summary>
    public string? Keyring { get; set; }

    /// <summary>File provider: name (not value) of an environment variable holding the private key PEM.</summary>
    public string? PrivateKeyVariable { get; set; }

    /// <summary>The master key id; null uses the store's default.</summary>
    public string? KeyId { get; set; }

    /// <summary>
    /// The master keys whose records may be read besides <see cref="KeyId"/>, separated by semicolons
    /// (<c>SecretStoreAllowedKeyIds</c>); a record under any other key fails with SSB3012.
    /// </summary>
    public string? AllowedKeyIds { get; set; }

    /// <summary>AWS provider: DynamoDB table.</summary>
    public string? Table { get; set; }

    /// <summary>AWS provider: region.</summary>
    public string? Region { get; set; }

    /// <summary>AWS provider: service URL of a local endpoint.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>AWS provider: separate KMS service URL.</summary>
    public string? KmsServiceUrl { get; set; }

    /// <summary><c>Resolve</c> (default) writes the files; <c>Verify</c> checks everything and writes nothing.</summary>
    public string? Mode { get; set; }

    /// <summary>Where to write the redacted report (JSON, or Markdown for <c>.md</c>); empty for none.</summary>
    public string? ReportPath { get; set; }

    /// <summary>When true, a listed file without placeholders is an error. Parsed by the engine's boolean parser.</summary>
    public string? RequirePlaceholders { get; set; }

    /// <summary>
    /// True (default): a missing <c>|optional</c> secret keeps its placeholder with warning <c>SSB1013</c>; false:
    /// it is an error. Parsed by the engine's boolean parser.
    /// </summary>
    public string? AllowOptional { get; set; }

    /// <summary>
    /// Read v1 records, refused by default (<c>SSB2009</c>); empty falls back to <c>SECRETSTORE_ALLOW_V1</c>. For
    /// migrating an old store only. Parsed by the engine's boolean parser.
    /// </summary>
    public string? AllowV1 { get; set; }

    /// <summary>
    /// AWS provider: allow an <c>http://</c> service URL for a host that is not loopback, refused by default
    /// (<c>SSB2016</c>); empty falls back to <c>SECRETSTORE_ALLOW_INSECURE_ENDPOINT</c>. Parsed by the engine's boolean parser.
    /// </summary>
    public string? AllowInsecureEndpoint { get; set; }

    /// <summary>The files that were rewritten (paths only), so the next publish copies them afresh.</summary>
    [Output]
    public ITaskItem[] WrittenFiles { get; private set; } = [];

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken cancellationToken)
    {
        var settings = TaskSettings.ToStoreSettings(this);
        var mode = TaskSettings.ParseMode(Mode);
        var files = ExpandConfigFiles();
        var mappings = Mappings.Select(TaskSettings.ToMapping).ToList();
        var requirePlaceholders = SettingValue.ParseBoolean("SecretStoreRequirePlaceholders", RequirePlaceholders, defaultValue: false);
        var allowOptional = SettingValue.ParseBoolean("SecretStoreAllowOptional", AllowOptional, defaultValue: true);

        using var store = StoreFactory.Create(settings);
        var resolver = new SecretResolver(store);
        var result = await resolver.ResolveAsync(
            new ResolveRequest
            {
                Files = files,
                BaseDirectory = Path.GetFullPath(Directory),
                DefaultApplication = string.IsNullOrWhiteSpace(Application) ? null : Application,
                Mode = mode,
                RequirePlaceholders = requirePlaceholders,
                AllowOptional = allowOptional,
                Mappings = mappings,
                ReportPath = string.IsNullOrWhiteSpace(ReportPath) ? null : ReportPath,
            },
            cancellationToken).ConfigureAwait(false);

        Log.LogDiagnostics(result.Diagnostics, ProjectFile);
        WrittenFiles = [.. result.Report.Files.Where(f => f.Written).Select(f => new Microsoft.Build.Utilities.TaskItem(f.Path))];

        if (result.Succeeded)
        {
            var verb = mode == ResolveMode.Verify ? "verified" : "resolved";
            var written = mode == ResolveMode.Verify ? "nothing written" : $"{result.FilesWritten} file(s) written";
            Log.LogDiagnostic(new Diagnostic(
                DiagnosticCodes.Summary,
                DiagnosticSeverity.Info,
                $"SecretStore {verb} {result.PlaceholderCount} placeholder(s) using {result.SecretCount} secret(s) in {result.FilesScanned} file(s) under '{Directory}'; {written}."),
                ProjectFile);
        }
    }

    private List<string> ExpandConfigFiles()
    {
        var baseDirectory = Path.GetFullPath(Directory);
        var patterns = new List<string>();
        foreach (var item in ConfigFiles)
        {
            var spec = item.ItemSpec;
            var optional = SettingValue.ParseBoolean($"The Optional metadata of SecretStoreConfigFile '{spec}'", item.GetMetadata("Optional"), defaultValue: false);
            var isGlob = spec.StartsWith('!') || spec.AsSpan().IndexOfAny("*?[") >= 0;
            if (optional && !isGlob && !File.Exists(Path.GetFullPath(spec, baseDirectory)))
            {
                continue;
            }

            patterns.Add(spec);
        }

        return [.. FileGlobs.Expand(baseDirectory, patterns)];
    }
}

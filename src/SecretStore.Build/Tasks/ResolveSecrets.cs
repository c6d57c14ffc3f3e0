using Microsoft.Build.Framework;
using TaskItem = Microsoft.Build.Utilities.TaskItem;
using SecretStore.Aws;
using SecretStore.Resolution;
using SecretStore.Running;

namespace SecretStore.Build.Tasks;

/// <summary>
/// Resolves the secret placeholders (and <c>SecretStoreMapping</c> items) in the config files of one folder,
/// normally the publish folder: a thin adapter over <see cref="SecretStoreRunner"/>. It receives paths and options
/// only; the engine reads the secrets and writes the files itself, so no value ever becomes a task parameter, an
/// output, an item or a log message.
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
    /// <c>Secret</c> (<c>Name</c> or <c>Application/Name</c>), optional <c>File</c> (name or pattern) and <c>Optional</c>.
    /// </summary>
    public ITaskItem[] Mappings { get; set; } = [];

    /// <summary><c>$(MSBuildProjectDirectory)</c>: where the settings file is looked for and relative paths are taken from.</summary>
    public string? ProjectDirectory { get; set; }

    /// <summary><c>SecretStoreSettingsFile</c>: an explicit settings file instead of the search.</summary>
    public string? SettingsFile { get; set; }

    /// <summary><c>SecretStoreEnvironment</c>: the environment of the settings file.</summary>
    public string? Environment { get; set; }

    /// <summary><c>$(EnvironmentName)</c> (publish profiles, ASP.NET Core): the environment when <see cref="Environment"/> is unset.</summary>
    public string? EnvironmentName { get; set; }

    /// <summary><c>SecretStoreApplication</c>: the application of placeholders that name none.</summary>
    public string? Application { get; set; }

    /// <summary><c>$(AssemblyName)</c>: the application when neither <see cref="Application"/> nor the settings file names one.</summary>
    public string? DefaultApplication { get; set; }

    /// <summary>
    /// <c>SecretStoreStorage</c>: <c>file:&lt;path&gt;</c>, <c>dynamodb:&lt;table&gt;</c> or <c>postgres:&lt;variable&gt;</c> (the name
    /// of the environment variable holding the connection string; an inline one is refused, binlogs record properties).
    /// </summary>
    public string? Storage { get; set; }

    /// <summary><c>SecretStoreFile</c>: shorthand for <c>file:&lt;path&gt;</c>.</summary>
    public string? StoreFile { get; set; }

    /// <summary><c>SecretStoreTable</c>: shorthand for <c>dynamodb:&lt;table&gt;</c>.</summary>
    public string? Table { get; set; }

    /// <summary><c>SecretStoreProtection</c>: <c>rsa:&lt;keyring folder&gt;</c> or <c>kms</c>.</summary>
    public string? Protection { get; set; }

    /// <summary><c>SecretStoreKeyring</c>: shorthand for <c>rsa:&lt;folder&gt;</c>.</summary>
    public string? Keyring { get; set; }

    /// <summary><c>SecretStorePrivateKeyVariable</c>: name (not value) of a variable holding the PEM private key.</summary>
    public string? PrivateKeyVariable { get; set; }

    /// <summary><c>SecretStoreKeyId</c>.</summary>
    public string? KeyId { get; set; }

    /// <summary><c>SecretStoreAllowedKeyIds</c>, separated by semicolons.</summary>
    public string? AllowedKeyIds { get; set; }

    /// <summary><c>SecretStoreRegion</c>.</summary>
    public string? Region { get; set; }

    /// <summary><c>SecretStoreServiceUrl</c>.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary><c>SecretStoreKmsServiceUrl</c>.</summary>
    public string? KmsServiceUrl { get; set; }

    /// <summary><c>SecretStoreAllowV1</c>.</summary>
    public string? AllowV1 { get; set; }

    /// <summary><c>SecretStoreAllowInsecureEndpoint</c>.</summary>
    public string? AllowInsecureEndpoint { get; set; }

    /// <summary><c>Resolve</c> (default) writes the files; <c>Verify</c> checks everything and writes nothing; <c>List</c> only names the secrets needed.</summary>
    public string? Mode { get; set; }

    /// <summary>Where to write the redacted report (JSON, or Markdown for <c>.md</c>), relative to the project; empty for none.</summary>
    public string? ReportPath { get; set; }

    /// <summary>When true, a run without any placeholder is an error. Parsed by the engine's boolean parser.</summary>
    public string? RequirePlaceholders { get; set; }

    /// <summary>True (default): a missing <c>|optional</c> secret keeps its placeholder with warning <c>SSB1013</c>; false: an error.</summary>
    public string? AllowOptional { get; set; }

    /// <summary>
    /// True: move <c>secretstore.lock.json</c> on purpose (not enforced; written with the revisions this publish reads,
    /// when it succeeds). Default false: a lock next to <c>secretstore.json</c> is enforced (<c>SSB2020</c>, <c>SSB2021</c>).
    /// </summary>
    public string? UpdateLock { get; set; }

    /// <summary>
    /// The files the publish copied (<c>ResolvedFileToPublish</c>; metadata <c>RelativePath</c>), so that an error in a
    /// publish copy points at the project file it came from (<see cref="PublishSourceMap"/>). Paths only.
    /// </summary>
    public ITaskItem[] SourceFiles { get; set; } = [];

    /// <summary>The files that were rewritten (paths only), so the next publish copies them afresh.</summary>
    [Output]
    public ITaskItem[] WrittenFiles { get; private set; } = [];

    /// <summary>List mode: one item per secret the files need (<c>Application/Name</c>; metadata <c>Optional</c>, <c>References</c>). Names only.</summary>
    [Output]
    public ITaskItem[] RequiredSecrets { get; private set; } = [];

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken cancellationToken)
    {
        var mode = TaskSettings.ParseMode(Mode);
        var options = new ResolveOptions
        {
            Store = TaskSettings.ToSelection(this),
            Files = [.. ConfigFiles.Select(TaskSettings.ToFileSpec)],
            BaseDirectory = Path.GetFullPath(Directory),
            Mode = mode,
            Mappings = [.. Mappings.Select(TaskSettings.ToMapping)],
            RequirePlaceholders = TaskSettings.Switch("SecretStoreRequirePlaceholders", RequirePlaceholders) ?? false,
            AllowOptional = TaskSettings.Switch("SecretStoreAllowOptional", AllowOptional) ?? true,
            UpdateLock = TaskSettings.Switch("SecretStoreUpdateLock", UpdateLock) ?? false,
            ReportPath = TaskSettings.Empty(ReportPath),
            NoFileAdvice = NoFileAdvice,
        };

        var result = await new SecretStoreRunner(SecretStoreFactory.Default).ResolveAsync(options, cancellationToken).ConfigureAwait(false);
        var sources = PublishSourceMap.Create(options.BaseDirectory, ProjectDirectory, SourceFiles);
        var written = result.WrittenFiles.ToHashSet(StringComparer.Ordinal);
        Log.LogDiagnostics(result.Diagnostics.Select(d => sources.ToSource(d, written)), ProjectFile);
        if (result.LockWritten is { } lockFile)
        {
            Log.LogMessage(MessageImportance.High, "{0}", SecretStore.Diagnostics.LogText.Escape($"SecretStore: {lockFile}: {result.LockedSecrets} secret(s) locked."));
        }

        WrittenFiles = [.. result.WrittenFiles.Select(path => new TaskItem(path))];
        RequiredSecrets = [.. result.RequiredSecrets.Select(ToItem)];
        if (mode == ResolveMode.List)
        {
            foreach (var secret in result.RequiredSecrets)
            {
                Log.LogMessage(MessageImportance.High, "{0}", SecretStore.Diagnostics.LogText.Escape($"SecretStore needs {secret.Application}/{secret.Name} ({(secret.Optional ? "optional" : "required")}, {secret.References} reference(s))."));
            }
        }

        // Normal importance: listed at 'dotnet publish -v:n' and above, one line per file written, counts only.
        foreach (var file in result.Report?.Files.Where(f => f.Written) ?? [])
        {
            var resolved = file.Placeholders.Count(p => p.Outcome == SecretStore.Resolution.Reporting.PlaceholderOutcome.Resolved);
            Log.LogMessage(MessageImportance.Normal, "{0}", SecretStore.Diagnostics.LogText.Escape($"SecretStore: {Path.GetRelativePath(options.BaseDirectory, file.Path)}: {resolved} placeholder(s) resolved."));
        }

        if (result.Summary is { } summary)
        {
            Log.LogDiagnostic(summary, ProjectFile);
        }
    }

    /// <summary>
    /// The fix for SSB1023 in a project: a console project does not copy appsettings.json to the publish folder
    /// unless told to, which is the usual reason the default globs find nothing there.
    /// </summary>
    private string NoFileAdvice()
    {
        var projectDirectory = string.IsNullOrEmpty(ProjectDirectory) ? null : Path.GetFullPath(ProjectDirectory);
        var inProject = projectDirectory is not null && System.IO.Directory.Exists(projectDirectory)
            ? System.IO.Directory.EnumerateFiles(projectDirectory, "appsettings*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList()
            : [];
        return inProject.Count > 0
            ? $"The project folder has {string.Join(", ", inProject)}, but the publish folder does not. Fix: add <None Update=\"appsettings*.json\" CopyToPublishDirectory=\"PreserveNewest\" /> to the project (a console project does not publish them by default), or list the files as SecretStoreConfigFile items."
            : "Fix: add SecretStoreConfigFile items for the project's config files, or set SecretStoreEnabled=false in a project without secrets.";
    }

    private static TaskItem ToItem(SecretStore.Resolution.Reporting.RequiredSecret secret)
    {
        var item = new TaskItem($"{secret.Application}/{secret.Name}");
        item.SetMetadata("Optional", secret.Optional ? "true" : "false");
        item.SetMetadata("References", secret.References.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return item;
    }
}

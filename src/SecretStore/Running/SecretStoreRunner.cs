using System.Globalization;
using SecretStore.Configuration.Settings;
using SecretStore.Diagnostics;
using SecretStore.IO;
using SecretStore.Locking;
using SecretStore.Resolution;
using SecretStore.Stores;

namespace SecretStore.Running;

/// <summary>
/// The one engine entry point of the faces (the shape of Nerdbank.GitVersioning's shared commands): options in,
/// result out. Settings, store opening, file expansion, resolution, the summary and the failure policy live here;
/// the MSBuild task, the Cake aliases and the CLI only translate their inputs into <see cref="ResolveOptions"/> or
/// <see cref="StoreSelection"/> and the result into their logging.
/// </summary>
/// <param name="factory">Opens stores (every face passes <c>SecretStore.Aws.SecretStoreFactory.Default</c>).</param>
public sealed class SecretStoreRunner(ISecretStoreFactory factory)
{
    private readonly ISecretStoreFactory _factory = factory ?? throw new ArgumentNullException(nameof(factory));

    /// <summary>
    /// Resolves, verifies or lists the placeholders of the files. Never throws for anything a user can cause: every
    /// problem is a coded diagnostic of the result (<see cref="FailurePolicy"/>); only cancellation throws. The store is
    /// opened only when a secret is needed, and disposed before this returns.
    /// </summary>
    public async Task<RunResult> ResolveAsync(ResolveOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Store);
        var workingDirectory = Path.GetFullPath(options.Store.WorkingDirectory);
        var baseDirectory = Path.GetFullPath(options.BaseDirectory ?? workingDirectory, workingDirectory);
        ResolvedSettings? settings = null;
        EnvelopeSecretStore? opened = null;
        try
        {
            settings = options.Store.Resolve();
            var files = ExpandFiles(baseDirectory, options.Files);
            var formats = FormatsOf(baseDirectory, options.Files, files);

            // The lock sits next to the settings file the run found (one per repository or folder of projects); without
            // a settings file, in the working directory. Present, it is enforced; a lock that does not parse stops the run.
            var lockPath = SecretLock.PathFor(settings.SettingsFilePath, workingDirectory);
            var lockFile = SecretLock.Load(lockPath);
            string? lockWritten = null;
            var locked = 0;
            var moves = new List<Diagnostic>();

            var resolved = settings;
            var resolver = new SecretResolver(() => opened = Open(resolved));
            var result = await resolver.ResolveAsync(
                new ResolveRequest
                {
                    Files = files,
                    Formats = formats,
                    BaseDirectory = baseDirectory,
                    DefaultApplication = settings.Application,
                    Mode = options.Mode,
                    RequirePlaceholders = options.RequirePlaceholders,
                    AllowOptional = options.AllowOptional,
                    Mappings = options.Mappings,
                    Lock = lockFile,
                    LockPath = lockPath,
                    LockEnvironment = settings.EnvironmentName,
                    UpdateLock = options.UpdateLock,
                    WriteLock = (entries, missing, _) =>
                    {
                        var before = lockFile ?? SecretLock.Empty;
                        var updated = before.With(entries, missing.Select(r => (r, resolved.EnvironmentName)));
                        try
                        {
                            AtomicFileWriter.Write(lockPath, updated.ToBytes(), new AtomicWriteOptions(Durable: true, AtomicFileMode.KeepTarget));
                        }
                        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                        {
                            throw new SecretStoreException(DiagnosticCodes.LockFileInvalid, $"The lock file '{lockPath}' cannot be written ({ex.GetType().Name}); no file was written. Fix: check that the lock's folder is writable and that nothing but a file is at that path.", ex);
                        }

                        moves.AddRange(LockCheck.Moves(before, updated, lockPath));
                        lockWritten = lockPath;
                        locked = updated.Entries.Count;
                        return Task.CompletedTask;
                    },
                    ReportPath = string.IsNullOrWhiteSpace(options.ReportPath) ? null : Path.GetFullPath(options.ReportPath, workingDirectory),
                    BeforeWrite = options.BeforeWrite,
                    Probe = options.Probe,
                },
                cancellationToken).ConfigureAwait(false);

            var written = result.Report.Files.Where(f => f.Written).Select(f => f.Path).ToList();

            IReadOnlyList<Diagnostic> noFile = files.Count == 0 ? [NoFileWarning(baseDirectory, options)] : [];
            return Finish(new RunResult
            {
                Diagnostics = [.. noFile, .. ApplicationSpelling.Check(result.Report, settings.Application), .. result.Diagnostics, .. moves],
                Mode = options.Mode,
                WrittenFiles = written,
                RequiredSecrets = result.Report.RequiredSecrets,
                Report = result.Report,
                FilesScanned = result.FilesScanned,
                FilesWritten = result.FilesWritten,
                PlaceholderCount = result.PlaceholderCount,
                SecretCount = result.SecretCount,
                EnvironmentName = settings.EnvironmentName,
                LockWritten = lockWritten,
                LockedSecrets = locked,
            }, baseDirectory);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // The runner's boundary: every failure becomes a coded diagnostic (FailurePolicy).
        catch (Exception exception) when (exception is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            return Finish(new RunResult { Diagnostics = FailurePolicy.Describe(exception), Mode = options.Mode, EnvironmentName = settings?.EnvironmentName }, baseDirectory);
        }
        finally
        {
            opened?.Dispose();
        }
    }

    /// <summary>
    /// Reads the secrets that <paramref name="options"/> maps to environment variables (<c>run</c>, <c>export</c>, the
    /// Cake aliases): every name and reference is checked, and every problem thrown together as coded errors
    /// (<see cref="SecretStoreException"/>), before any value is returned. The store is disposed before this returns.
    /// </summary>
    public async Task<Variables.SecretVariableSet> LoadVariablesAsync(Variables.VariableOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Store);
        var settings = options.Store.Resolve();

        // run and export are held against the lock like a resolve (red team, issue 17): a rolled-back record must not
        // reach a child's environment or an exported file either.
        var lockPath = SecretLock.PathFor(settings.SettingsFilePath, options.Store.WorkingDirectory);
        var lockFile = SecretLock.Load(lockPath);
        using var store = Open(settings);
        return await Variables.VariableLoader.LoadAsync(store, options, settings, lockFile is null ? null : (lockFile, lockPath), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a command with secrets in its environment, in the one order every face keeps: load the variables (every
    /// error before anything starts), build the child's environment, find the command (a typo starts nothing and
    /// masks nothing), register every value form with the CI masker, report the warnings, then start the command and
    /// wait for it. Returns its exit code, whatever it is; a command that cannot be found or started throws
    /// <see cref="Variables.CommandStartException"/> (exit code 127 or 126) before any value is handed on.
    /// </summary>
    public async Task<int> RunWithSecretsAsync(RunRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var set = await LoadVariablesAsync(request.Variables, cancellationToken).ConfigureAwait(false);
        var warnings = new List<Diagnostic>(set.Warnings);
        var environment = Variables.ChildEnvironment.Build(request.CurrentEnvironment, set, request.Pristine, request.NoClobber, warnings);
        Variables.ChildProcess.Find(request.Program, environment.GetValueOrDefault("PATH"), request.WorkingDirectory);
        await request.Masker.RegisterAndSettleAsync(set.Forms(), cancellationToken).ConfigureAwait(false);
        foreach (var warning in warnings)
        {
            request.Warn?.Invoke(warning);
        }

        request.Starting?.Invoke(set);
        return await Variables.ChildProcess.RunAsync(request.Program, request.Arguments, environment, request.WorkingDirectory, request.ForwardInterrupt).ConfigureAwait(false);
    }

    /// <summary>
    /// The export sequence every face keeps: load the variables (every error before anything is rendered), render them
    /// in <paramref name="format"/> (a value the format cannot carry exactly throws, so nothing is written), register
    /// every value form with <paramref name="masker"/>, then report the warnings. The face writes the text (a file,
    /// owner-only and atomic, or a pipe) and must never log it.
    /// </summary>
    public async Task<(string Text, int Count)> RenderExportAsync(
        Variables.VariableOptions options, Variables.Export.ExportFormat format, Diagnostics.Ci.CiMasker masker, Action<Diagnostic>? warn, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(masker);
        var set = await LoadVariablesAsync(options, cancellationToken).ConfigureAwait(false);
        var text = Variables.Export.ExportWriter.Render(format, set.Variables);
        await masker.RegisterAndSettleAsync(set.Forms(), cancellationToken).ConfigureAwait(false);
        foreach (var warning in set.Warnings)
        {
            warn?.Invoke(warning);
        }

        return (text, set.Variables.Count);
    }

    /// <summary>Reads the settings file and merges the layers of <paramref name="selection"/>; throws coded errors.</summary>
    public static ResolvedSettings ResolveSettings(StoreSelection selection)
    {
        ArgumentNullException.ThrowIfNull(selection);
        return selection.Resolve();
    }

    /// <summary>
    /// Opens the store of <paramref name="settings"/> (the caller disposes it). Throws <c>SSB0003</c> naming every
    /// way to configure one when no layer chose a storage.
    /// </summary>
    public EnvelopeSecretStore Open(ResolvedSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.HasStorage
            ? _factory.Open(settings.Store)
            : throw new SecretStoreException(DiagnosticCodes.InvalidStoreConfiguration, NotConfiguredMessage);
    }

    /// <summary>Opens only the repository of <paramref name="settings"/> (no keys), for moving protected records as they are.</summary>
    public Repositories.IProtectedSecretRepository OpenRepository(ResolvedSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.HasStorage
            ? _factory.OpenRepository(settings.Store)
            : throw new SecretStoreException(DiagnosticCodes.InvalidStoreConfiguration, NotConfiguredMessage);
    }

    /// <summary>The message of a store that no layer configured, with every way to fix it.</summary>
    public const string NotConfiguredMessage =
        "No secret store is configured. Fix: add a secretstore.json ('secretstore init' writes one), or give the storage and protection: " +
        "CLI --store/--protection (SECRETSTORE_STORE/SECRETSTORE_PROTECTION), MSBuild SecretStoreStorage/SecretStoreProtection, Cake Storage/Protection, action inputs store/protection.";

    /// <summary>
    /// Expands the file entries: excluded globs (<c>!</c>), globs matched on disk, plain paths kept (a missing
    /// required one is reported by the resolver, <c>SSB1009</c>; a missing optional one is skipped). A required glob
    /// that matches no file throws <c>SSB1009</c> naming it (every such glob, before anything is read), so every face
    /// treats "nothing found" the same: an error unless the entry is optional.
    /// </summary>
    public static IReadOnlyList<string> ExpandFiles(string baseDirectory, IReadOnlyList<ConfigFileSpec> files)
    {
        ArgumentNullException.ThrowIfNull(baseDirectory);
        ArgumentNullException.ThrowIfNull(files);
        var patterns = new List<string>();
        var optional = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in files)
        {
            if (string.IsNullOrWhiteSpace(spec.Pattern))
            {
                // An empty entry is what `resolve "$FILES"` gives for an unset variable: never read as "no file".
                throw new SecretStoreException(DiagnosticCodes.InvalidArgument, "An empty file path or glob was listed. Fix: give the file or glob (an unset variable gives an empty one), or leave the entry out.");
            }

            if (spec.Optional && !ConfigFileSpec.IsPattern(spec.Pattern) && !File.Exists(Path.GetFullPath(spec.Pattern, baseDirectory)))
            {
                continue;
            }

            if (spec.Optional)
            {
                optional.Add(spec.Pattern);
            }

            patterns.Add(spec.Pattern);
        }

        var unmatched = new List<string>();
        var expanded = FileGlobs.Expand(baseDirectory, patterns, unmatched);
        var required = unmatched.Where(glob => !optional.Contains(glob)).Distinct(StringComparer.Ordinal).ToList();
        if (required.Count > 0)
        {
            throw new SecretStoreException([.. required.Select(glob => new Diagnostic(DiagnosticCodes.FileNotFound, DiagnosticSeverity.Error, UnmatchedGlobMessage(glob, baseDirectory)))]);
        }

        // A required entry found files, but the exclusions took every one away ('*.json' '!*.json'): that resolves
        // nothing as surely as a glob that matches nothing, so it is the same error.
        var includes = files.Where(s => !s.Optional && !ConfigFileSpec.IsExclusion(s.Pattern)).Select(s => s.Pattern).ToList();
        return expanded.Count > 0 || includes.Count == 0
            ? expanded
            : throw new SecretStoreException(
                DiagnosticCodes.FileNotFound,
                $"The exclusions take away every file that {string.Join(", ", includes.Select(p => $"'{p}'"))} found in '{baseDirectory}'; nothing would be resolved. Fix: correct the exclusions ('!...'), or mark the entries optional if finding nothing is fine.");
    }

    /// <summary>
    /// The formats chosen by hand for the expanded <paramref name="files"/>: each entry with a format gives it to the files
    /// it finds among them (a later entry's wins); null when no entry chooses one.
    /// </summary>
    public static IReadOnlyDictionary<string, Resolution.Formats.FileFormat>? FormatsOf(string baseDirectory, IReadOnlyList<ConfigFileSpec> specs, IReadOnlyList<string> files)
    {
        ArgumentNullException.ThrowIfNull(specs);
        ArgumentNullException.ThrowIfNull(files);
        if (specs.All(s => s.Format is null))
        {
            return null;
        }

        var comparer = OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        var listed = new HashSet<string>(files.Select(f => Path.GetFullPath(f, baseDirectory)), comparer);
        var formats = new Dictionary<string, Resolution.Formats.FileFormat>(comparer);
        foreach (var spec in specs.Where(s => s.Format is not null && !ConfigFileSpec.IsExclusion(s.Pattern)))
        {
            var found = ConfigFileSpec.IsPattern(spec.Pattern) ? FileGlobs.Expand(baseDirectory, [spec.Pattern], []) : [spec.Pattern];
            foreach (var path in found.Select(f => Path.GetFullPath(f, baseDirectory)).Where(listed.Contains))
            {
                formats[path] = spec.Format!.Value;
            }
        }

        return formats;
    }

    /// <summary>The message of a required glob that matched no file: where it looked, and the two fixes.</summary>
    public static string UnmatchedGlobMessage(string glob, string baseDirectory) =>
        $"The glob '{glob}' matches no file in '{baseDirectory}'. Fix: correct the glob (it is relative to that folder), or mark it optional if finding nothing is fine: " +
        "MSBuild Optional=\"true\", Cake SecretStoreSettings.OptionalFiles, CLI --optional-file, action optional-files, template optionalFiles.";

    /// <summary>Warning SSB1023: the files matched nothing, so the run did nothing; a publish must not look resolved.</summary>
    private static Diagnostic NoFileWarning(string baseDirectory, ResolveOptions options)
    {
        var patterns = string.Join(", ", options.Files.Select(f => f.Pattern).Where(p => !string.IsNullOrWhiteSpace(p)));
        var message = $"No file in '{baseDirectory}' matched the config files ({(patterns.Length == 0 ? "none given" : patterns)}); nothing was resolved.";
        return new Diagnostic(
            DiagnosticCodes.NoConfigFileMatched,
            DiagnosticSeverity.Warning,
            options.NoFileAdvice?.Invoke() is { Length: > 0 } advice ? $"{message} {advice}" : message);
    }

    /// <summary>
    /// The one summary wording of every face: <c>SecretStore resolve in '&lt;folder&gt;': 2 file(s) read, 3 placeholder(s)
    /// naming 2 secret(s), 1 file(s) written, 0 error(s).</c>, with the environment when one was used.
    /// </summary>
    public static string SummaryText(RunResult result, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(result);
        var environment = result.EnvironmentName is null ? string.Empty : $" (environment '{result.EnvironmentName}')";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"SecretStore {Verb(result.Mode)} in '{baseDirectory}'{environment}: {result.FilesScanned} file(s) read, {result.PlaceholderCount} placeholder(s) naming {result.SecretCount} secret(s), {result.FilesWritten} file(s) written, {result.ErrorCount} error(s).");
    }

    private static RunResult Finish(RunResult result, string baseDirectory) =>
        result with { Summary = new Diagnostic(DiagnosticCodes.Summary, DiagnosticSeverity.Info, SummaryText(result, baseDirectory)) };

    private static string Verb(ResolveMode mode) => mode switch
    {
        ResolveMode.List => "required",
        ResolveMode.Verify => "verify",
        _ => "resolve",
    };
}

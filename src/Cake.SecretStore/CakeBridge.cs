using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using SecretStore.Aws;
using SecretStore.Configuration;
using SecretStore.Configuration.Settings;
using SecretStore.Diagnostics;
using SecretStore.Resolution;
using SecretStore.Resolution.Formats;
using SecretStore.Running;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Variables;
using SecretStore.Variables.Export;
using SecretStore.Diagnostics.Ci;

namespace Cake.SecretStore;

/// <summary>
/// The one place where the aliases meet the engine's <see cref="SecretStoreRunner"/>: translates Cake paths and
/// settings into its options, logs its value-free diagnostics through Cake's log and turns errors into
/// <see cref="CakeException"/>.
/// </summary>
internal static class CakeBridge
{
    private const int FailureExitCode = 1;
    private static readonly SecretStoreRunner Runner = new(SecretStoreFactory.Default);

    public static RunResult Resolve(ICakeContext context, IEnumerable<string> files, SecretStoreSettings settings, ResolveMode mode)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(settings);
        var required = files.ToList();
        var optional = settings.OptionalFiles.Where(f => !string.IsNullOrWhiteSpace(f)).ToList();
        if (required.Count == 0 && optional.Count == 0)
        {
            // A GetFiles(...) that matched nothing arrives here as an empty list: the same error as a glob that
            // matches nothing, so an empty release step never passes as resolved.
            var error = new Diagnostic(
                DiagnosticCodes.FileNotFound,
                DiagnosticSeverity.Error,
                $"The file list is empty (a GetFiles glob that matched nothing?), so nothing would be resolved in '{context.Environment.WorkingDirectory.FullPath}'. " +
                "Fix: pass the glob itself (the error then names it), or add it to SecretStoreSettings.OptionalFiles if finding nothing is fine.");
            Log(context, error);
            throw Failure([error]);
        }

        FileFormat? format;
        try
        {
            format = string.IsNullOrWhiteSpace(settings.Format) ? null : FileFormatNames.Parse("SecretStoreSettings.Format", settings.Format);
        }
        catch (SecretStoreException ex)
        {
            Log(context, ex.Diagnostics[0]);
            throw Failure(ex.Diagnostics);
        }

        var specs = new List<ConfigFileSpec>(required.Select(f => new ConfigFileSpec(f, Format: format)));
        foreach (var entry in optional)
        {
            try
            {
                specs.Add(ConfigFileSpec.OptionalEntry(entry, "SecretStoreSettings.OptionalFiles", format));
            }
            catch (SecretStoreException ex)
            {
                Log(context, ex.Diagnostics[0]);
                throw Failure(ex.Diagnostics);
            }
        }

        // In a CI run the values are masked before the first file is written, as the CLI's resolve does.
        CiMasker? masker = null;
        if (mode == ResolveMode.Resolve)
        {
            try
            {
                masker = Masker(context);
            }
            catch (SecretStoreException ex)
            {
                Log(context, ex.Diagnostics[0]);
                throw Failure(ex.Diagnostics);
            }
        }

        var options = new ResolveOptions
        {
            BeforeWrite = masker is null ? null : forms => masker.Register(forms),
            Store = ToSelection(context, settings),
            Files = specs,
            BaseDirectory = context.Environment.WorkingDirectory.FullPath,
            Mode = mode,
            RequirePlaceholders = settings.RequirePlaceholders,
            AllowOptional = settings.AllowOptional,
            UpdateLock = settings.UpdateLock,
            Mappings = [.. settings.Mappings],
            ReportPath = settings.ReportPath is null ? null : Absolute(context, settings.ReportPath),
        };

        // Cake aliases are synchronous, so this is the one sync-over-async boundary. Task.Run moves the engine onto
        // the thread pool, so no synchronization context of the host can deadlock the awaits inside.
        var result = Task.Run(() => Runner.ResolveAsync(options)).GetAwaiter().GetResult();
        foreach (var diagnostic in result.Diagnostics)
        {
            Log(context, diagnostic);
        }

        if (!result.Succeeded)
        {
            throw Failure(result.Diagnostics);
        }

        if (result.LockWritten is { } lockFile)
        {
            Information(context, $"{lockFile}: {result.LockedSecrets} secret(s) locked.");
        }

        Information(context, result.Summary!.Message);
        return result;
    }

    /// <summary>
    /// <c>GetSecret</c>: reads one secret and, in a CI run, masks its value (every form) before the script gets it,
    /// so a tool argument or a log line that carries it later is masked, as the CLI's <c>get</c> does.
    /// </summary>
    public static Secret GetMasked(ICakeContext context, string? application, string name, SecretStoreSettings settings) =>
        WithStore(context, settings, async (store, defaultApplication) =>
        {
            var masker = Masker(context);
            var id = Id(application, name, defaultApplication);
            var secret = await store.GetAsync(id).ConfigureAwait(false);
            await masker.RegisterAndSettleAsync(ResolvedValueForms.OfPrintedValue(id, secret.Value)).ConfigureAwait(false);
            return secret;
        });

    /// <summary>Opens the store, runs <paramref name="operation"/> with it and the default application, and disposes it.</summary>
    public static T WithStore<T>(ICakeContext context, SecretStoreSettings settings, Func<ISecretStore, string?, Task<T>> operation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(settings);
        try
        {
            return Task.Run(async () =>
            {
                var resolved = SecretStoreRunner.ResolveSettings(ToSelection(context, settings));
                using var store = Runner.Open(resolved);
                return await operation(store, resolved.Application).ConfigureAwait(false);
            }).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or OutOfMemoryException or CakeException))
        {
            var diagnostics = FailurePolicy.Describe(ex);
            foreach (var diagnostic in diagnostics)
            {
                Log(context, diagnostic);
            }

            // The engine's messages are vetted to be value-free; the inner exception is not passed on.
            throw Failure(diagnostics);
        }
    }

    /// <summary>
    /// <c>RunWithSecrets</c>, in the CLI <c>run</c>'s order: load the variables (every error before anything starts),
    /// build the child's environment, find the command (a typo starts nothing and masks nothing), mask every value
    /// form in a CI run, then start the command and wait for it. Returns its exit code, whatever it is.
    /// </summary>
    public static int Run(ICakeContext context, FilePath command, SecretVariablesSettings settings)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(settings);
        var program = Program(context, command);
        var arguments = settings.Arguments.ToList();
        var workingDirectory = settings.WorkingDirectory is null ? context.Environment.WorkingDirectory.FullPath : settings.WorkingDirectory.MakeAbsolute(context.Environment).FullPath;
        return Guard(context, () => Task.Run(async () =>
        {
            try
            {
                var exitCode = await Runner.RunWithSecretsAsync(new RunRequest
                {
                    Variables = ToVariableOptions(context, settings),
                    Program = program,
                    Arguments = arguments,
                    WorkingDirectory = workingDirectory,
                    CurrentEnvironment = Current(context),
                    Pristine = settings.Pristine,
                    NoClobber = settings.NoClobber,
                    // SIGINT is passed on only when this process's input is not a terminal (the engine's rule: from a
                    // terminal, Ctrl+C reaches the child already); SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 always are.
                    ForwardInterrupt = Console.IsInputRedirected,
                    Masker = Masker(context),
                    Warn = warning => Log(context, warning),
                    Starting = set => Information(context, $"SecretStore run: '{program}' with {set.Variables.Count} variable(s) ({string.Join(", ", set.Variables.Select(v => v.Name))})."),
                }).ConfigureAwait(false);
                Verbose(context, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"SecretStore run: '{program}' exited with {exitCode}."));
                return exitCode;
            }
            catch (CommandStartException ex)
            {
                throw NotStarted(context, ex, program);
            }
        }).GetAwaiter().GetResult());
    }

    /// <summary>
    /// <c>ExportSecrets</c>, in the CLI <c>export</c>'s order: parse the format, load the variables, render them
    /// (a value the format cannot carry exactly writes nothing), mask every value form in a CI run, then write the file
    /// owner-only and atomically (or append to it).
    /// </summary>
    public static int Export(ICakeContext context, FilePath output, string format, SecretVariablesSettings settings)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(settings);
        var path = Absolute(context, output);
        return Guard(context, () => Task.Run(async () =>
        {
            var chosen = ExportWriter.Parse(format);
            if (settings.Append)
            {
                ExportWriter.ThrowIfNotAppendable(chosen);
            }

            var (text, count) = await Runner.RenderExportAsync(ToVariableOptions(context, settings), chosen, Masker(context), warning => Log(context, warning)).ConfigureAwait(false);
            ExportFile.Write(path, text, settings.Append);
            Information(context, $"SecretStore export: {count} variable(s) as {ExportWriter.NameOf(chosen)} {(settings.Append ? "added to" : "written to")} '{path}'.");
            return count;
        }).GetAwaiter().GetResult());
    }

    /// <summary>The engine's selection of variables from the alias settings.</summary>
    internal static VariableOptions ToVariableOptions(ICakeContext context, SecretVariablesSettings settings) => new()
    {
        Store = ToSelection(context, settings.Store ?? new SecretStoreSettings()),
        Mappings = [.. settings.Variables.Select(p => new VariableMapping(p.Key, p.Value, "SecretVariablesSettings.Variables"))],
        Applications = [.. settings.Applications],
        Prefix = settings.Prefix,
        Strict = settings.Strict,
    };

    /// <summary>
    /// The CI masker of this run (the CLI's rule: GitHub Actions or Azure Pipelines from the environment, refused with
    /// <c>SSB0007</c> when both are set). The commands go to the process's stderr, plain: Cake's log adds colour codes
    /// in front of a line (even when redirected), which would keep the runner from reading it as a command; warnings
    /// go to Cake's log.
    /// </summary>
    private static CiMasker Masker(ICakeContext context)
    {
        Func<string, string?> variables = context.Environment.GetEnvironmentVariable;
        CiMasker.ThrowIfAmbiguous(variables);
        return new CiMasker(CiEnvironment.Detect(variables), Console.Error, d => Log(context, d));
    }

    private static Dictionary<string, string> Current(ICakeContext context) =>
        new(context.Environment.GetEnvironmentVariables(), VariableNames.Comparer);

    /// <summary>
    /// The program to start: a bare name as it is (looked up on the child's PATH, like a shell and the CLI), a path
    /// with a folder made absolute against the script's working directory, as every Cake path is.
    /// </summary>
    private static string Program(ICakeContext context, FilePath command) =>
        command.IsRelative && command.Segments.Length == 1 ? command.FullPath : Absolute(context, command);

    private static CakeException NotStarted(ICakeContext context, CommandStartException ex, string program)
    {
        var diagnostic = ex.Diagnostics[0];
        if (ex.ExitCode == ChildProcess.NotFoundExitCode && !program.Contains('/', StringComparison.Ordinal)
            && File.Exists(System.IO.Path.Combine(context.Environment.WorkingDirectory.FullPath, program)))
        {
            // Cake reads "./tool.sh" as "tool.sh", a bare name, which is looked up on PATH only.
            diagnostic = diagnostic with { Message = diagnostic.Message + " The working directory has a file of that name: Cake writes \"./" + program + "\" as a bare name, so give MakeAbsolute(File(\"" + program + "\")) to run it." };
        }

        Log(context, diagnostic);
        return new CakeException(ex.ExitCode, LogText.Escape($"{diagnostic.Code.Id}: {diagnostic.Text}"));
    }

    /// <summary>Runs <paramref name="body"/>; a coded engine error is logged and becomes a <see cref="CakeException"/> (exit code 1).</summary>
    private static T Guard<T>(ICakeContext context, Func<T> body)
    {
        try
        {
            return body();
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or OutOfMemoryException or CakeException))
        {
            var diagnostics = FailurePolicy.Describe(ex);
            foreach (var diagnostic in diagnostics)
            {
                Log(context, diagnostic);
            }

            throw Failure(diagnostics);
        }
    }

    /// <summary>The id of a call: <paramref name="name"/> of <paramref name="application"/>, else of the default application.</summary>
    public static SecretId Id(string? application, string name, string? defaultApplication) =>
        !string.IsNullOrWhiteSpace(application) ? new SecretId(application, name)
        : !string.IsNullOrWhiteSpace(defaultApplication) ? new SecretId(defaultApplication, name)
        : throw new SecretStoreException(DiagnosticCodes.InvalidArgument, "No application was given and neither SecretStoreSettings.DefaultApplication nor secretstore.json names one.");

    /// <summary>Expands Cake paths and globs relative to the script's working directory (the engine's globbing).</summary>
    public static IReadOnlyList<string> ExpandFiles(ICakeContext context, GlobPattern pattern)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(pattern);
        return [pattern.ToString()];
    }

    /// <summary>Makes Cake file paths absolute against the working directory.</summary>
    public static IReadOnlyList<string> ExpandFiles(ICakeContext context, IEnumerable<FilePath> files)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(files);
        return [.. files.Select(f => Absolute(context, f))];
    }

    internal static StoreSelection ToSelection(ICakeContext context, SecretStoreSettings settings)
    {
        var workingDirectory = context.Environment.WorkingDirectory.FullPath;
        return new StoreSelection
        {
            WorkingDirectory = workingDirectory,
            SettingsFile = settings.SettingsFile is null ? null : Absolute(context, settings.SettingsFile),
            Environment = string.IsNullOrWhiteSpace(settings.Environment) ? null : new EnvironmentChoice(settings.Environment, "SecretStoreSettings.Environment"),
            EnvironmentVariables = context.Environment.GetEnvironmentVariable,
            Explicit = new SettingsLayer
            {
                BaseDirectory = workingDirectory,
                Origin = "the SecretStoreSettings",
                Application = settings.DefaultApplication,
                Storage = StoreSpec.Choose(
                    ("SecretStoreSettings.Storage", settings.Storage, ""),
                    ("SecretStoreSettings.StoreFile", settings.StoreFile is null ? null : Absolute(context, settings.StoreFile), StoreSpec.FilePrefix),
                    ("SecretStoreSettings.Table", settings.Table, StoreSpec.DynamoDbPrefix)),
                Protection = StoreSpec.Choose(
                    ("SecretStoreSettings.Protection", settings.Protection, ""),
                    ("SecretStoreSettings.KeyringPath", settings.KeyringPath?.MakeAbsolute(context.Environment).FullPath, StoreSpec.RsaPrefix)),
                PrivateKeyVariable = settings.PrivateKeyEnvironmentVariable,
                KeyId = settings.KeyId,
                AllowedKeyIds = settings.AllowedKeyIds.Count == 0 ? null : KeyIdList.Parse(settings.AllowedKeyIds),
                Recipients = settings.Recipients.Count == 0 ? null : KeyIdList.Parse(settings.Recipients),
                Region = settings.Region,
                ServiceUrl = settings.ServiceUrl,
                KmsServiceUrl = settings.KmsServiceUrl,
                AllowV1 = settings.AllowV1,
                AllowInsecureEndpoint = settings.AllowInsecureEndpoint,
                KeepRevisions = settings.KeepRevisions,
            },
        };
    }

    private static CakeException Failure(IReadOnlyList<Diagnostic> diagnostics)
    {
        var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        // A located error keeps its file(line,col) form; a store or settings error is "SSBnnnn: message", as the
        // engine's exception message reads (the "secretstore:" origin is the CLI's, not the script's).
        var first = errors[0].FilePath is null ? $"{errors[0].Code.Id}: {errors[0].Text}" : errors[0].ToMSBuildFormat();
        return new CakeException(FailureExitCode, LogText.Escape(errors.Count == 1 ? first : $"{errors.Count} SecretStore errors; first: {first}"));
    }

    /// <summary>Logs one information line, escaped (<see cref="LogText.Escape"/>): ids and paths come from outside.</summary>
    public static void Information(ICakeContext context, string text) => context.Log.Information("{0}", LogText.Escape(text));

    /// <summary>Logs one verbose line, escaped (<see cref="LogText.Escape"/>).</summary>
    public static void Verbose(ICakeContext context, string text) => context.Log.Verbose("{0}", LogText.Escape(text));

    /// <summary>Logs one diagnostic at its severity, escaped.</summary>
    public static void Report(ICakeContext context, Diagnostic diagnostic) => Log(context, diagnostic);

    private static void Log(ICakeContext context, Diagnostic diagnostic)
    {
        // "{0}": diagnostic text holds placeholders such as #{secret:Name}, which are not format strings. The text is
        // escaped once more here, at the addin's output boundary (idempotent), so no name can start a CI command.
        var text = LogText.Escape(diagnostic.ToMSBuildFormat());
        switch (diagnostic.Severity)
        {
            case DiagnosticSeverity.Error:
                context.Log.Error("{0}", text);
                break;
            case DiagnosticSeverity.Warning:
                context.Log.Warning("{0}", text);
                break;
            default:
                context.Log.Verbose("{0}", text);
                break;
        }
    }

    private static string Absolute(ICakeContext context, FilePath path) => path.MakeAbsolute(context.Environment).FullPath;
}

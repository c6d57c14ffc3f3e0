using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using SecretStore.Aws;
using SecretStore.Configuration;
using SecretStore.Configuration.Settings;
using SecretStore.Diagnostics;
using SecretStore.Resolution;
using SecretStore.Running;
using SecretStore.Secrets;
using SecretStore.Stores;

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

        var specs = new List<ConfigFileSpec>(required.Select(f => new ConfigFileSpec(f)));
        foreach (var entry in optional)
        {
            try
            {
                specs.Add(ConfigFileSpec.OptionalEntry(entry, "SecretStoreSettings.OptionalFiles"));
            }
            catch (SecretStoreException ex)
            {
                Log(context, ex.Diagnostics[0]);
                throw Failure(ex.Diagnostics);
            }
        }

        var options = new ResolveOptions
        {
            Store = ToSelection(context, settings),
            Files = specs,
            BaseDirectory = context.Environment.WorkingDirectory.FullPath,
            Mode = mode,
            RequirePlaceholders = settings.RequirePlaceholders,
            AllowOptional = settings.AllowOptional,
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

        Information(context, result.Summary!.Message);
        return result;
    }

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
                Region = settings.Region,
                ServiceUrl = settings.ServiceUrl,
                KmsServiceUrl = settings.KmsServiceUrl,
                AllowV1 = settings.AllowV1,
                AllowInsecureEndpoint = settings.AllowInsecureEndpoint,
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

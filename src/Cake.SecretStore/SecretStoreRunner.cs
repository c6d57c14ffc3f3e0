using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using SecretStore.Aws;
using SecretStore.Configuration;
using SecretStore.Diagnostics;
using SecretStore.Resolution;

namespace Cake.SecretStore;

/// <summary>
/// The one place where the aliases meet the engine: translates Cake paths and settings, runs the engine call,
/// logs its value-free diagnostics through <see cref="ICakeLog"/> and turns errors into <see cref="CakeException"/>.
/// </summary>
internal static class SecretStoreRunner
{
    private const int FailureExitCode = 1;

    public static ResolveResult Resolve(ICakeContext context, IEnumerable<string> files, SecretStoreSettings settings, ResolveMode mode)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(settings);
        var request = new ResolveRequest
        {
            Files = [.. files],
            BaseDirectory = context.Environment.WorkingDirectory.FullPath,
            Mode = mode,
            DefaultApplication = settings.DefaultApplication,
            RequirePlaceholders = settings.RequirePlaceholders,
            AllowOptional = settings.AllowOptional,
            Mappings = [.. settings.Mappings],
            ReportPath = settings.ReportPath is null ? null : Absolute(context, settings.ReportPath),
        };

        var result = Run(context, () => RunResolverAsync(context, request, settings));
        foreach (var diagnostic in result.Diagnostics)
        {
            Log(context, diagnostic);
        }

        if (!result.Succeeded)
        {
            throw Failure(result.Diagnostics);
        }

        Information(context, $"SecretStore: {Verb(mode)} {result.FilesScanned} file(s), {result.PlaceholderCount} placeholder(s), {result.SecretCount} secret(s), {result.FilesWritten} file(s) written.");
        return result;
    }

    /// <summary>Opens the store, runs <paramref name="operation"/> and disposes the store (zeroing cached key material).</summary>
    public static T WithStore<T>(ICakeContext context, SecretStoreSettings settings, Func<global::SecretStore.Secrets.ISecretStore, Task<T>> operation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(settings);
        return Run(context, async () =>
        {
            using var store = SecretStoreFactory.Open(ToStoreSettings(context, settings));
            return await operation(store).ConfigureAwait(false);
        });
    }

    /// <summary>Expands Cake paths and globs relative to the script's working directory.</summary>
    public static IReadOnlyList<string> ExpandFiles(ICakeContext context, GlobPattern pattern)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(pattern);
        var text = pattern.ToString();
        if (text.IndexOfAny(['*', '?', '[', '{']) < 0)
        {
            // A plain path is kept even when it does not exist, so the engine reports it (SSB1009) instead
            // of the run silently doing nothing.
            return [Absolute(context, new FilePath(text))];
        }

        // The engine's globbing, not Cake's: one implementation for every face, and it never descends into a
        // symbolic link to a folder, so a match cannot lie outside the folder it was matched in.
        return FileGlobs.Expand(context.Environment.WorkingDirectory.FullPath, [text]);
    }

    /// <summary>Makes Cake file paths absolute against the working directory.</summary>
    public static IReadOnlyList<string> ExpandFiles(ICakeContext context, IEnumerable<FilePath> files)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(files);
        return [.. files.Select(f => Absolute(context, f))];
    }

    public static string ApplicationOrDefault(string? application, SecretStoreSettings settings) =>
        !string.IsNullOrWhiteSpace(application) ? application
        : !string.IsNullOrWhiteSpace(settings.DefaultApplication) ? settings.DefaultApplication
        : throw new CakeException(FailureExitCode, $"{DiagnosticCodes.InvalidArgument.Id}: No application was given and SecretStoreSettings.DefaultApplication is not set.");

    internal static StoreSettings ToStoreSettings(ICakeContext context, SecretStoreSettings settings) => new()
    {
        Provider = settings.Provider,
        FilePath = settings.StoreFile is null ? null : Absolute(context, settings.StoreFile),
        KeyringPath = settings.KeyringPath?.MakeAbsolute(context.Environment).FullPath,
        PrivateKeyEnvironmentVariable = settings.PrivateKeyEnvironmentVariable,
        KeyId = settings.KeyId,
        AllowedKeyIds = KeyIdList.Parse(settings.AllowedKeyIds),
        Table = settings.Table,
        Region = settings.Region,
        ServiceUrl = settings.ServiceUrl,
        KmsServiceUrl = settings.KmsServiceUrl,
        AllowV1 = settings.AllowV1
            ?? SettingValue.ParseBoolean(SettingValue.AllowV1Variable, context.Environment.GetEnvironmentVariable(SettingValue.AllowV1Variable), defaultValue: false),
        AllowInsecureEndpoint = settings.AllowInsecureEndpoint
            ?? SettingValue.ParseBoolean(EndpointPolicy.AllowInsecureEndpointVariable, context.Environment.GetEnvironmentVariable(EndpointPolicy.AllowInsecureEndpointVariable), defaultValue: false),
    };

    private static async Task<ResolveResult> RunResolverAsync(ICakeContext context, ResolveRequest request, SecretStoreSettings settings)
    {
        if (request.Mode == ResolveMode.List)
        {
            // Listing reads no values, so it needs no store (and no keys): the resolver never touches it.
            return await new SecretResolver(NoStore.Instance).ResolveAsync(request).ConfigureAwait(false);
        }

        using var store = SecretStoreFactory.Open(ToStoreSettings(context, settings));
        return await new SecretResolver(store).ResolveAsync(request).ConfigureAwait(false);
    }

    private static T Run<T>(ICakeContext context, Func<Task<T>> operation)
    {
        try
        {
            // Cake aliases are synchronous, so this is the one sync-over-async boundary. Task.Run moves the engine
            // onto the thread pool, so no synchronization context of the host can deadlock the awaits inside.
            return Task.Run(operation).GetAwaiter().GetResult();
        }
        catch (SecretStoreException ex)
        {
            foreach (var diagnostic in ex.Diagnostics)
            {
                Log(context, diagnostic);
            }

            // The engine's messages are vetted to be value-free; the inner exception is not passed on.
            throw new CakeException(FailureExitCode, LogText.Escape(ex.Message));
        }
    }

    private static CakeException Failure(IReadOnlyList<Diagnostic> diagnostics)
    {
        var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        var first = errors[0].ToMSBuildFormat();
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

    private static string Verb(ResolveMode mode) => mode switch
    {
        ResolveMode.List => "listed",
        ResolveMode.Verify => "verified",
        _ => "resolved",
    };

    private static string Absolute(ICakeContext context, FilePath path) => path.MakeAbsolute(context.Environment).FullPath;
}

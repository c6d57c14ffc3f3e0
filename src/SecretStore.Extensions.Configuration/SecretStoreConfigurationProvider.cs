using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using SecretStore.Aws;
using SecretStore.Configuration;
using SecretStore.Configuration.Settings;
using SecretStore.Diagnostics;
using SecretStore.Running;
using SecretStore.Runtime;
using SecretStore.Secrets;

namespace SecretStore.Extensions.Configuration;

/// <summary>
/// The runtime face: translates <see cref="SecretStoreConfigurationOptions"/> into one engine
/// <see cref="RuntimeSecretLoader"/> and its results into configuration data. It opens the store only when there is
/// something to read (a published app whose placeholders were resolved at publish never opens one).
/// </summary>
/// <remarks>
/// <see cref="Load"/> is synchronous because <see cref="IConfigurationProvider"/> is: the first load blocks on the
/// engine's asynchronous read, as every remote configuration provider does. Reloads (the timer, a change of the
/// configuration before this source, <see cref="ReloadAsync"/>) run asynchronously, keep the last good values when
/// they fail, and fire the reload token only when a value actually changed.
/// </remarks>
public sealed class SecretStoreConfigurationProvider : ConfigurationProvider, IDisposable
{
    /// <summary>The host configuration keys of the environment name and the content root (<c>HostDefaults</c>).</summary>
    private const string EnvironmentKey = "environment";
    private const string ContentRootKey = "contentRoot";

    /// <summary>The configuration section whose members configure the store (<c>SecretStore:Storage</c>, ...).</summary>
    public const string SectionName = "SecretStore";

    private readonly SecretStoreConfigurationOptions _options;
    private readonly IReadOnlyList<IConfigurationProvider> _earlier;
    private readonly bool _ownsEarlier;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<IDisposable> _subscriptions = [];
    private readonly object _openGate = new();

    // One reload at a time, from load to the new data: the timer, a configuration change and a manual reload may
    // overlap, and an older result must never replace a newer one.
    private readonly SemaphoreSlim _reloadGate = new(1, 1);
    private RuntimeSecretLoader? _loader;
    private Task? _timer;
    private bool _loaded;
    private int _disposed;

    internal SecretStoreConfigurationProvider(SecretStoreConfigurationOptions options, IReadOnlyList<IConfigurationProvider> earlier, bool ownsEarlier)
    {
        _options = options;
        _earlier = earlier;
        _ownsEarlier = ownsEarlier;
    }

    /// <summary>The environment of the settings file this provider read, once it read one.</summary>
    public string? EnvironmentName { get; private set; }

    /// <summary>
    /// Loads the secrets. The first call throws a <see cref="SecretStoreException"/> (coded, never a value) unless the
    /// source is optional; a later call (<c>IConfigurationRoot.Reload()</c>) keeps the last good values on failure.
    /// </summary>
    public override void Load()
    {
        if (!_loaded)
        {
            try
            {
                Data = ToData(Task.Run(() => LoadCoreAsync(_stopping.Token)).GetAwaiter().GetResult());
            }
            catch (SecretStoreException exception) when (_options.Optional)
            {
                // Empty, but not silent about what it could not resolve: every key holding a placeholder is unset, as
                // an '|optional' one is, so the app never reads placeholder text as a value (red team, RT.17).
                Data = _options.Mode == SecretStoreConfigurationMode.Placeholders
                    ? EarlierConfiguration.Read(_earlier).Where(e => Resolution.Values.ValuePlaceholders.MayContain(e.Value)).ToDictionary(e => e.Key, _ => (string?)null, StringComparer.OrdinalIgnoreCase)
                    : new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
                Report(ReloadFailed(exception, first: true));
            }

            _loaded = true;
            Start();
            return;
        }

        // IConfigurationRoot.Reload(): the root fires its own token after every provider loaded.
        _ = Task.Run(() => ReloadCoreAsync(fireToken: false, _stopping.Token)).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Reloads now. Returns true when a value changed, and then fires the reload token. A failure keeps the last good
    /// values and logs <c>SSB0008</c>; only cancellation throws.
    /// </summary>
    public Task<bool> ReloadAsync(CancellationToken cancellationToken = default) => ReloadCoreAsync(fireToken: true, cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }

        try
        {
            _timer?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The timer loop ends by cancellation.
        }

        _loader?.Dispose();
        _reloadGate.Dispose();
        if (_ownsEarlier)
        {
            foreach (var provider in _earlier.OfType<IDisposable>())
            {
                provider.Dispose();
            }
        }

        _stopping.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"{nameof(SecretStoreConfigurationProvider)} ({_options.Mode})";

    private async Task<bool> ReloadCoreAsync(bool fireToken, CancellationToken cancellationToken)
    {
        await _reloadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var data = ToData(await LoadCoreAsync(cancellationToken).ConfigureAwait(false));
            if (SameData(Data, data))
            {
                return false;
            }

            Data = data;
            if (fireToken)
            {
                OnReload();
            }

            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A reload never takes the app down: every failure is a coded warning, the last values stay.
        catch (Exception exception) when (exception is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            Report(ReloadFailed(exception, first: false));
            return false;
        }
        finally
        {
            _reloadGate.Release();
        }
    }

    private async Task<RuntimeLoadResult> LoadCoreAsync(CancellationToken cancellationToken)
    {
        RuntimeLoadResult result;
        if (_options.Mode == SecretStoreConfigurationMode.Section)
        {
            result = await Loader().LoadSectionAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var configuration = EarlierConfiguration.Read(_earlier);

            // No placeholder: nothing to read, no settings file needed, no store opened (a published app).
            result = configuration.Any(entry => Resolution.Values.ValuePlaceholders.MayContain(entry.Value))
                ? await Loader().ResolvePlaceholdersAsync(configuration, cancellationToken).ConfigureAwait(false)
                : new RuntimeLoadResult { Values = new Dictionary<string, string?>() };
        }

        foreach (var warning in result.Warnings)
        {
            Report(warning);
        }

        return result;
    }

    /// <summary>Opens the store the first time it is needed: the caller's, or the one the settings describe.</summary>
    private RuntimeSecretLoader Loader()
    {
        lock (_openGate)
        {
            if (_loader is not null)
            {
                return _loader;
            }

            ISecretStore store;
            string? application = _options.Application;
            var owns = false;
            if (_options.Store is not null)
            {
                store = _options.Store;
            }
            else
            {
                var settings = Selection().Resolve();
                EnvironmentName = settings.EnvironmentName;
                application = settings.Application;
                store = new SecretStoreRunner(SecretStoreFactory.Default).Open(settings with { Store = settings.Store with { MaxDegreeOfParallelism = _options.MaxConcurrency } });
                owns = true;
            }

            application ??= Assembly.GetEntryAssembly()?.GetName().Name;
            _loader = new RuntimeSecretLoader(
                store,
                new RuntimeLoadOptions
                {
                    DefaultApplication = application,
                    SectionApplication = _options.Mode == SecretStoreConfigurationMode.Section ? application : null,
                    NamePrefix = _options.NamePrefix,
                    KeyForSecret = _options.KeyForSecret,
                    FailurePolicy = _options.FailurePolicy,
                    MaxConcurrency = _options.MaxConcurrency,
                },
                ownsStore: owns);
            return _loader;
        }
    }

    /// <summary>The same store selection as every other face, with the host's environment as the derived choice.</summary>
    private StoreSelection Selection()
    {
        var host = EarlierConfiguration.Read(_earlier).ToDictionary(e => e.Key, e => e.Value, StringComparer.OrdinalIgnoreCase);
        var workingDirectory = Path.GetFullPath(_options.WorkingDirectory
            ?? (host.TryGetValue(ContentRootKey, out var root) && !string.IsNullOrWhiteSpace(root) ? root : Directory.GetCurrentDirectory()));
        var chosenEnvironment = _options.Environment ?? Setting(host, "Environment");
        var hostEnvironment = host.TryGetValue(EnvironmentKey, out var named) && !string.IsNullOrWhiteSpace(named)
            ? named
            : System.Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") is { Length: > 0 } dotnet ? dotnet
            : System.Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") is { Length: > 0 } aspnet ? aspnet
            : "Production";
        return new StoreSelection
        {
            WorkingDirectory = workingDirectory,
            SettingsFile = _options.SettingsFile,
            Environment = !string.IsNullOrWhiteSpace(chosenEnvironment)
                ? new EnvironmentChoice(chosenEnvironment, "SecretStoreConfigurationOptions.Environment (or SecretStore:Environment)")
                : Defines(workingDirectory, hostEnvironment) ? new EnvironmentChoice(hostEnvironment, "the host environment name", IsDerived: true) : null,
            Explicit = new SettingsLayer
            {
                BaseDirectory = workingDirectory,
                Origin = "the AddSecretStore options (or the SecretStore configuration section)",
                Application = _options.Application ?? Setting(host, "Application"),
                Storage = _options.Storage ?? Setting(host, "Storage"),
                Protection = _options.Protection ?? Setting(host, "Protection"),
                KeyId = _options.KeyId ?? Setting(host, "KeyId"),
                AllowedKeyIds = _options.AllowedKeyIds.Count > 0 ? KeyIdList.Parse(_options.AllowedKeyIds) : AllowedKeyIds(host),
                Region = _options.Region ?? Setting(host, "Region"),
                ServiceUrl = _options.ServiceUrl ?? Setting(host, "ServiceUrl"),
                KmsServiceUrl = _options.KmsServiceUrl ?? Setting(host, "KmsServiceUrl"),
                PrivateKeyVariable = _options.PrivateKeyVariable ?? Setting(host, "PrivateKeyVariable"),
                // One strict parser for every face: 'maybe' is SSB0001 naming the key, never a quiet false.
                AllowInsecureEndpoint = _options.AllowInsecureEndpoint
                    ?? (Setting(host, "AllowInsecureEndpoint") is { } insecure ? SettingValue.ParseBoolean($"{SectionName}:AllowInsecureEndpoint", insecure, defaultValue: false) : null),
            },
        };
    }

    /// <summary>
    /// A member of the <c>SecretStore</c> section of the configuration before the source (appsettings, or the
    /// variable <c>SecretStore__Storage</c>): the .NET way to configure a provider per deployment. Code options win.
    /// </summary>
    private static string? Setting(Dictionary<string, string?> host, string name) =>
        host.TryGetValue($"{SectionName}:{name}", out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

    /// <summary><c>SecretStore:AllowedKeyIds</c> as a comma-separated text or an array (<c>SecretStore:AllowedKeyIds:0</c>).</summary>
    private static IReadOnlyList<string>? AllowedKeyIds(Dictionary<string, string?> host)
    {
        var prefix = $"{SectionName}:AllowedKeyIds:";
        var texts = host.Where(e => e.Key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).Select(e => e.Value).Append(Setting(host, "AllowedKeyIds")).ToList();
        var ids = KeyIdList.Parse(texts);
        return ids.Count == 0 ? null : ids;
    }

    /// <summary>
    /// True when the settings file defines <paramref name="environment"/>. A host always has an environment name
    /// (Production when none is set), so a file that does not define it is read as the CLI reads it without
    /// <c>--env</c> (its <c>defaultEnvironment</c>, else the top level): 'secretstore init' writes no environment, and
    /// <c>dotnet run</c> (Development) must work with it.
    /// </summary>
    private bool Defines(string workingDirectory, string environment)
    {
        var path = string.IsNullOrWhiteSpace(_options.SettingsFile)
            ? SettingsFileReader.Find(workingDirectory)
            : Path.GetFullPath(_options.SettingsFile, workingDirectory);
        return path is not null && File.Exists(path) && SettingsFileReader.Read(path).Environments.ContainsKey(environment.Trim());
    }

    /// <summary>Starts the reload timer and the watch on the configuration before this source.</summary>
    private void Start()
    {
        if (_options.Mode == SecretStoreConfigurationMode.Placeholders)
        {
            // appsettings.json edited (reloadOnChange): its placeholders may have changed, so resolve again.
            foreach (var provider in _earlier)
            {
                _subscriptions.Add(ChangeToken.OnChange(provider.GetReloadToken, () => _ = ReloadInBackgroundAsync()));
            }
        }

        if (_options.ReloadInterval is { } interval)
        {
            _timer = Task.Run(() => ReloadLoopAsync(interval, _stopping.Token));
        }
    }

    private async Task ReloadInBackgroundAsync()
    {
        try
        {
            await ReloadCoreAsync(fireToken: true, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException)
        {
            // Disposed while reloading.
        }
    }

    private async Task ReloadLoopAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(NextDelay(interval), cancellationToken).ConfigureAwait(false);
                await ReloadCoreAsync(fireToken: true, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>The interval moved at random by up to <see cref="SecretStoreConfigurationOptions.ReloadJitter"/> either way.</summary>
    internal TimeSpan NextDelay(TimeSpan interval)
    {
#pragma warning disable CA5394 // Jitter spreads reloads over time; it protects nothing.
        var factor = 1 + (((Random.Shared.NextDouble() * 2) - 1) * _options.ReloadJitter);
#pragma warning restore CA5394
        return TimeSpan.FromTicks(Math.Max(1, (long)(interval.Ticks * factor)));
    }

    private static Dictionary<string, string?> ToData(RuntimeLoadResult result) =>
        new(result.Values, StringComparer.OrdinalIgnoreCase);

    private static bool SameData(IDictionary<string, string?> current, Dictionary<string, string?> next) =>
        current.Count == next.Count
        && next.All(entry => current.TryGetValue(entry.Key, out var value) && string.Equals(value, entry.Value, StringComparison.Ordinal));

    private static Diagnostic ReloadFailed(Exception exception, bool first)
    {
        var causes = FailurePolicy.Describe(exception).Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => $"{d.Code.Id}: {d.Text}");
        var what = first
            ? "The secret store could not be loaded; this optional source leaves every key holding a placeholder unset until a reload succeeds"
            : "Reloading secrets failed; the last good values are kept";
        return new Diagnostic(DiagnosticCodes.RuntimeLoadFailed, DiagnosticSeverity.Warning, $"{what}. Cause: {string.Join(" ", causes)}");
    }

    private void Report(Diagnostic diagnostic)
    {
        _options.OnDiagnostic?.Invoke(diagnostic);
        if (_options.Logger is { } logger)
        {
            var level = diagnostic.Severity == DiagnosticSeverity.Error ? LogLevel.Error : LogLevel.Warning;
#pragma warning disable CA1848, CA2254 // One line per diagnostic, already formatted and escaped as every face prints it.
            logger.Log(level, new EventId(int.Parse(diagnostic.Code.Id.AsSpan(3), System.Globalization.CultureInfo.InvariantCulture), diagnostic.Code.Id), diagnostic.ToMSBuildFormat());
#pragma warning restore CA1848, CA2254
        }
        else if (_options.OnDiagnostic is null)
        {
            Console.Error.WriteLine(diagnostic.ToMSBuildFormat());
        }
    }
}

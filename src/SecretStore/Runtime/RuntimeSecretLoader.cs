using System.Globalization;
using System.Text;
using System.Text.Json;
using SecretStore.Diagnostics;
using SecretStore.Resolution.Syntax;
using SecretStore.Resolution.Values;
using SecretStore.Secrets;
using SecretStore.Stores.Caching;

namespace SecretStore.Runtime;

/// <summary>
/// The engine runner of the runtime face: turns placeholders in configuration values (placeholder mode), or every
/// secret of an application (section mode), into configuration keys and values. The configuration provider only
/// translates its options into this and its results into configuration data; any other caller of the engine may do
/// the same.
/// </summary>
/// <remarks>
/// Reads go through a <see cref="CachingSecretStore"/> that keeps each value until its revision changes. A reload
/// first lists the revisions of the applications it needs (names and revisions only: nothing is decrypted, no KMS
/// call), drops the entries whose revision moved, and reads only those; a reload where nothing changed reads no value.
/// Loads are serialised: a manual reload and a timer reload never interleave.
/// </remarks>
public sealed class RuntimeSecretLoader : IDisposable
{
    private static readonly HashSet<string> PerSecretCodes = new(StringComparer.Ordinal)
    {
        DiagnosticCodes.SecretNotFound.Id,
        DiagnosticCodes.InvalidData.Id,
        DiagnosticCodes.WrongContext.Id,
        DiagnosticCodes.InvalidSignature.Id,
        DiagnosticCodes.UntrustedSigner.Id,
        DiagnosticCodes.MasterKeyNotAllowed.Id,
        DiagnosticCodes.KeyNotFound.Id,
        DiagnosticCodes.KeyDisabled.Id,
        DiagnosticCodes.FormatPolicyViolation.Id,
        DiagnosticCodes.RevisionOutOfRange.Id,
        DiagnosticCodes.InvalidSecret.Id,
    };

    private readonly CachingSecretStore _cache;
    private readonly RuntimeLoadOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<SecretId, long> _revisions = [];

    /// <summary>Pinned revisions read so far: a revision's value never changes, so a reload does not read it again.</summary>
    private readonly Dictionary<SecretReference, Secret> _pinned = [];
    private bool _loadedOnce;

    /// <summary>
    /// Reads through <paramref name="store"/>; with <paramref name="ownsStore"/>, disposing the loader disposes it
    /// (an opened <see cref="Stores.EnvelopeSecretStore"/> zeroes its key material then).
    /// </summary>
    public RuntimeSecretLoader(ISecretStore store, RuntimeLoadOptions? options = null, bool ownsStore = false)
    {
        ArgumentNullException.ThrowIfNull(store);
        _options = options ?? new RuntimeLoadOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxConcurrency, 1);

        // Values are kept until their revision changes (the reload's check), never for a fixed time: a timed expiry
        // would make an unchanged reload read (and decrypt) again. "Not found" is never kept: a reload asks again.
        _cache = new CachingSecretStore(
            store,
            new CachingSecretStoreOptions { TimeToLive = Timeout.InfiniteTimeSpan, NotFoundTimeToLive = TimeSpan.Zero, MaxEntries = int.MaxValue },
            ownsStore);
    }

    /// <summary>
    /// Placeholder mode: resolves the placeholders of <paramref name="configuration"/> (keys and values loaded before
    /// the provider). The result holds only the keys whose value changes, plus the keys a <c>|json</c> value adds;
    /// keys without placeholders are left to the configuration that has them. Throws a <see cref="SecretStoreException"/>
    /// with every coded error (syntax, missing or unreadable secret, bad JSON) and nothing else: never a value.
    /// </summary>
    public async Task<RuntimeLoadResult> ResolvePlaceholdersAsync(IEnumerable<KeyValuePair<string, string?>> configuration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var entries = new List<(string Key, ValueScan Scan)>();
        var errors = new List<Diagnostic>();
        foreach (var (key, value) in configuration.OrderBy(e => e.Key, StringComparer.OrdinalIgnoreCase))
        {
            if (!ValuePlaceholders.MayContain(value))
            {
                continue;
            }

            var scan = ValuePlaceholders.Scan(value!, _options.DefaultApplication, Location(key));
            errors.AddRange(scan.Errors);
            foreach (var json in scan.Placeholders.Where(p => p.Has(PlaceholderModifiers.Json)))
            {
                if (json.Start != 0 || json.Length != scan.Value.Length)
                {
                    errors.Add(Error(DiagnosticCodes.ValueNotAllowedInContext, $"{Location(key)}: placeholder {PlaceholderScanner.Quote(json.Text)} has the json modifier but is not the whole value. Fix: make the placeholder the whole value (a json value replaces the key), or drop 'json'."));
                }
            }

            if (scan.ChangesValue)
            {
                entries.Add((key, scan));
            }
        }

        if (errors.Count > 0)
        {
            throw new SecretStoreException(errors);
        }

        var placeholders = entries.SelectMany(e => e.Scan.Placeholders).ToList();
        var ids = placeholders.Where(p => p.Revision is null).Select(p => p.Id).ToHashSet();
        var pins = placeholders.Where(p => p.Revision is not null).Select(p => p.Reference).ToHashSet();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var (current, currentFailures, fetched) = await FetchAsync(ids, cancellationToken).ConfigureAwait(false);
            var (pinnedFailures, pinnedFetched) = await FetchPinnedAsync(pins, cancellationToken).ConfigureAwait(false);
            var secrets = current.ToDictionary(s => new SecretReference(s.Key), s => s.Value);
            var failures = currentFailures.ToDictionary(f => new SecretReference(f.Key), f => f.Value);
            foreach (var pin in pins)
            {
                if (_pinned.TryGetValue(pin, out var secret))
                {
                    secrets[pin] = secret;
                }
                else if (pinnedFailures.TryGetValue(pin, out var failure))
                {
                    failures[pin] = failure;
                }
            }

            var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            var warnings = new List<Diagnostic>();
            foreach (var (key, scan) in entries)
            {
                Render(key, scan, secrets, failures, values, warnings, errors);
            }

            return errors.Count > 0
                ? throw new SecretStoreException(errors)
                : new RuntimeLoadResult { Values = values, Warnings = warnings, SecretCount = ids.Count + pins.Count, FetchedCount = fetched + pinnedFetched };
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Section mode: every secret of <see cref="RuntimeLoadOptions.SectionApplication"/> whose name starts with
    /// <see cref="RuntimeLoadOptions.NamePrefix"/>, as configuration keys (<see cref="RuntimeLoadOptions.KeyForSecret"/>).
    /// </summary>
    public async Task<RuntimeLoadResult> LoadSectionAsync(CancellationToken cancellationToken = default)
    {
        var application = _options.SectionApplication;
        if (string.IsNullOrEmpty(application))
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidArgument, "Section mode needs the application whose secrets it loads. Fix: set the application (in secretstore.json, or the provider's Application option).");
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var listed = await _cache.ListAsync(application, cancellationToken).ConfigureAwait(false);
            var prefix = _options.NamePrefix ?? string.Empty;
            var keyOf = _options.KeyForSecret ?? (id => SectionKeys.Default(id));
            var keys = new Dictionary<SecretId, string>();
            var owners = new Dictionary<string, SecretId>(StringComparer.OrdinalIgnoreCase);
            var errors = new List<Diagnostic>();
            foreach (var metadata in listed.Where(m => m.Id.Name.StartsWith(prefix, StringComparison.Ordinal)))
            {
                if (keyOf(metadata.Id) is not { Length: > 0 } key)
                {
                    continue;
                }

                if (owners.TryGetValue(key, out var other))
                {
                    errors.Add(Error(DiagnosticCodes.InvalidArgument, $"The secrets '{other}' and '{metadata.Id}' map to the same configuration key '{key}' (keys are case-insensitive). Fix: rename one, or map names to keys with the KeyForSecret option."));
                    continue;
                }

                owners[key] = metadata.Id;
                keys[metadata.Id] = key;
            }

            if (errors.Count > 0)
            {
                throw new SecretStoreException(errors);
            }

            var (secrets, failures, fetched) = await FetchAsync(keys.Keys.ToHashSet(), cancellationToken, listed).ConfigureAwait(false);
            var failed = failures.ToDictionary(f => new SecretReference(f.Key), f => f.Value);
            var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            var warnings = new List<Diagnostic>();
            foreach (var (id, key) in keys.OrderBy(k => k.Value, StringComparer.OrdinalIgnoreCase))
            {
                if (secrets.TryGetValue(id, out var secret))
                {
                    values[key] = secret.Value;
                }
                else
                {
                    Failed(new SecretReference(id), failed, optional: false, $"configuration key '{key}'", warnings, errors);
                    values[key] = null;
                }
            }

            return errors.Count > 0
                ? throw new SecretStoreException(errors)
                : new RuntimeLoadResult { Values = values, Warnings = warnings, SecretCount = keys.Count, FetchedCount = fetched };
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Drops every value held in memory; the next load reads every secret again.</summary>
    public void Clear()
    {
        _gate.Wait();
        try
        {
            _cache.Clear();
            _revisions.Clear();
            _pinned.Clear();
            _loadedOnce = false;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _cache.Dispose();
        _gate.Dispose();
    }

    private static string Location(string key) => $"Configuration key '{key}'";

    private static Diagnostic Error(DiagnosticCode code, string message) => new(code, DiagnosticSeverity.Error, message);

    /// <summary>
    /// Reads <paramref name="ids"/>: after the first load, the revisions are listed first and only the secrets whose
    /// revision moved (or that are new) reach the backend. Per-secret failures are returned when the policy may
    /// skip them; store-wide ones throw.
    /// </summary>
    private async Task<(IReadOnlyDictionary<SecretId, Secret> Secrets, Dictionary<SecretId, SecretStoreException> Failures, int Fetched)> FetchAsync(
        HashSet<SecretId> ids, CancellationToken cancellationToken, IReadOnlyList<SecretMetadata>? listedAlready = null)
    {
        var failures = new Dictionary<SecretId, SecretStoreException>();
        if (ids.Count == 0)
        {
            return (new Dictionary<SecretId, Secret>(), failures, 0);
        }

        var stale = ids.Where(id => !_revisions.ContainsKey(id)).ToHashSet();
        if (_loadedOnce)
        {
            var current = new Dictionary<SecretId, long>();
            foreach (var metadata in listedAlready ?? [])
            {
                current[metadata.Id] = metadata.Revision;
            }

            foreach (var application in ids.Select(id => id.ApplicationName).Distinct(StringComparer.Ordinal).Where(a => listedAlready is null))
            {
                foreach (var metadata in await _cache.ListAsync(application, cancellationToken).ConfigureAwait(false))
                {
                    current[metadata.Id] = metadata.Revision;
                }
            }

            foreach (var id in ids)
            {
                if (!current.TryGetValue(id, out var revision) || !_revisions.TryGetValue(id, out var loaded) || revision != loaded)
                {
                    _cache.Invalidate(id);
                    stale.Add(id);
                }
            }
        }
        else
        {
            stale = ids;
        }

        IReadOnlyDictionary<SecretId, Secret> secrets;
        try
        {
            secrets = await _cache.GetManyAsync(ids, cancellationToken).ConfigureAwait(false);
        }
        catch (SecretStoreException batch) when (_options.FailurePolicy is not null && IsPerSecret(batch))
        {
            // One bad record failed the batch; read one by one so the policy can skip just that one.
            var found = new System.Collections.Concurrent.ConcurrentDictionary<SecretId, Secret>();
            var failed = new System.Collections.Concurrent.ConcurrentDictionary<SecretId, SecretStoreException>();
            await Parallel.ForEachAsync(
                ids,
                new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrency, CancellationToken = cancellationToken },
                async (id, token) =>
                {
                    try
                    {
                        found[id] = await _cache.GetAsync(id, token).ConfigureAwait(false);
                    }
                    catch (SecretStoreException one) when (IsPerSecret(one))
                    {
                        failed[id] = one;
                    }
                }).ConfigureAwait(false);
            secrets = found;
            foreach (var (id, exception) in failed)
            {
                failures[id] = exception;
            }
        }

        _revisions.Clear();
        foreach (var (id, secret) in secrets)
        {
            _revisions[id] = secret.Metadata.Revision;
        }

        _loadedOnce = true;
        return (secrets, failures, stale.Count);
    }

    /// <summary>
    /// Reads the pinned revisions not read before (<see cref="_pinned"/>), one by one; a revision the store does not keep
    /// (<c>SSB2019</c>) or a record that does not open is that pin's failure, the rest still load.
    /// </summary>
    private async Task<(Dictionary<SecretReference, SecretStoreException> Failures, int Fetched)> FetchPinnedAsync(HashSet<SecretReference> pins, CancellationToken cancellationToken)
    {
        var failures = new Dictionary<SecretReference, SecretStoreException>();
        var fetched = 0;
        foreach (var pin in pins.Where(p => !_pinned.ContainsKey(p)).OrderBy(p => p.ToString(), StringComparer.Ordinal))
        {
            fetched++;
            try
            {
                _pinned[pin] = await _cache.GetRevisionAsync(pin.Id, pin.Revision!.Value, cancellationToken).ConfigureAwait(false);
            }
            catch (SecretStoreException one) when (one.Code == DiagnosticCodes.RevisionNotFound || IsPerSecret(one))
            {
                failures[pin] = one;
            }
        }

        return (failures, fetched);
    }

    private static bool IsPerSecret(SecretStoreException exception) =>
        exception.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).All(d => PerSecretCodes.Contains(d.Code.Id));

    private void Render(
        string key,
        ValueScan scan,
        IReadOnlyDictionary<SecretReference, Secret> secrets,
        Dictionary<SecretReference, SecretStoreException> failures,
        Dictionary<string, string?> values,
        List<Diagnostic> warnings,
        List<Diagnostic> errors)
    {
        var unread = scan.Placeholders.Where(p => !secrets.ContainsKey(p.Reference)).ToList();
        foreach (var placeholder in unread)
        {
            Failed(placeholder.Reference, failures, placeholder.Has(PlaceholderModifiers.Optional), $"{Location(key)}, placeholder {PlaceholderScanner.Quote(placeholder.Text)}", warnings, errors);
        }

        if (unread.Count > 0)
        {
            // A key that needs a skipped secret is unset, not left holding placeholder text an app would read as a
            // value (a secret that fails the load has added its error, and nothing is returned).
            values[key] = null;
            return;
        }

        if (scan.Placeholders is [{ Modifiers: var modifiers } json] && (modifiers & PlaceholderModifiers.Json) != 0)
        {
            Flatten(key, json, secrets[json.Reference].Value, values, errors);
            return;
        }

        var inValue = scan.Placeholders.FirstOrDefault(p => !p.Has(PlaceholderModifiers.Literal) && ValuePlaceholders.MayContain(secrets[p.Reference].Value));
        if (inValue is not null)
        {
            errors.Add(Error(DiagnosticCodes.PlaceholderInValue, $"{Location(key)}: the value of '{inValue.Id}' holds placeholder text ('#{{secret'), which a later source would read as a placeholder. Fix: change the value, or add the literal modifier ({PlaceholderScanner.Quote(inValue.Text.Insert(inValue.Text.Length - 1, "|literal"))})."));
            return;
        }

        values[key] = scan.Render(p => p.Has(PlaceholderModifiers.Base64)
            ? Convert.ToBase64String(Encoding.UTF8.GetBytes(secrets[p.Reference].Value))
            : secrets[p.Reference].Value);
    }

    /// <summary>
    /// A secret that did not come back: a warning (its keys are left unset) when it is optional and missing, or the
    /// policy says skip; otherwise an error, which fails the load.
    /// </summary>
    private void Failed(SecretReference reference, Dictionary<SecretReference, SecretStoreException> failures, bool optional, string location, List<Diagnostic> warnings, List<Diagnostic> errors)
    {
        var id = reference.Id;
        failures.TryGetValue(reference, out var failure);
        if (reference.IsPinned)
        {
            // A pin is deliberate: a revision the store does not keep fails the load even when the placeholder is
            // optional; only the failure policy can skip it.
            if (_options.FailurePolicy?.Invoke(id) == SecretFailureAction.Skip)
            {
                warnings.Add(new Diagnostic(failure?.Code ?? DiagnosticCodes.RevisionNotFound, DiagnosticSeverity.Warning, $"{location}: revision {reference.Revision} of secret '{id}' cannot be read ({(failure?.Code ?? DiagnosticCodes.RevisionNotFound).Id}); the key is left unset (the failure policy skips it)."));
                return;
            }

            errors.AddRange(failure is null
                ? [Error(DiagnosticCodes.RevisionNotFound, $"{location}: revision {reference.Revision} of secret '{id}' is not kept by the store. Fix: 'secretstore history {id}' lists the revisions kept.")]
                : failure.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d with { Message = $"{location}: {d.Message}" }));
            return;
        }

        var missing = failure is null || failure.Code == DiagnosticCodes.SecretNotFound;
        var action = _options.FailurePolicy?.Invoke(id) ?? SecretFailureAction.Fail;
        if ((missing && optional) || action == SecretFailureAction.Skip)
        {
            var reason = missing ? "does not exist" : $"cannot be read ({failure!.Code.Id})";
            warnings.Add(new Diagnostic(missing ? DiagnosticCodes.OptionalSecretMissing : failure!.Code, DiagnosticSeverity.Warning, $"{location}: secret '{id}' {reason}; the key is left unset ({(optional && missing ? "optional" : "the failure policy skips it")})."));
            return;
        }

        errors.AddRange(failure is null
            ? [Error(DiagnosticCodes.SecretNotFound, $"{location}: secret '{id}' was not found. Fix: 'secretstore set {id}' adds it; add '|optional' if the app can start without it.")]
            : failure.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d with { Message = $"{location}: {d.Message}" }));
    }

    /// <summary>
    /// A <c>|json</c> value as configuration keys, the way the JSON configuration file provider reads a file: an object's
    /// members and an array's items become child keys (<c>Key:member</c>, <c>Key:0</c>), a scalar its text.
    /// </summary>
    private static void Flatten(string key, ValuePlaceholder placeholder, string value, Dictionary<string, string?> values, List<Diagnostic> errors)
    {
        var added = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        try
        {
            // The defaults are the strict JSON the file resolver takes: no comments, no trailing commas.
            using var document = JsonDocument.Parse(value);
            Visit(key, document.RootElement, added);
        }
        catch (JsonException exception)
        {
            // The parser's own message may quote the character it stopped at: only its position is repeated.
            errors.Add(Error(DiagnosticCodes.InvalidJsonValue, string.Create(CultureInfo.InvariantCulture, $"{Location(key)}: the value of '{placeholder.Id}' is not valid JSON (line {exception.LineNumber + 1}, byte {exception.BytePositionInLine + 1}). Fix: store valid JSON ('secretstore set {placeholder.Id}'), or drop the json modifier.")));
            return;
        }
        catch (DuplicateKeyException)
        {
            // Member names are part of the value (a map of user to password): the message names none of them.
            errors.Add(Error(DiagnosticCodes.InvalidJsonValue, $"{Location(key)}: the value of '{placeholder.Id}' has two members whose names differ only in case, or that give one key with ':' (configuration keys are case-insensitive and ':' separates them). Fix: store JSON whose member names give distinct keys."));
            return;
        }
        catch (InvalidOperationException)
        {
            // A string escape such as "\ud800" is valid JSON text but no Unicode string (red team, RT.17).
            errors.Add(Error(DiagnosticCodes.InvalidJsonValue, $"{Location(key)}: the value of '{placeholder.Id}' holds a JSON string that is not valid Unicode (a lone surrogate escape). Fix: store valid JSON text ('secretstore set {placeholder.Id}')."));
            return;
        }

        if (!placeholder.Has(PlaceholderModifiers.Literal) && added.Values.Any(ValuePlaceholders.MayContain))
        {
            // The check of the raw value misses a JSON escape ("\u0023{secret:..."): the strings the parse gives are
            // what a later source reads (red team, RT.17).
            errors.Add(Error(DiagnosticCodes.PlaceholderInValue, $"{Location(key)}: the value of '{placeholder.Id}' holds a JSON string with placeholder text ('#{{secret'), which a later source would read as a placeholder. Fix: change the value, or add the literal modifier ({PlaceholderScanner.Quote(placeholder.Text.Insert(placeholder.Text.Length - 1, "|literal"))})."));
            return;
        }

        foreach (var (name, text) in added)
        {
            values[name] = text;
        }
    }

    private static void Visit(string path, JsonElement element, Dictionary<string, string?> added)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                added[path] = null;
                foreach (var property in element.EnumerateObject())
                {
                    var child = $"{path}:{property.Name}";
                    if (added.ContainsKey(child))
                    {
                        throw new DuplicateKeyException();
                    }

                    Visit(child, property.Value, added);
                }

                break;
            case JsonValueKind.Array:
                added[path] = null;
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Visit(string.Create(CultureInfo.InvariantCulture, $"{path}:{index++}"), item, added);
                }

                break;
            case JsonValueKind.Null:
                added[path] = null;
                break;
            default:
                // JsonElement.ToString() is what the JSON file provider stores: a string's text, a number's literal,
                // "True"/"False" (which the binder converts back to bool).
                added[path] = element.ToString();
                break;
        }
    }

    private sealed class DuplicateKeyException : Exception;
}

using SecretStore.Diagnostics;
using SecretStore.IO;
using SecretStore.Resolution.Formats;
using SecretStore.Resolution.Mapping;
using SecretStore.Resolution.Reporting;
using SecretStore.Secrets;

namespace SecretStore.Resolution;

/// <summary>
/// Replaces secret placeholders in config files with values from an <see cref="ISecretStore"/>, escaped for the
/// place they land in. Fail closed: every file is read, planned and resolved in memory first; only when nothing
/// went wrong are the changed files written, each through a temp file and a rename. Each distinct secret is
/// fetched once per run, in one <see cref="ISecretStore.GetManyAsync"/> call per application.
/// </summary>
public sealed class SecretResolver
{
    // Resolved files and the report: no fsync (a publish step is simply run again after a crash), and the target's
    // own mode, group and owner kept, since the user chose who may read a config file.
    private static readonly AtomicWriteOptions ResolvedFileWrite = new(Durable: false, AtomicFileMode.KeepTarget);

    private readonly Lazy<ISecretStore> _store;

    /// <summary>Creates a resolver over a store that is already open.</summary>
    /// <param name="store">The store the values come from (not used in list mode).</param>
    public SecretResolver(ISecretStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = new Lazy<ISecretStore>(store);
    }

    /// <summary>
    /// Creates a resolver that opens its store only when a secret is needed: never in list mode, never for files
    /// without placeholders, so a project with the package and no placeholder needs no store settings at all. An
    /// opening that throws a coded error is reported like any failed read, at the first placeholder that needed it.
    /// </summary>
    /// <param name="openStore">Opens the store; called at most once. The caller disposes what it returns.</param>
    public SecretResolver(Func<ISecretStore> openStore)
    {
        ArgumentNullException.ThrowIfNull(openStore);
        _store = new Lazy<ISecretStore>(openStore, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>
    /// Runs the request. Problems are returned as diagnostics (all of them), never thrown; only cancellation
    /// and programming errors throw.
    /// </summary>
    public async Task<ResolveResult> ResolveAsync(ResolveRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Files);
        var diagnostics = new List<Diagnostic>();
        var mappings = ParseMappings(request, diagnostics);

        var baseDirectory = Path.GetFullPath(request.BaseDirectory ?? Directory.GetCurrentDirectory());
        var files = new List<FileWork>();
        var seen = new HashSet<string>(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        foreach (var path in request.Files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (string.IsNullOrWhiteSpace(path))
            {
                diagnostics.Add(FileAnalyzer.Error(DiagnosticCodes.InvalidArgument, "An empty file path was listed."));
                continue;
            }

            if (seen.Add(Path.GetFullPath(path)))
            {
                FileFormat? format = request.Formats is { } chosen && chosen.TryGetValue(Path.GetFullPath(path, baseDirectory), out var given) ? given : null;
                files.Add(await FileAnalyzer.AnalyzeAsync(path, baseDirectory, request.DefaultApplication, mappings, diagnostics, cancellationToken, format).ConfigureAwait(false));
            }
        }

        foreach (var spec in mappings.Where(m => m.Mapping.File is null && m.Hits == 0))
        {
            diagnostics.Add(FileAnalyzer.Error(DiagnosticCodes.MappingPathNotFound, $"Mapping '{spec.Mapping.ConfigurationPath}' -> '{spec.Reference}' matched no string value in any listed JSON, XML, INI or YAML file."));
        }

        var substitutions = files.SelectMany(f => f.Substitutions).ToList();
        if (request.RequirePlaceholders && substitutions.Count == 0)
        {
            diagnostics.Add(FileAnalyzer.Error(DiagnosticCodes.NoPlaceholders, $"None of the {files.Count} listed file(s) holds a secret placeholder or mapped value, and at least one was required."));
        }

        var required = substitutions
            .GroupBy(s => s.Reference)
            .Select(g => new RequiredSecret(g.Key.Id.ApplicationName, g.Key.Id.Name, g.All(s => s.IsOptional), g.Count()) { Revision = g.Key.Revision })
            .OrderBy(r => r.Application, StringComparer.Ordinal)
            .ThenBy(r => r.Name, StringComparer.Ordinal)
            .ThenBy(r => r.Revision ?? 0)
            .ToList();

        var filesWritten = 0;
        if (request.Mode != ResolveMode.List)
        {
            var (secrets, failedApplications) = await FetchAsync(files, diagnostics, cancellationToken).ConfigureAwait(false);
            if (request.Lock is { } locked && !request.UpdateLock)
            {
                Locking.LockCheck.Check(locked, request.LockPath, request.LockEnvironment, files, secrets, failedApplications, diagnostics);
            }

            var forms = new ValueFormCollector();
            foreach (var file in files)
            {
                FileRenderer.Render(file, secrets, failedApplications, request.AllowOptional, diagnostics, forms);
            }

            if (request.UpdateLock && request.WriteLock is { } writeLock && !HasErrors(diagnostics))
            {
                try
                {
                    await writeLock(Locking.LockCheck.EntriesOf(files, secrets, request.LockEnvironment), Locking.LockCheck.MissingOf(files, secrets, failedApplications), cancellationToken).ConfigureAwait(false);
                }
                catch (SecretStoreException ex)
                {
                    diagnostics.AddRange(ex.Diagnostics);
                }
            }

            if (request.Mode == ResolveMode.Resolve && !HasErrors(diagnostics))
            {
                request.BeforeWrite?.Invoke(forms.Build());
                filesWritten = await WriteAllAsync(files, request.Probe, diagnostics, cancellationToken).ConfigureAwait(false);
            }
        }

        var report = new ResolutionReport
        {
            Mode = request.Mode,
            Succeeded = !HasErrors(diagnostics),
            Files = files.Select(f => new FileReport
            {
                Path = f.Path,
                Format = f.Format,
                Encoding = f.Encoding,
                Changed = f.Changed,
                Written = f.Written,
                Placeholders = f.Substitutions.OrderBy(s => s.Line).ThenBy(s => s.Column).Select(s => s.ToReport()).ToList(),
            }).ToList(),
            RequiredSecrets = required,
            Diagnostics = diagnostics,
        };

        if (request.ReportPath is { } reportPath)
        {
            await WriteReportAsync(reportPath, report, diagnostics, cancellationToken).ConfigureAwait(false);
        }

        return new ResolveResult(diagnostics, report, files.Count(f => f.Bytes is not null), filesWritten, substitutions.Count, required.Count);
    }

    private static List<MappingSpec> ParseMappings(ResolveRequest request, List<Diagnostic> diagnostics)
    {
        var specs = new List<MappingSpec>();
        foreach (var mapping in request.Mappings ?? [])
        {
            string? problem = null;
            if (string.IsNullOrEmpty(mapping.ConfigurationPath) || !SecretReference.TryParse(mapping.Secret, request.DefaultApplication, out var reference, out problem))
            {
                var reason = problem is null ? "has no configuration path" : $"names a secret that {problem}";
                diagnostics.Add(FileAnalyzer.Error(DiagnosticCodes.InvalidArgument, $"Mapping '{mapping.ConfigurationPath}' -> '{mapping.Secret}' {reason}."));
                continue;
            }

            specs.Add(new MappingSpec(mapping, reference));
        }

        return specs;
    }

    private async Task<(Dictionary<SecretReference, Secret> Secrets, HashSet<string> FailedApplications)> FetchAsync(List<FileWork> files, List<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var secrets = new Dictionary<SecretReference, Secret>();
        var failed = new HashSet<string>(StringComparer.Ordinal);

        // Files that already failed are not resolved, so their secrets are not decrypted either.
        var byApplication = files
            .Where(f => !f.Failed)
            .SelectMany(f => f.Substitutions.Select(s => (File: f, Substitution: s)))
            .GroupBy(x => x.Substitution.Id.ApplicationName, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
        if (byApplication.Count == 0)
        {
            return (secrets, failed);
        }

        // Opened here, once, when the first secret is needed. A store that cannot be opened (settings, keyring,
        // endpoint policy) is one error of the run as the store reported it, not one per application.
        ISecretStore store;
        try
        {
            store = _store.Value;
        }
        catch (SecretStoreException ex)
        {
            diagnostics.AddRange(ex.Diagnostics);
            failed.UnionWith(byApplication.Select(g => g.Key));
            return (secrets, failed);
        }

        foreach (var group in byApplication)
        {
            var references = group.Select(x => x.Substitution.Reference).Distinct().ToList();
            var ids = references.Where(r => !r.IsPinned).Select(r => r.Id).Distinct().OrderBy(id => id.Name, StringComparer.Ordinal).ToList();
            var (file, first) = group.First();
            try
            {
                var found = ids.Count > 0 ? await store.GetManyAsync(ids, cancellationToken).ConfigureAwait(false) : new Dictionary<SecretId, Secret>();
                foreach (var id in ids)
                {
                    if (found.TryGetValue(id, out var secret))
                    {
                        secrets[new SecretReference(id)] = secret;
                    }
                }

                // Pinned revisions come from the history, one read each; a revision the store does not keep is reported
                // at each placeholder that pins it (SSB2019), not as a failure of the application.
                foreach (var pinned in references.Where(r => r.IsPinned).OrderBy(r => r.Id.Name, StringComparer.Ordinal).ThenBy(r => r.Revision))
                {
                    try
                    {
                        secrets[pinned] = await store.GetRevisionAsync(pinned.Id, pinned.Revision!.Value, cancellationToken).ConfigureAwait(false);
                    }
                    catch (SecretStoreException ex) when (ex.Code == DiagnosticCodes.RevisionNotFound)
                    {
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (SecretStoreException ex)
            {
                failed.Add(group.Key);
                var detail = ex.Diagnostics.Count > 0 ? ex.Diagnostics[0].Message : ex.Code.Title;
                diagnostics.Add(FileAnalyzer.Error(ex.Code, $"Secrets of application '{group.Key}' ({ids.Count} named, first: placeholder {first.Text}) could not be read: {detail}", file.Path, first.Line, first.Column));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // An unwrapped backend exception: its message is not vetted for values, so only its type is named.
                failed.Add(group.Key);
                diagnostics.Add(FileAnalyzer.Error(DiagnosticCodes.BackendUnavailable, $"Secrets of application '{group.Key}' could not be read ({ex.GetType().Name}).", file.Path, first.Line, first.Column));
            }
        }

        return (secrets, failed);
    }

    private static async Task<int> WriteAllAsync(List<FileWork> files, WritePhaseProbe? probe, List<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var changed = files.Where(f => f.Changed && f.Output is not null).ToList();
        var temps = new List<(FileWork File, PendingFile Temp)>();
        try
        {
            foreach (var file in changed)
            {
                try
                {
                    temps.Add((file, await AtomicFileWriter.WriteTempAsync(file.FullPath, file.Output!, ResolvedFileWrite, cancellationToken).ConfigureAwait(false)));
                    probe?.TempWritten?.Invoke(file.FullPath, temps.Count);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    diagnostics.Add(FileAnalyzer.Error(DiagnosticCodes.FileWriteFailed, $"The resolved file could not be written ({ex.GetType().Name}); no file was changed.", file.Path));
                    return 0;
                }
                catch (SecretStoreException ex)
                {
                    // Its group or ACL cannot be kept (SSB1020): refused before any file of the run is renamed.
                    diagnostics.Add(FileAnalyzer.Error(ex.Code, ex.Diagnostics[0].Message, file.Path));
                    return 0;
                }
            }

            // Every temp file exists: only renames are left, the step least likely to fail.
            var written = 0;
            foreach (var (file, temp) in temps)
            {
                try
                {
                    probe?.Committing?.Invoke(file.FullPath, written);
                    AtomicFileWriter.Commit(temp, file.FullPath);
                    file.Written = true;
                    written++;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // All or nothing: the files already replaced get their original bytes back (the same way in).
                    var notRestored = await RestoreAsync(temps.Where(t => t.File.Written).Select(t => t.File)).ConfigureAwait(false);
                    var outcome = (written, notRestored) switch
                    {
                        (0, _) => "no file was changed.",
                        (_, 0) => $"the {written} file(s) already replaced were restored; no file was changed.",
                        _ => $"{notRestored} of the {written} file(s) already replaced could not be restored.",
                    };
                    diagnostics.Add(FileAnalyzer.Error(DiagnosticCodes.FileWriteFailed, $"The resolved file could not be moved into place ({ex.GetType().Name}); {outcome}", file.Path));
                    return notRestored;
                }
            }

            // Temp files of a run that was killed before its renames hold resolved values; all targets are in place now.
            foreach (var file in files)
            {
                AtomicFileWriter.RemoveStaleTemps(file.FullPath);
            }

            return written;
        }
        finally
        {
            foreach (var (_, temp) in temps)
            {
                AtomicFileWriter.Discard(temp);
            }
        }
    }

    /// <summary>Puts the original bytes back into files the write phase already replaced; returns how many failed.</summary>
    private static async Task<int> RestoreAsync(IEnumerable<FileWork> replaced)
    {
        var failed = 0;
        foreach (var file in replaced.ToList())
        {
            try
            {
                // Not cancellable: stopping half-way would leave exactly the mixed state this undoes.
                await AtomicFileWriter.WriteAsync(file.FullPath, file.Bytes!, ResolvedFileWrite, CancellationToken.None).ConfigureAwait(false);
                file.Written = false;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SecretStoreException)
            {
                failed++;
            }
        }

        return failed;
    }

    private static async Task WriteReportAsync(string reportPath, ResolutionReport report, List<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var content = reportPath.EndsWith(".md", StringComparison.OrdinalIgnoreCase) ? report.ToMarkdown() : report.ToJson();
        try
        {
            var full = Path.GetFullPath(reportPath);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            await AtomicFileWriter.WriteAsync(full, System.Text.Encoding.UTF8.GetBytes(content), ResolvedFileWrite, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            diagnostics.Add(FileAnalyzer.Error(DiagnosticCodes.FileWriteFailed, $"The report could not be written ({ex.GetType().Name}).", reportPath));
        }
        catch (SecretStoreException ex)
        {
            diagnostics.Add(FileAnalyzer.Error(ex.Code, ex.Diagnostics[0].Message, reportPath));
        }
    }

    private static bool HasErrors(List<Diagnostic> diagnostics) => diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
}

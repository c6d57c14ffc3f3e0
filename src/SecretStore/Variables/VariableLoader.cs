using SecretStore.Configuration.Settings;
using SecretStore.Diagnostics;
using SecretStore.Secrets;

namespace SecretStore.Variables;

/// <summary>
/// Turns <see cref="VariableOptions"/> into variables: checks every name and reference first, lists the applications,
/// refuses two secrets for one variable, then reads every secret in one get-many. Every problem is collected and
/// thrown together, before any value is handed on, and no message holds a value.
/// </summary>
internal static class VariableLoader
{
    public static async Task<SecretVariableSet> LoadAsync(ISecretStore store, VariableOptions options, ResolvedSettings settings, (Locking.SecretLock Lock, string Path)? lockFile, CancellationToken cancellationToken)
    {
        var errors = new List<Diagnostic>();
        var warnings = new List<Diagnostic>();
        var chosen = new Dictionary<string, (SecretReference Id, string Origin)>(VariableNames.Comparer);

        void Choose(string variable, SecretReference id, string origin)
        {
            if (!chosen.TryGetValue(variable, out var earlier))
            {
                chosen.Add(variable, (id, origin));
            }
            else if (earlier.Id != id)
            {
                errors.Add(Error(DiagnosticCodes.DuplicateVariable, $"Variable '{variable}' is mapped to two secrets: '{earlier.Id}' ({earlier.Origin}) and '{id}' ({origin}){(VariableNames.Comparer == StringComparer.OrdinalIgnoreCase ? " (names compare ignoring case on Windows)" : string.Empty)}. Fix: map one of them to another name with --map NAME=App/Secret."));
            }
        }

        var mappings = options.Mappings.Count == 0 && options.Applications.Count == 0 ? settings.Variables : options.Mappings;
        if (mappings.Count == 0 && options.Applications.Count == 0)
        {
            throw new SecretStoreException(
                DiagnosticCodes.InvalidArgument,
                $"No secrets were chosen. Fix: give --map NAME=App/Secret or --app App (Cake: Variables or Applications), or a \"variables\" member in {SettingsFile.FileName}.");
        }

        foreach (var mapping in mappings)
        {
            if (!VariableNames.IsValid(mapping.Variable))
            {
                errors.Add(VariableNames.Invalid(mapping.Variable, mapping.Origin).Diagnostics[0]);
                continue;
            }

            if (!SecretReference.TryParse(mapping.Secret, settings.Application, out var id, out var problem))
            {
                errors.Add(Error(DiagnosticCodes.InvalidArgument, $"The secret of variable '{mapping.Variable}' ({mapping.Origin}) {problem}."));
                continue;
            }

            Choose(mapping.Variable, id, mapping.Origin);
        }

        var prefix = options.Prefix ?? string.Empty;
        if (prefix.Length > 0 && !VariableNames.IsValid(prefix + "_"))
        {
            errors.Add(VariableNames.Invalid(prefix, "--prefix").Diagnostics[0]);
        }
        else
        {
            foreach (var application in options.Applications.Distinct(StringComparer.Ordinal))
            {
                if (string.IsNullOrWhiteSpace(application))
                {
                    errors.Add(Error(DiagnosticCodes.InvalidArgument, "An application given with --app is empty. Fix: name the application."));
                    continue;
                }

                var secrets = await store.ListAsync(application, cancellationToken).ConfigureAwait(false);
                if (secrets.Count == 0)
                {
                    var message = $"Application '{application}' (--app) has no secrets. Fix: correct the name ('secretstore list' shows the applications), or add its secrets.";
                    (options.Strict ? errors : warnings).Add(options.Strict ? Error(DiagnosticCodes.SecretNotFound, message) : new Diagnostic(DiagnosticCodes.MappedSecretMissing, DiagnosticSeverity.Warning, message));
                }

                foreach (var metadata in secrets)
                {
                    if (VariableNames.FromSecretName(metadata.Id.Name, prefix) is { } variable)
                    {
                        Choose(variable, new SecretReference(metadata.Id), $"--app {application}");
                    }
                    else
                    {
                        errors.Add(Error(DiagnosticCodes.InvalidVariableName, $"Secret '{metadata.Id}' (--app {application}) gives no valid environment variable name: {VariableNames.RuleText}. Fix: map it with --map NAME={metadata.Id}, or rename the secret."));
                    }
                }
            }
        }

        ThrowIfAny(errors);
        var current = await store.GetManyAsync(chosen.Values.Where(c => !c.Id.IsPinned).Select(c => c.Id.Id).Distinct(), cancellationToken).ConfigureAwait(false);
        var values = current.ToDictionary(v => new SecretReference(v.Key), v => v.Value);
        foreach (var pin in chosen.Values.Select(c => c.Id).Where(r => r.IsPinned).Distinct())
        {
            try
            {
                values[pin] = await store.GetRevisionAsync(pin.Id, pin.Revision!.Value, cancellationToken).ConfigureAwait(false);
            }
            catch (SecretStoreException notKept) when (notKept.Code == DiagnosticCodes.RevisionNotFound)
            {
                // A pin is deliberate: a revision the store does not keep is an error, strict or not.
                errors.Add(notKept.Diagnostics[0]);
            }
        }

        if (lockFile is { } held)
        {
            foreach (var (variable, (reference, origin)) in chosen.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                if (reference.IsPinned && !values.ContainsKey(reference))
                {
                    continue; // SSB2019 already.
                }

                var found = values.TryGetValue(reference, out var read) ? read.Metadata : null;
                if (Locking.LockCheck.CheckOne(held.Lock, held.Path, settings.EnvironmentName, reference, found, $"Variable '{variable}' ({origin})") is { } diagnostic)
                {
                    (diagnostic.Severity == DiagnosticSeverity.Error ? errors : warnings).Add(diagnostic);
                }
            }
        }

        var variables = new List<SecretVariable>();
        var missing = new List<string>();
        foreach (var (variable, (reference, origin)) in chosen.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            var id = reference.Id;
            if (!values.TryGetValue(reference, out var secret))
            {
                if (reference.IsPinned)
                {
                    continue;
                }

                if (options.Strict)
                {
                    errors.Add(new SecretNotFoundException(id).Diagnostics[0]);
                }
                else
                {
                    warnings.Add(new Diagnostic(DiagnosticCodes.MappedSecretMissing, DiagnosticSeverity.Warning, $"Secret '{id}' ({origin}) was not found; variable '{variable}' is not set (a value of that name in the caller's environment is not passed on either)."));
                    missing.Add(variable);
                }

                continue;
            }

            if (secret.Value.Contains('\0', StringComparison.Ordinal))
            {
                errors.Add(Error(DiagnosticCodes.ValueNotExportable, $"The value of '{id}' (variable '{variable}') holds a NUL character, which no environment variable can carry. Fix: store the value without it, or Base64-encode it."));
                continue;
            }

            variables.Add(new SecretVariable(variable, id, secret.Value));
        }

        ThrowIfAny(errors);
        return new SecretVariableSet(variables, warnings, settings.Store.PrivateKeyEnvironmentVariable, settings.EnvironmentName, missing);
    }

    private static Diagnostic Error(DiagnosticCode code, string message) => new(code, DiagnosticSeverity.Error, message);

    private static void ThrowIfAny(List<Diagnostic> errors)
    {
        if (errors.Count > 0)
        {
            throw new SecretStoreException(errors);
        }
    }
}

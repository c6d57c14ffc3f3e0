using SecretStore.Diagnostics;

namespace SecretStore.Configuration.Settings;

/// <summary>
/// Merges the settings layers into one <see cref="StoreSettings"/>, the same way for every face. Precedence, highest
/// first: what the face was given explicitly; the <c>SECRETSTORE_ALLOW_V1</c> / <c>SECRETSTORE_ALLOW_INSECURE_ENDPOINT</c>
/// variables (for those two switches); the chosen environment of <c>secretstore.json</c>; the file's shared top level.
/// Protection defaults to <c>kms</c> for DynamoDB storage (the usual pairing); file storage needs it named.
/// </summary>
public static class SettingsResolver
{
    /// <summary>
    /// Resolves the settings. Throws <c>SSB1022</c> for an environment the file does not define (or a chosen one
    /// with no file), <c>SSB0003</c> for storage/protection texts that do not parse or a pair that cannot work;
    /// a store that is simply not configured is not an error here (<see cref="ResolvedSettings.HasStorage"/>).
    /// </summary>
    public static ResolvedSettings Resolve(SettingsFile? file, EnvironmentChoice? environment, SettingsLayer explicitLayer, Func<string, string?>? environmentVariables = null)
    {
        ArgumentNullException.ThrowIfNull(explicitLayer);
        var variables = environmentVariables ?? Environment.GetEnvironmentVariable;
        var (environmentLayer, environmentName) = ChooseEnvironment(file, environment);

        // Lowest first; each layer overrides what the ones before set.
        var layers = new List<SettingsLayer>();
        if (file is not null)
        {
            layers.Add(file.Shared);
        }

        if (environmentLayer is not null)
        {
            layers.Add(environmentLayer);
        }

        layers.Add(VariableLayer(explicitLayer.BaseDirectory, variables));
        layers.Add(explicitLayer);

        var settings = new StoreSettings();
        string? application = null;
        var hasStorage = false;
        var hasProtection = false;
        var mappings = new Dictionary<string, Variables.VariableMapping>(SecretStore.Variables.VariableNames.Comparer);
        foreach (var layer in layers)
        {
            foreach (var mapping in layer.Variables ?? [])
            {
                mappings[mapping.Variable] = mapping;
            }

            var origin = layer.Origin ?? "the settings";
            application = Pick(layer.Application, application);
            if (!string.IsNullOrWhiteSpace(layer.Storage))
            {
                settings = StoreSpec.WithStorage(settings, $"The storage of {origin}", layer.Storage, layer.BaseDirectory);
                hasStorage = true;
            }

            if (!string.IsNullOrWhiteSpace(layer.Protection))
            {
                settings = StoreSpec.WithProtection(settings, $"The protection of {origin}", layer.Protection, layer.BaseDirectory);
                hasProtection = true;
            }

            settings = settings with
            {
                KeyId = Pick(layer.KeyId, settings.KeyId),
                AllowedKeyIds = layer.AllowedKeyIds ?? settings.AllowedKeyIds,
                Recipients = layer.Recipients ?? settings.Recipients,
                Region = Pick(layer.Region, settings.Region),
                ServiceUrl = Pick(layer.ServiceUrl, settings.ServiceUrl),
                KmsServiceUrl = Pick(layer.KmsServiceUrl, settings.KmsServiceUrl),
                PrivateKeyEnvironmentVariable = Pick(layer.PrivateKeyVariable, settings.PrivateKeyEnvironmentVariable),
                AllowV1 = layer.AllowV1 ?? settings.AllowV1,
                AllowInsecureEndpoint = layer.AllowInsecureEndpoint ?? settings.AllowInsecureEndpoint,
                KeepRevisions = layer.KeepRevisions ?? settings.KeepRevisions,
            };
        }

        if (hasStorage && !hasProtection && settings.Storage == StorageKind.DynamoDb)
        {
            settings = settings with { Protection = ProtectionKind.Kms };
        }

        return new ResolvedSettings
        {
            Store = settings,
            Application = application,
            EnvironmentName = environmentName,
            SettingsFilePath = file?.Path,
            HasStorage = hasStorage,
            Variables = [.. mappings.Values.OrderBy(m => m.Variable, StringComparer.Ordinal)],
        };
    }

    private static (SettingsLayer? Layer, string? Name) ChooseEnvironment(SettingsFile? file, EnvironmentChoice? choice)
    {
        if (choice is not null && !string.IsNullOrWhiteSpace(choice.Name))
        {
            if (file is null)
            {
                return choice.IsDerived
                    ? (null, null)
                    : throw new SecretStoreException(
                        DiagnosticCodes.UnknownEnvironment,
                        $"Environment '{choice.Name}' was chosen ({choice.Source}) but no {SettingsFile.FileName} was found. Fix: create one with 'secretstore init', or leave {choice.Source} unset.");
            }

            return file.Environments.TryGetValue(choice.Name.Trim(), out var chosen)
                ? (chosen, choice.Name.Trim())
                : throw UnknownEnvironment(file, choice.Name.Trim(), choice.Source, line: 0);
        }

        if (file?.DefaultEnvironment is { Length: > 0 } name)
        {
            return file.Environments.TryGetValue(name, out var layer)
                ? (layer, name)
                : throw UnknownEnvironment(file, name, "defaultEnvironment", file.DefaultEnvironmentLine);
        }

        return (null, null);
    }

    private static SecretStoreException UnknownEnvironment(SettingsFile file, string name, string source, int line)
    {
        var known = file.Environments.Count == 0 ? "none" : string.Join(", ", file.Environments.Keys.Order(StringComparer.OrdinalIgnoreCase));
        return new SecretStoreException([new Diagnostic(
            DiagnosticCodes.UnknownEnvironment,
            DiagnosticSeverity.Error,
            $"Environment '{name}' ({source}) is not defined in {SettingsFile.FileName} (environments: {known}). Fix: add it under \"environments\", or choose one of those.",
            file.Path,
            line,
            0)]);
    }

    private static SettingsLayer VariableLayer(string baseDirectory, Func<string, string?> variables) => new()
    {
        BaseDirectory = baseDirectory,
        Origin = "the environment variables",
        AllowV1 = ReadSwitch(SettingValue.AllowV1Variable, variables),
        AllowInsecureEndpoint = ReadSwitch(EndpointPolicy.AllowInsecureEndpointVariable, variables),
    };

    private static bool? ReadSwitch(string variable, Func<string, string?> variables)
    {
        var text = variables(variable);
        return string.IsNullOrWhiteSpace(text) ? null : SettingValue.ParseBoolean(variable, text, defaultValue: false);
    }

    private static string? Pick(string? value, string? fallback) => string.IsNullOrWhiteSpace(value) ? fallback : value.Trim();
}

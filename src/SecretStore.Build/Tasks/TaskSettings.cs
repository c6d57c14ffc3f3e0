using Microsoft.Build.Framework;
using SecretStore.Configuration;
using SecretStore.Configuration.Settings;
using SecretStore.Diagnostics;
using SecretStore.Resolution;
using SecretStore.Resolution.Formats;
using SecretStore.Running;

namespace SecretStore.Build.Tasks;

/// <summary>Translates the task's string parameters into the runner's options; bad values are SSB0001/SSB0003.</summary>
internal static class TaskSettings
{
    public static StoreSelection ToSelection(ResolveSecrets task)
    {
        var projectDirectory = Path.GetFullPath(Empty(task.ProjectDirectory) ?? System.IO.Directory.GetCurrentDirectory());
        return new StoreSelection
        {
            WorkingDirectory = projectDirectory,
            SettingsFile = Empty(task.SettingsFile),
            DefaultApplication = Empty(task.DefaultApplication),
            Environment = Empty(task.Environment) is { } chosen
                ? new EnvironmentChoice(chosen, "SecretStoreEnvironment")
                : Empty(task.EnvironmentName) is { } derived ? new EnvironmentChoice(derived, "EnvironmentName", IsDerived: true) : null,
            Explicit = new SettingsLayer
            {
                BaseDirectory = projectDirectory,
                Origin = "the MSBuild properties",
                Application = Empty(task.Application),
                Storage = NoInlineConnectionString(StoreSpec.Choose(("SecretStoreStorage", task.Storage, ""), ("SecretStoreFile", task.StoreFile, StoreSpec.FilePrefix), ("SecretStoreTable", task.Table, StoreSpec.DynamoDbPrefix))),
                Protection = StoreSpec.Choose(("SecretStoreProtection", task.Protection, ""), ("SecretStoreKeyring", task.Keyring, StoreSpec.RsaPrefix)),
                PrivateKeyVariable = Empty(task.PrivateKeyVariable),
                KeyId = Empty(task.KeyId),
                AllowedKeyIds = string.IsNullOrWhiteSpace(task.AllowedKeyIds) ? null : KeyIdList.Parse(task.AllowedKeyIds),
                Region = Empty(task.Region),
                ServiceUrl = Empty(task.ServiceUrl),
                KmsServiceUrl = Empty(task.KmsServiceUrl),
                AllowV1 = Switch("SecretStoreAllowV1", task.AllowV1),
                AllowInsecureEndpoint = Switch("SecretStoreAllowInsecureEndpoint", task.AllowInsecureEndpoint),
            },
        };
    }

    /// <summary>
    /// MSBuild properties are recorded in binary logs and shown by -v:diag: a PostgreSQL storage given as a property must
    /// name the environment variable that holds the connection string, never be one (SSB0003; the text is not repeated).
    /// </summary>
    private static string? NoInlineConnectionString(string? storage)
    {
        var trimmed = storage?.Trim();
        if (trimmed is not null && trimmed.StartsWith(StoreSpec.PostgreSqlPrefix, StringComparison.OrdinalIgnoreCase)
            && !PostgreSqlConnection.IsVariableName(trimmed[StoreSpec.PostgreSqlPrefix.Length..].Trim()))
        {
            throw new SecretStoreException(
                DiagnosticCodes.InvalidStoreConfiguration,
                $"SecretStoreStorage gives a PostgreSQL connection string inline; MSBuild properties are recorded in binary logs. Fix: put the connection string in an environment variable and give its name ({StoreSpec.PostgreSqlPrefix}SECRETSTORE_POSTGRES), or set the storage in secretstore.json.");
        }

        return storage;
    }

    /// <summary>A boolean property: null when blank (the next layer decides), else the engine's strict parse.</summary>
    public static bool? Switch(string propertyName, string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : SettingValue.ParseBoolean(propertyName, text, defaultValue: false);

    public static ResolveMode ParseMode(string? value) => Empty(value)?.ToUpperInvariant() switch
    {
        null or "RESOLVE" => ResolveMode.Resolve,
        "VERIFY" => ResolveMode.Verify,
        "LIST" => ResolveMode.List,
        _ => throw new SecretStoreException(DiagnosticCodes.InvalidArgument, $"SecretStoreMode '{value}' is not supported; use Resolve, Verify or List."),
    };

    public static ConfigFileSpec ToFileSpec(ITaskItem item) => new(
        item.ItemSpec,
        SettingValue.ParseBoolean($"The Optional metadata of SecretStoreConfigFile '{item.ItemSpec}'", item.GetMetadata("Optional"), defaultValue: false),
        Empty(item.GetMetadata("Format")) is { } format ? FileFormatNames.Parse($"The Format metadata of SecretStoreConfigFile '{item.ItemSpec}'", format) : null);

    public static SecretMapping ToMapping(ITaskItem item)
    {
        var secret = Empty(item.GetMetadata("Secret"))
            ?? throw new SecretStoreException(DiagnosticCodes.InvalidArgument, $"SecretStoreMapping '{item.ItemSpec}' has no Secret metadata (Secret=\"Name\" or \"Application/Name\").");
        return new SecretMapping
        {
            ConfigurationPath = item.ItemSpec,
            Secret = secret,
            File = Empty(item.GetMetadata("File")),
            Optional = SettingValue.ParseBoolean($"The Optional metadata of SecretStoreMapping '{item.ItemSpec}'", item.GetMetadata("Optional"), defaultValue: false),
        };
    }

    public static string? Empty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

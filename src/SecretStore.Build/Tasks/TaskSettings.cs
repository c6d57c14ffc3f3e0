using Microsoft.Build.Framework;
using SecretStore.Configuration;
using SecretStore.Diagnostics;
using SecretStore.Resolution;

namespace SecretStore.Build.Tasks;

/// <summary>Translates the task's string parameters into the engine's settings; bad values are SSB0001/SSB0003.</summary>
internal static class TaskSettings
{
    public static StoreSettings ToStoreSettings(ResolveSecrets task)
    {
        var provider = ParseProvider(task.Provider);
        return new StoreSettings
        {
            Provider = provider,
            FilePath = Empty(task.StoreFile),
            KeyringPath = Empty(task.Keyring),
            PrivateKeyEnvironmentVariable = Empty(task.PrivateKeyVariable),
            KeyId = Empty(task.KeyId),
            AllowedKeyIds = KeyIdList.Parse(task.AllowedKeyIds),
            Table = Empty(task.Table),
            Region = Empty(task.Region),
            ServiceUrl = Empty(task.ServiceUrl),
            KmsServiceUrl = Empty(task.KmsServiceUrl),
            AllowV1 = SettingValue.ParseBoolean("SecretStoreAllowV1", task.AllowV1, SettingValue.AllowV1Variable, defaultValue: false),
            AllowInsecureEndpoint = SettingValue.ParseBoolean("SecretStoreAllowInsecureEndpoint", task.AllowInsecureEndpoint, EndpointPolicy.AllowInsecureEndpointVariable, defaultValue: false),
        };
    }

    public static StoreProvider ParseProvider(string? value) => Empty(value) switch
    {
        null => StoreProvider.File,
        var text when Enum.TryParse<StoreProvider>(text, ignoreCase: true, out var provider) && Enum.IsDefined(provider) && !char.IsDigit(text[0]) => provider,
        var text => throw new SecretStoreException(DiagnosticCodes.InvalidStoreConfiguration, $"SecretStoreProvider '{text}' is not supported; use File or Aws."),
    };

    public static ResolveMode ParseMode(string? value) => Empty(value)?.ToUpperInvariant() switch
    {
        null or "RESOLVE" => ResolveMode.Resolve,
        "VERIFY" => ResolveMode.Verify,
        _ => throw new SecretStoreException(DiagnosticCodes.InvalidArgument, $"SecretStoreMode '{value}' is not supported; use Resolve or Verify."),
    };

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

    private static string? Empty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

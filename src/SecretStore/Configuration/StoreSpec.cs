using SecretStore.Diagnostics;

namespace SecretStore.Configuration;

/// <summary>
/// The one spelling of storage and protection, read alike by the settings file, the CLI, the MSBuild properties,
/// the Cake settings and the CI inputs: storage <c>file:&lt;path&gt;</c>, <c>dynamodb:&lt;table&gt;</c> or
/// <c>postgres:&lt;environment variable&gt;</c>,
/// protection <c>rsa:&lt;keyring folder&gt;</c> or <c>kms</c>. Prefixes are case-insensitive.
/// </summary>
public static class StoreSpec
{
    /// <summary>The prefix of file storage.</summary>
    public const string FilePrefix = "file:";

    /// <summary>The prefix of DynamoDB storage.</summary>
    public const string DynamoDbPrefix = "dynamodb:";

    /// <summary>The prefix of PostgreSQL storage (the name of an environment variable holding the connection string).</summary>
    public const string PostgreSqlPrefix = "postgres:";

    /// <summary>The prefix of RSA keyring protection.</summary>
    public const string RsaPrefix = "rsa:";

    /// <summary>KMS protection.</summary>
    public const string Kms = "kms";

    /// <summary>The accepted storage forms, for messages.</summary>
    public const string StorageForms = "file:<path>, dynamodb:<table> or postgres:<variable holding the connection string>";

    /// <summary>The accepted protection forms, for messages.</summary>
    public const string ProtectionForms = "rsa:<keyring folder> or kms";

    /// <summary>
    /// Applies a storage text to <paramref name="settings"/>: <c>file:&lt;path&gt;</c> (relative paths are taken from
    /// <paramref name="baseDirectory"/>), <c>dynamodb:&lt;table&gt;</c> or <c>postgres:&lt;variable or connection string&gt;</c>
    /// (<see cref="PostgreSqlConnection.Check"/>). Anything else is <c>SSB0003</c> naming
    /// <paramref name="settingName"/>; the text itself is not repeated (it may be a value typed in the wrong place).
    /// </summary>
    public static StoreSettings WithStorage(StoreSettings settings, string settingName, string text, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(settingName);
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (TryRest(trimmed, FilePrefix, out var path))
        {
            return path.Length == 0
                ? throw Invalid(settingName, $"needs a path after '{FilePrefix}', for example {FilePrefix}.secretstore/secrets.json")
                : settings with { Storage = StorageKind.File, FilePath = Path.GetFullPath(path, baseDirectory), Table = null, PostgreSqlConnection = null };
        }

        if (TryRest(trimmed, DynamoDbPrefix, out var table))
        {
            return table.Length == 0
                ? throw Invalid(settingName, $"needs a table name after '{DynamoDbPrefix}', for example {DynamoDbPrefix}Secrets")
                : settings with { Storage = StorageKind.DynamoDb, Table = table, FilePath = null, PostgreSqlConnection = null };
        }

        if (TryRest(trimmed, PostgreSqlPrefix, out var connection))
        {
            if (connection.Length == 0)
            {
                throw Invalid(settingName, $"needs the name of an environment variable holding the connection string after '{PostgreSqlPrefix}', for example {PostgreSqlPrefix}SECRETSTORE_POSTGRES");
            }

            PostgreSqlConnection.Check(settingName, connection);
            return settings with { Storage = StorageKind.PostgreSql, PostgreSqlConnection = connection, FilePath = null, Table = null };
        }

        throw Invalid(settingName, $"is not {StorageForms}");
    }

    /// <summary>
    /// Applies a protection text to <paramref name="settings"/>: <c>rsa:&lt;keyring folder&gt;</c> (relative to
    /// <paramref name="baseDirectory"/>) or <c>kms</c>. Anything else is <c>SSB0003</c> naming <paramref name="settingName"/>.
    /// </summary>
    public static StoreSettings WithProtection(StoreSettings settings, string settingName, string text, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(settingName);
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (TryRest(trimmed, RsaPrefix, out var keyring))
        {
            return keyring.Length == 0
                ? throw Invalid(settingName, $"needs a keyring folder after '{RsaPrefix}', for example {RsaPrefix}.secretstore/keyring")
                : settings with { Protection = ProtectionKind.Rsa, KeyringPath = Path.GetFullPath(keyring, baseDirectory) };
        }

        if (string.Equals(trimmed, Kms, StringComparison.OrdinalIgnoreCase))
        {
            return settings with { Protection = ProtectionKind.Kms, KeyringPath = null };
        }

        throw Invalid(settingName, $"is not {ProtectionForms}");
    }

    /// <summary>
    /// The storage in its spec form, for messages: <c>file:&lt;path&gt;</c>, <c>dynamodb:&lt;table&gt;</c>, or
    /// <c>postgres:$VARIABLE</c> (an inline connection string shows only its host, port, database and user).
    /// </summary>
    public static string DescribeStorage(StoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Storage switch
        {
            StorageKind.DynamoDb => DynamoDbPrefix + settings.Table,
            StorageKind.PostgreSql => PostgreSqlConnection.Describe(settings.PostgreSqlConnection),
            _ => FilePrefix + settings.FilePath,
        };
    }

    /// <summary>The protection in its spec form, for messages: <c>rsa:&lt;folder&gt;</c> or <c>kms</c>.</summary>
    public static string DescribeProtection(StoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Protection == ProtectionKind.Kms ? Kms : RsaPrefix + settings.KeyringPath;
    }

    /// <summary>
    /// The one storage (or protection) text a face was given, from its spec setting and its shorthands (MSBuild
    /// <c>SecretStoreFile</c> is <c>file:</c>, CLI <c>--keyring</c> is <c>rsa:</c>): null when none is set; the one
    /// that is set as a spec text; two set is <c>SSB0001</c> naming both, since which should win is a guess.
    /// </summary>
    /// <param name="choices">Each setting's name, its value and the prefix its value gets (empty for a spec setting).</param>
    public static string? Choose(params (string Name, string? Value, string Prefix)[] choices)
    {
        ArgumentNullException.ThrowIfNull(choices);
        var set = choices.Where(c => !string.IsNullOrWhiteSpace(c.Value)).ToList();
        return set.Count switch
        {
            0 => null,
            1 => set[0].Prefix + set[0].Value!.Trim(),
            _ => throw new SecretStoreException(
                DiagnosticCodes.InvalidArgument,
                $"{string.Join(" and ", set.Select(c => c.Name))} are all set and choose the same thing; set only one of them."),
        };
    }

    private static bool TryRest(string text, string prefix, out string rest)
    {
        var matches = text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase);
        rest = matches ? text[prefix.Length..].Trim() : string.Empty;
        return matches;
    }

    private static SecretStoreException Invalid(string settingName, string problem) =>
        new(DiagnosticCodes.InvalidStoreConfiguration, $"{settingName} {problem}.");
}

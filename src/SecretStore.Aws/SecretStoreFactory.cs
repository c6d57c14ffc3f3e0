using System.Runtime.CompilerServices;
using SecretStore.Aws.DynamoDb;
using SecretStore.Aws.Kms;
using SecretStore.Configuration;
using SecretStore.Diagnostics;
using SecretStore.Keys;
using SecretStore.Keys.Rsa;
using SecretStore.Repositories;
using SecretStore.Repositories.File;
using SecretStore.Repositories.History;
using SecretStore.Stores;

namespace SecretStore.Aws;

/// <summary>
/// The one place that opens stores: any storage (<see cref="StorageKind"/>: store file, DynamoDB table, PostgreSQL) with any
/// protection (<see cref="ProtectionKind"/>: RSA keyring, AWS KMS). The engine runner and every face (MSBuild task,
/// Cake aliases, CLI) go through <see cref="Default"/>. The AWS SDK assemblies are only loaded when DynamoDB or KMS
/// is chosen, Npgsql only for PostgreSQL: their types are touched in separate, non-inlined methods.
/// </summary>
public sealed class SecretStoreFactory : ISecretStoreFactory
{
    /// <summary>The factory every face uses.</summary>
    public static SecretStoreFactory Default { get; } = new();

    /// <inheritdoc />
    public EnvelopeSecretStore Open(StoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        // Endpoints first (SSB2016 before anything else), then the key manager: its settings are checked before any
        // repository client is made.
        if (settings.Storage == StorageKind.DynamoDb || settings.Protection == ProtectionKind.Kms)
        {
            CheckEndpoints(settings);
        }

        var keyManager = OpenKeyManager(settings, out var defaultKeyId);
        try
        {
            var repository = OpenRepository(settings);
            var options = new EnvelopeSecretStoreOptions
            {
                DefaultKeyId = defaultKeyId,
                Recipients = settings.Recipients.Count > 0 ? settings.Recipients : null,
                AllowV1 = settings.AllowV1,
                MaxDegreeOfParallelism = Math.Max(1, settings.MaxDegreeOfParallelism),
                // DynamoDB items stop at 400 KB; its repository gives SSB2003 with the exact item size.
            };
            return new EnvelopeSecretStore(repository, keyManager, options, ownsComponents: true);
        }
        catch
        {
            (keyManager as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public IProtectedSecretRepository OpenRepository(StoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Storage switch
        {
            StorageKind.File when !string.IsNullOrWhiteSpace(settings.FilePath) => new FileSecretRepository(
                settings.FilePath,
                new FileSecretRepositoryOptions { History = new HistoryOptions { KeepRevisions = settings.KeepRevisions } }),
            StorageKind.File => throw Incomplete($"File storage needs a store file path ({StoreSpec.FilePrefix}<path>)."),
            StorageKind.DynamoDb => OpenDynamoDb(settings),
            StorageKind.PostgreSql => OpenPostgreSql(settings),
            _ => throw Incomplete($"Unknown storage '{settings.Storage}'; use {StoreSpec.StorageForms}."),
        };
    }

    private static IKeyManager OpenKeyManager(StoreSettings settings, out string? defaultKeyId)
    {
        switch (settings.Protection)
        {
            case ProtectionKind.Rsa:
                if (string.IsNullOrWhiteSpace(settings.KeyringPath))
                {
                    throw Incomplete($"RSA protection needs a keyring folder ({StoreSpec.RsaPrefix}<folder>); create one with 'secretstore keys init'.");
                }

                var keyring = RsaKeyring.Load(settings.KeyringPath, new RsaKeyringLoadOptions { PrivateKeyEnvironmentVariable = settings.PrivateKeyEnvironmentVariable });
                defaultKeyId = settings.KeyId ?? keyring.DefaultKeyId;
                return new RsaKeyManager(keyring, RsaAllowedKeys(settings), ownsKeyring: true);
            case ProtectionKind.Kms:
                defaultKeyId = settings.KeyId;
                return OpenKms(settings);
            default:
                throw Incomplete($"Unknown protection '{settings.Protection}'; use {StoreSpec.ProtectionForms}.");
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CheckEndpoints(StoreSettings settings) => Clients.AwsClientFactory.CheckEndpoints(settings);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IProtectedSecretRepository OpenDynamoDb(StoreSettings settings) => DynamoDbSecretRepository.Create(settings);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IProtectedSecretRepository OpenPostgreSql(StoreSettings settings) => PostgreSql.PostgreSqlSecretRepository.Create(settings);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IKeyManager OpenKms(StoreSettings settings) => KmsKeyManager.Create(settings);

    /// <summary>An allow-list only when one is configured; the write key and the recipients join it then (they are always allowed).</summary>
    private static IReadOnlyList<string> RsaAllowedKeys(StoreSettings settings) =>
        settings.AllowedKeyIds is not { Count: > 0 } listed
            ? []
            : [.. listed.Append(settings.KeyId).Concat(settings.Recipients).Where(id => !string.IsNullOrWhiteSpace(id)).Select(id => id!.Trim()).Distinct(StringComparer.Ordinal)];

    private static SecretStoreException Incomplete(string message) => new(DiagnosticCodes.InvalidStoreConfiguration, message);
}

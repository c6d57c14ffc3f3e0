using SecretStore.Secrets;

namespace Cake.SecretStore;

/// <summary>The store handed to the resolver in list mode, which never reads a value; any call is a programming error.</summary>
internal sealed class NoStore : ISecretStore
{
    public static readonly NoStore Instance = new();

    public Task<Secret> GetAsync(SecretId id, CancellationToken cancellationToken = default) => throw Unused();

    public Task<IReadOnlyDictionary<SecretId, Secret>> GetManyAsync(IEnumerable<SecretId> ids, CancellationToken cancellationToken = default) => throw Unused();

    public Task<IReadOnlyList<SecretMetadata>> ListAsync(string applicationName, CancellationToken cancellationToken = default) => throw Unused();

    public Task<SecretMetadata> SetAsync(SecretId id, string value, SetSecretOptions? options = null, CancellationToken cancellationToken = default) => throw Unused();

    public Task<bool> DeleteAsync(SecretId id, long? expectedRevision = null, CancellationToken cancellationToken = default) => throw Unused();

    private static InvalidOperationException Unused() => new("Listing placeholders reads no secrets.");
}

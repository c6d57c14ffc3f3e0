using System.Collections.Concurrent;
using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Secrets;

namespace SecretStore.Tests.Resolution;

/// <summary>
/// A real, small <see cref="ISecretStore"/> that keeps clear values in memory and records every
/// <see cref="GetManyAsync"/> call, so tests can assert "each secret fetched once, batched per application".
/// </summary>
public sealed class InMemorySecretStore : ISecretStore
{
    private readonly ConcurrentDictionary<SecretId, Secret> _secrets = new();
    private readonly List<IReadOnlyList<SecretId>> _getManyCalls = [];

    public const string KeyId = "test-key-1";

    /// <summary>Each GetManyAsync call with the ids it asked for, in call order.</summary>
    public IReadOnlyList<IReadOnlyList<SecretId>> GetManyCalls
    {
        get
        {
            lock (_getManyCalls)
            {
                return _getManyCalls.ToList();
            }
        }
    }

    public int GetCalls { get; private set; }

    /// <summary>Applications whose reads fail with this exception (to test store errors).</summary>
    public Dictionary<string, Exception> FailingApplications { get; } = new(StringComparer.Ordinal);

    public InMemorySecretStore With(string application, string name, string value, long revision = 1)
    {
        var id = new SecretId(application, name);
        _secrets[id] = new Secret(id, value, new SecretMetadata(id, revision, KeyId, ProtectedSecretFormat.V2));
        return this;
    }

    public Task<Secret> GetAsync(SecretId id, CancellationToken cancellationToken = default)
    {
        GetCalls++;
        return _secrets.TryGetValue(id, out var secret) ? Task.FromResult(secret) : throw new SecretNotFoundException(id);
    }

    public Task<IReadOnlyDictionary<SecretId, Secret>> GetManyAsync(IEnumerable<SecretId> ids, CancellationToken cancellationToken = default)
    {
        var list = ids.ToList();
        lock (_getManyCalls)
        {
            _getManyCalls.Add(list);
        }

        foreach (var application in list.Select(i => i.ApplicationName).Distinct())
        {
            if (FailingApplications.TryGetValue(application, out var ex))
            {
                throw ex;
            }
        }

        IReadOnlyDictionary<SecretId, Secret> found = list.Where(_secrets.ContainsKey).Distinct().ToDictionary(id => id, id => _secrets[id]);
        return Task.FromResult(found);
    }

    public Task<IReadOnlyList<string>> ListApplicationsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<string>>([.. _secrets.Values.Select(s => s.ApplicationName).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);

    public Task<IReadOnlyList<SecretMetadata>> ListAsync(string applicationName, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<SecretMetadata>>(_secrets.Values.Where(s => s.ApplicationName == applicationName).OrderBy(s => s.Name, StringComparer.Ordinal).Select(s => s.Metadata).ToList());

    public Task<SecretMetadata> SetAsync(SecretId id, string value, SetSecretOptions? options = null, CancellationToken cancellationToken = default)
    {
        var revision = _secrets.TryGetValue(id, out var existing) ? existing.Metadata.Revision + 1 : 1;
        With(id.ApplicationName, id.Name, value, revision);
        return Task.FromResult(_secrets[id].Metadata);
    }

    public Task<bool> DeleteAsync(SecretId id, long? expectedRevision = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(_secrets.TryRemove(id, out _));
}

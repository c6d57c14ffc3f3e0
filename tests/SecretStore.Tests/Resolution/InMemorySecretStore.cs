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

    private readonly ConcurrentDictionary<SecretId, SortedDictionary<long, Secret?>> _history = new();

    public InMemorySecretStore With(string application, string name, string value, long revision = 1)
    {
        var id = new SecretId(application, name);
        var secret = new Secret(id, value, new SecretMetadata(id, revision, KeyId, ProtectedSecretFormat.V2));
        _secrets[id] = secret;
        var kept = _history.GetOrAdd(id, _ => []);
        lock (kept)
        {
            kept[revision] = secret;
        }

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
        var revision = Math.Max(_secrets.TryGetValue(id, out var existing) ? existing.Metadata.Revision : 0, Newest(id)) + 1;
        With(id.ApplicationName, id.Name, value, revision);
        return Task.FromResult(_secrets[id].Metadata);
    }

    public Task<bool> DeleteAsync(SecretId id, long? expectedRevision = null, CancellationToken cancellationToken = default)
    {
        if (!_secrets.TryRemove(id, out var removed))
        {
            return Task.FromResult(false);
        }

        var kept = _history.GetOrAdd(id, _ => []);
        lock (kept)
        {
            kept[Math.Max(removed.Metadata.Revision, Newest(id)) + 1] = null;
        }

        return Task.FromResult(true);
    }

    public Task<IReadOnlyList<SecretRevisionInfo>> GetHistoryAsync(SecretId id, CancellationToken cancellationToken = default)
    {
        var current = _secrets.TryGetValue(id, out var now) ? now.Metadata.Revision : 0;
        IReadOnlyList<SecretRevisionInfo> list = [.. Kept(id).Select(r => new SecretRevisionInfo(id, r.Key, null, null, r.Value is null ? null : KeyId, r.Value is null ? null : ProtectedSecretFormat.V2) { IsCurrent = r.Key == current })];
        return Task.FromResult(list);
    }

    public Task<Secret> GetRevisionAsync(SecretId id, long revision, CancellationToken cancellationToken = default)
    {
        GetCalls++;
        return Kept(id).FirstOrDefault(r => r.Key == revision).Value is { } secret
            ? Task.FromResult(secret)
            : throw new SecretStoreException(DiagnosticCodes.RevisionNotFound, $"Secret '{id}' has no revision {revision}.");
    }

    public async Task<SecretMetadata> RollbackAsync(SecretId id, long revision, SetSecretOptions? options = null, CancellationToken cancellationToken = default) =>
        await SetAsync(id, (await GetRevisionAsync(id, revision, cancellationToken)).Value, options, cancellationToken);

    public Task<bool> PurgeAsync(SecretId id, CancellationToken cancellationToken = default) =>
        Task.FromResult(_secrets.TryRemove(id, out _) | _history.TryRemove(id, out _));

    private List<KeyValuePair<long, Secret?>> Kept(SecretId id)
    {
        if (!_history.TryGetValue(id, out var kept))
        {
            return [];
        }

        lock (kept)
        {
            return [.. kept];
        }
    }

    private long Newest(SecretId id) => Kept(id) is { Count: > 0 } kept ? kept[^1].Key : 0;
}

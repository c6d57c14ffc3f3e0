using SecretStore.Repositories;
using SecretStore.Repositories.File;
using SecretStore.Repositories.History;
using SecretStore.Testing.Repositories;

namespace SecretStore.Tests.Repositories;

/// <summary>The repository contract (<see cref="RepositoryContract"/>) on the file store: a store file of its own per repository, in a temp folder.</summary>
public sealed class FileRepositoryContractTests : RepositoryContract, IDisposable
{
    private readonly TempDirectory _temp = new("ssb-contract-");
    private int _stores;

    protected override StoreIdOrigin StoreIdOrigin => StoreIdOrigin.FirstWrite;

    // Every write rewrites the whole file (and its history) and syncs it: 1,100 records took 14 s here, 300 take about
    // one. The file store reads the whole file and has no pages, so 300 show the same thing.
    protected override int LargeQueryRecords => 300;

    protected override Task<IProtectedSecretRepository> CreateRepositoryAsync(HistoryOptions? history = null) =>
        Task.FromResult<IProtectedSecretRepository>(new FileSecretRepository(NewStoreFile(), new FileSecretRepositoryOptions { History = history ?? new HistoryOptions() }));

    protected override Task<IProtectedSecretRepository> CreateEmptyStoreAsync() =>
        Task.FromResult<IProtectedSecretRepository>(new FileSecretRepository(NewStoreFile()));

    /// <summary>An empty store file (no records, no history, no store id): reading a missing file is SSB2011, not an empty store.</summary>
    private string NewStoreFile() => _temp.Write($"store-{Interlocked.Increment(ref _stores)}/secrets.json", "{\n  \"version\": 1,\n  \"secrets\": []\n}\n");

    public void Dispose() => _temp.Dispose();
}

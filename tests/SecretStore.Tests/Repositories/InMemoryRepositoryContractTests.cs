using SecretStore.Repositories;
using SecretStore.Repositories.History;
using SecretStore.Testing.Repositories;

namespace SecretStore.Tests.Repositories;

/// <summary>The repository contract (<see cref="RepositoryContract"/>) on the model the history check compares against.</summary>
public sealed class InMemoryRepositoryContractTests : RepositoryContract
{
    protected override StoreIdOrigin StoreIdOrigin => StoreIdOrigin.None;

    protected override Task<IProtectedSecretRepository> CreateRepositoryAsync(HistoryOptions? history = null) =>
        Task.FromResult<IProtectedSecretRepository>(new InMemorySecretRepository { KeepRevisions = history?.KeepRevisions, History = history });

    protected override Task<IProtectedSecretRepository> CreateEmptyStoreAsync() =>
        Task.FromResult<IProtectedSecretRepository>(new InMemorySecretRepository());
}

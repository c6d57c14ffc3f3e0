using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Testing.Repositories;
using SecretStore.Secrets;

namespace SecretStore.Tests.Repositories;

/// <summary>The in-memory repository's guards and conditional save and delete (these were Stryker survivors).</summary>
public sealed class InMemorySecretRepositoryTests
{
    private static readonly SecretId Id = new("app", "Db");

    private static ProtectedSecretRecord Record(byte fill) => new()
    {
        Id = Id,
        Format = ProtectedSecretFormat.V2,
        MasterKeyId = "k",
        Envelope = [0x53, 0x53, 0x42, 0x45, fill],
    };

    [Fact]
    public async Task Null_ids_or_record_is_ArgumentNullException_naming_it()
    {
        var repository = new InMemorySecretRepository();

        await Assert.ThrowsAsync<ArgumentNullException>("ids", () => repository.GetManyAsync(null!));
        await Assert.ThrowsAsync<ArgumentNullException>("record", () => repository.SaveAsync(null!, 0));
    }

    [Fact]
    public async Task A_save_at_a_stale_revision_is_a_conflict_and_keeps_the_stored_record()
    {
        var repository = new InMemorySecretRepository();
        await repository.SaveAsync(Record(1), 0);

        var ex = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => repository.SaveAsync(Record(2), 0));

        Assert.Equal(DiagnosticCodes.ConcurrencyConflict, ex.Code);
        var stored = (await repository.GetAsync(Id))!;
        Assert.Equal(1, stored.Revision);
        Assert.Equal(Record(1).Envelope, stored.Envelope);
    }

    [Fact]
    public async Task Delete_of_a_missing_secret_is_false()
    {
        var repository = new InMemorySecretRepository();

        Assert.False(await repository.DeleteAsync(Id));
        Assert.False(await repository.DeleteAsync(Id, 1));
    }

    [Fact]
    public async Task Delete_at_a_stale_revision_is_a_conflict_and_at_the_current_one_removes_the_secret()
    {
        var repository = new InMemorySecretRepository();
        await repository.SaveAsync(Record(1), 0);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => repository.DeleteAsync(Id, 2));
        Assert.NotNull(await repository.GetAsync(Id));

        Assert.True(await repository.DeleteAsync(Id, 1));
        Assert.Null(await repository.GetAsync(Id));
    }
}

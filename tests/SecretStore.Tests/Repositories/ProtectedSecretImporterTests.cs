using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Repositories.Import;
using SecretStore.Repositories.InMemory;
using SecretStore.Secrets;

namespace SecretStore.Tests.Repositories;

public sealed class ProtectedSecretImporterTests
{
    private static ProtectedSecretRecord Record(string name, byte fill) => new()
    {
        Id = new SecretId("app", name),
        Format = ProtectedSecretFormat.V2,
        MasterKeyId = "k",
        Envelope = [0x53, 0x53, 0x42, 0x45, fill],
    };

    [Fact]
    public async Task New_records_are_saved_byte_for_byte_and_identical_ones_are_left_unchanged()
    {
        var repository = new InMemorySecretRepository();
        var records = new[] { Record("A", 1), Record("B", 2) };

        var first = await ProtectedSecretImporter.ImportAsync(repository, records);
        var second = await ProtectedSecretImporter.ImportAsync(repository, records);

        Assert.All(first, o => Assert.Equal(ProtectedSecretImportStatus.Imported, o.Status));
        Assert.All(second, o => Assert.Equal(ProtectedSecretImportStatus.Unchanged, o.Status));
        Assert.Equal(records[1].Envelope, (await repository.GetAsync(records[1].Id))!.Envelope);
        Assert.Equal(1, (await repository.GetAsync(records[1].Id))!.Revision);
    }

    [Fact]
    public async Task A_conflict_imports_nothing_unless_overwrite_is_set()
    {
        var repository = new InMemorySecretRepository();
        await repository.SaveAsync(Record("B", 9), 0);

        var ex = await Assert.ThrowsAsync<SecretStoreException>(() => ProtectedSecretImporter.ImportAsync(repository, [Record("A", 1), Record("B", 2)], new ProtectedSecretImportOptions { SourcePath = "dump.json" }));

        Assert.Equal(DiagnosticCodes.ConcurrencyConflict, ex.Code);
        Assert.Equal("dump.json", Assert.Single(ex.Diagnostics).FilePath);
        Assert.Null(await repository.GetAsync(new SecretId("app", "A")));

        var outcomes = await ProtectedSecretImporter.ImportAsync(repository, [Record("A", 1), Record("B", 2)], new ProtectedSecretImportOptions { Overwrite = true });

        Assert.Equal([1L, 2L], outcomes.Select(o => o.Revision));
        Assert.Equal(Record("B", 2).Envelope, (await repository.GetAsync(new SecretId("app", "B")))!.Envelope);
    }
}

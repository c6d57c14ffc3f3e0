using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Repositories.Import;
using SecretStore.Testing.Repositories;
using SecretStore.Repositories.File;
using SecretStore.Secrets;
using SecretStore.Tests.Support;

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

    private static ProtectedSecretRecord V1Record(string name, byte fill) => new()
    {
        Id = new SecretId("app", name),
        Format = ProtectedSecretFormat.V1,
        MasterKeyId = "k",
        ProtectedDocumentKey = [1, fill],
        InitialisationVector = [2, fill],
        ProtectedSecretValue = [3, fill],
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

    [Fact]
    public async Task A_null_repository_or_record_list_is_ArgumentNullException_naming_it()
    {
        await Assert.ThrowsAsync<ArgumentNullException>("repository", () => ProtectedSecretImporter.ImportAsync(null!, [Record("A", 1)]));
        await Assert.ThrowsAsync<ArgumentNullException>("records", () => ProtectedSecretImporter.ImportAsync(new InMemorySecretRepository(), null!));
    }

    [Fact]
    public async Task A_v1_record_is_refused_by_default_before_anything_is_read_and_imported_with_AllowV1()
    {
        var repository = new InMemorySecretRepository();
        await repository.SaveAsync(Record("B", 9), 0);

        // B conflicts too, but the v1 refusal comes first and alone: the store is not even read for conflicts.
        var ex = await Assert.ThrowsAsync<SecretStoreException>(() => ProtectedSecretImporter.ImportAsync(repository, [V1Record("A", 1), Record("B", 2)], new ProtectedSecretImportOptions { SourcePath = "dump.json" }));

        var diagnostic = Assert.Single(ex.Diagnostics);
        Assert.Equal(DiagnosticCodes.FormatPolicyViolation, diagnostic.Code);
        Assert.Equal("dump.json", diagnostic.FilePath);
        Assert.Null(await repository.GetAsync(new SecretId("app", "A")));

        var outcome = Assert.Single(await ProtectedSecretImporter.ImportAsync(repository, [V1Record("A", 1)], new ProtectedSecretImportOptions { AllowV1 = true }));

        Assert.Equal(ProtectedSecretImportStatus.Imported, outcome.Status);
        Assert.Equal(V1Record("A", 1).ProtectedSecretValue, (await repository.GetAsync(new SecretId("app", "A")))!.ProtectedSecretValue);
    }

    [Fact]
    public async Task V1_records_that_share_protected_material_are_refused_even_with_AllowV1()
    {
        var repository = new InMemorySecretRepository();
        var copy = V1Record("A", 1) with { Id = new SecretId("app", "B") };

        var ex = await Assert.ThrowsAsync<SecretStoreException>(() => ProtectedSecretImporter.ImportAsync(repository, [V1Record("A", 1), copy], new ProtectedSecretImportOptions { AllowV1 = true }));

        Assert.Equal(DiagnosticCodes.SharedV1Material, Assert.Single(ex.Diagnostics).Code);
        Assert.Empty(await repository.QueryByApplicationAsync("app"));
    }

    [Fact]
    public async Task An_existing_record_with_an_out_of_range_revision_is_SSB2014_alone_and_nothing_is_imported()
    {
        var inner = new InMemorySecretRepository();
        await inner.SaveAsync(Record("B", 9), 0);
        var repository = new ReadRewritingRepository(inner, r => r with { Revision = 0, InvalidRevision = "0" });

        var ex = await Assert.ThrowsAsync<SecretStoreException>(() => ProtectedSecretImporter.ImportAsync(repository, [Record("A", 1), Record("B", 2)]));

        Assert.Equal(DiagnosticCodes.RevisionOutOfRange, Assert.Single(ex.Diagnostics).Code);
        Assert.Null(await inner.GetAsync(new SecretId("app", "A")));
        Assert.Equal(Record("B", 9).Envelope, (await inner.GetAsync(new SecretId("app", "B")))!.Envelope);
    }

    [Fact]
    public async Task A_record_that_differs_only_in_its_master_key_id_is_a_conflict_naming_the_secret()
    {
        var repository = new InMemorySecretRepository();
        await repository.SaveAsync(Record("B", 2) with { MasterKeyId = "other" }, 0);

        var ex = await Assert.ThrowsAsync<SecretStoreException>(() => ProtectedSecretImporter.ImportAsync(repository, [Record("B", 2)], new ProtectedSecretImportOptions { SourcePath = "dump.json" }));

        Assert.Equal(
            new Diagnostic(DiagnosticCodes.ConcurrencyConflict, DiagnosticSeverity.Error, "Secret 'app/B' already exists with other content; import with overwrite to replace it. Nothing was imported.", "dump.json"),
            Assert.Single(ex.Diagnostics));
        Assert.Equal("other", (await repository.GetAsync(new SecretId("app", "B")))!.MasterKeyId);
    }

    [Fact]
    public async Task Each_outcome_is_reported_with_its_revision_and_progress_counts_them()
    {
        var repository = new InMemorySecretRepository();
        await repository.SaveAsync(Record("A", 1), 0);
        await repository.SaveAsync(Record("A", 1), 1);
        var progress = new RecordingProgress();

        var outcomes = await ProtectedSecretImporter.ImportAsync(repository, [Record("A", 1), Record("B", 2)], progress: progress);

        Assert.Equal(
            [("A", ProtectedSecretImportStatus.Unchanged, 2L), ("B", ProtectedSecretImportStatus.Imported, 1L)],
            outcomes.Select(o => (o.Record.Id.Name, o.Status, o.Revision)));
        Assert.Equal([1, 2], progress.Reports);
    }

    [Fact]
    public async Task A_cancelled_import_writes_nothing()
    {
        var repository = new InMemorySecretRepository();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ProtectedSecretImporter.ImportAsync(repository, [Record("A", 1)], cancellationToken: new CancellationToken(canceled: true)));

        Assert.Null(await repository.GetAsync(new SecretId("app", "A")));
    }

    [Fact]
    public async Task Importing_into_a_store_file_that_does_not_exist_creates_it()
    {
        using var temp = new TempDirectory();
        var repository = new FileSecretRepository(temp.Combine("secrets.json"));

        var outcome = Assert.Single(await ProtectedSecretImporter.ImportAsync(repository, [Record("A", 1)]));

        Assert.Equal(ProtectedSecretImportStatus.Imported, outcome.Status);
        Assert.Equal(Record("A", 1).Envelope, (await repository.GetAsync(new SecretId("app", "A")))!.Envelope);
    }
}

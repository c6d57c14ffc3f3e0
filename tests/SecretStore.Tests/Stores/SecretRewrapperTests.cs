using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Testing.Repositories;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Tests.Support;

namespace SecretStore.Tests.Stores;

public sealed class SecretRewrapperTests
{
    private const string App = "acme-web";

    [Fact]
    public async Task V1_records_become_v2_under_their_own_key_and_v2_records_are_left_alone()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(new SecretId(App, "Old"), "old-value", new SetSecretOptions { Format = ProtectedSecretFormat.V1 });
        await scope.Store.SetAsync(new SecretId(App, "New"), "new-value");

        var outcomes = await SecretRewrapper.RewrapAsync(scope.Store, App, new RewrapOptions());

        Assert.Equal(["New", "Old"], outcomes.Select(o => o.Id.Name));
        Assert.False(outcomes[0].Changed);
        Assert.True(outcomes[1].Changed);
        Assert.Equal(ProtectedSecretFormat.V2, outcomes[1].After.Format);
        Assert.Equal(2, outcomes[1].After.Revision);
        var old = await scope.Store.GetAsync(new SecretId(App, "Old"));
        Assert.Equal("old-value", old.Value);
        Assert.Equal(ProtectedSecretFormat.V2, old.Metadata.Format);
    }

    [Fact]
    public async Task Key_moves_respect_the_name_filter_and_a_dry_run_writes_nothing()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(new SecretId(App, "A"), "value-a");
        await scope.Store.SetAsync(new SecretId(App, "B"), "value-b");

        var dry = await SecretRewrapper.RewrapAsync(scope.Store, App, new RewrapOptions { KeyId = TestKeyrings.SecondKeyId, DryRun = true });
        Assert.All(dry, o => Assert.True(o.Changed));
        Assert.All(await scope.Store.ListAsync(App), m => Assert.Equal(TestKeyrings.PrimaryKeyId, m.MasterKeyId));

        var moved = await SecretRewrapper.RewrapAsync(scope.Store, App, new RewrapOptions { KeyId = TestKeyrings.SecondKeyId, Names = ["B"] });

        var only = Assert.Single(moved);
        Assert.Equal(TestKeyrings.SecondKeyId, only.After.MasterKeyId);
        var listed = await scope.Store.ListAsync(App);
        Assert.Equal([TestKeyrings.PrimaryKeyId, TestKeyrings.SecondKeyId], listed.Select(m => m.MasterKeyId));
        Assert.Equal("value-b", (await scope.Store.GetAsync(new SecretId(App, "B"))).Value);
    }

    [Fact]
    public async Task An_unknown_target_key_is_a_coded_error_and_the_record_stays_readable()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(new SecretId(App, "A"), "value-a", new SetSecretOptions { Format = ProtectedSecretFormat.V1 });

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => SecretRewrapper.RewrapAsync(scope.Store, App, new RewrapOptions { KeyId = "no-such-key" }));

        Assert.Equal(DiagnosticCodes.KeyNotFound, ex.Code);
        Assert.DoesNotContain("value-a", ex.Message, StringComparison.Ordinal);
        Assert.Equal("value-a", (await scope.Store.GetAsync(new SecretId(App, "A"))).Value);
    }

    [Fact]
    public async Task Missing_arguments_are_refused_naming_the_parameter()
    {
        using var scope = new StoreScope();

        Assert.Equal("store", (await Assert.ThrowsAsync<ArgumentNullException>(() => SecretRewrapper.RewrapAsync(null!, App, new RewrapOptions()))).ParamName);
        Assert.Equal("applicationName", (await Assert.ThrowsAsync<ArgumentException>(() => SecretRewrapper.RewrapAsync(scope.Store, "", null!))).ParamName);
        Assert.Equal("options", (await Assert.ThrowsAsync<ArgumentNullException>(() => SecretRewrapper.RewrapAsync(scope.Store, App, null!))).ParamName);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Progress_is_reported_once_per_secret_in_a_dry_run_and_a_real_one(bool dryRun)
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(new SecretId(App, "A"), "value-a");
        await scope.Store.SetAsync(new SecretId(App, "B"), "value-b", new SetSecretOptions { Format = ProtectedSecretFormat.V1 });
        var progress = new RecordingProgress();

        var outcomes = await SecretRewrapper.RewrapAsync(scope.Store, App, new RewrapOptions { DryRun = dryRun }, progress);

        Assert.Equal([false, true], outcomes.Select(o => o.Changed));
        Assert.Equal([1, 2], progress.Reports);
    }

    [Fact]
    public async Task A_cancelled_run_reads_and_writes_no_secret()
    {
        using var scope = new StoreScope();
        var inner = new EnvelopeSecretStore(new InMemorySecretRepository(), scope.KeyManager, new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId });
        await inner.SetAsync(new SecretId(App, "A"), "value-a");
        var store = new DelegatingStore(inner);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => SecretRewrapper.RewrapAsync(store, App, new RewrapOptions { KeyId = TestKeyrings.SecondKeyId, Repository = inner.Repository }, cancellationToken: cancelled.Token));

        Assert.Equal(0, store.Reads);
        Assert.Equal(TestKeyrings.PrimaryKeyId, (await inner.GetAsync(new SecretId(App, "A"))).Metadata.MasterKeyId);
    }

    [Fact]
    public async Task An_empty_v1_value_becomes_an_empty_v2_value()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(new SecretId(App, "Empty"), "", new SetSecretOptions { Format = ProtectedSecretFormat.V1, AllowEmpty = true });

        var outcome = Assert.Single(await SecretRewrapper.RewrapAsync(scope.Store, App, new RewrapOptions()));

        Assert.True(outcome.Changed);
        var secret = await scope.Store.GetAsync(new SecretId(App, "Empty"));
        Assert.Equal(("", ProtectedSecretFormat.V2), (secret.Value, secret.Metadata.Format));
    }

    [Fact]
    public async Task A_v1_row_copied_to_another_name_refuses_the_whole_run_with_SSB2012_and_writes_nothing()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(new SecretId(App, "Prod"), "prod-value", new SetSecretOptions { Format = ProtectedSecretFormat.V1 });
        await scope.Store.SetAsync(new SecretId(App, "Other"), "other-value");
        var prod = (await scope.Repository.GetAsync(new SecretId(App, "Prod")))!;
        await scope.Repository.SaveAsync(prod with { Id = new SecretId(App, "Staging") }, 0);

        var ex = await Assert.ThrowsAsync<SecretStoreException>(() => SecretRewrapper.RewrapAsync(scope.Store, App, new RewrapOptions { KeyId = TestKeyrings.SecondKeyId }));

        var diagnostic = Assert.Single(ex.Diagnostics);
        Assert.Equal(DiagnosticCodes.SharedV1Material, diagnostic.Code);
        Assert.Equal("The v1 rows 'acme-web/Prod', 'acme-web/Staging' share one wrapped document key and one ciphertext: one was copied from another, and a migration would sign the copy as genuine. Nothing was written.", diagnostic.Message);
        var rows = await scope.Repository.QueryByApplicationAsync(App);
        Assert.Equal([TestKeyrings.PrimaryKeyId], rows.Select(r => r.MasterKeyId).Distinct());
        Assert.All(rows, r => Assert.Equal(1, r.Revision));
    }

    [Fact]
    public async Task A_v1_row_that_changed_after_the_checks_is_a_conflict_and_is_not_converted()
    {
        using var scope = new StoreScope();
        var id = new SecretId(App, "A");
        await scope.Store.SetAsync(id, "checked", new SetSecretOptions { Format = ProtectedSecretFormat.V1 });

        // The repository given to the checks still holds the row at revision 1; the store's row has moved on since.
        var checkedView = new InMemorySecretRepository();
        await checkedView.SaveAsync((await scope.Repository.GetAsync(id))!, 0);
        await scope.Store.SetAsync(id, "changed", new SetSecretOptions { Format = ProtectedSecretFormat.V1 });

        var ex = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => SecretRewrapper.RewrapAsync(scope.Store, App, new RewrapOptions { Repository = checkedView }));

        Assert.Equal(DiagnosticCodes.ConcurrencyConflict, ex.Code);
        var row = (await scope.Repository.GetAsync(id))!;
        Assert.Equal((ProtectedSecretFormat.V1, 2L), (row.Format, row.Revision));
    }

    [Fact]
    public async Task A_store_of_another_kind_needs_no_repository_when_there_is_no_v1_row()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(new SecretId(App, "A"), "value-a");

        var moved = Assert.Single(await SecretRewrapper.RewrapAsync(new DelegatingStore(scope.Store), App, new RewrapOptions { KeyId = TestKeyrings.SecondKeyId }));

        Assert.Equal(TestKeyrings.SecondKeyId, moved.After.MasterKeyId);
    }

    [Fact]
    public async Task A_store_of_another_kind_with_v1_rows_and_no_repository_is_SSB0001_and_writes_nothing()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(new SecretId(App, "A"), "value-a", new SetSecretOptions { Format = ProtectedSecretFormat.V1 });
        var store = new DelegatingStore(scope.Store);

        var ex = await Assert.ThrowsAsync<SecretStoreException>(() => SecretRewrapper.RewrapAsync(store, App, new RewrapOptions()));
        Assert.Equal("SSB0001: Rewrapping the v1 rows of 'acme-web' needs the store's repository, to check them before they are converted.", ex.Message);
        Assert.Equal(ProtectedSecretFormat.V1, (await scope.Repository.GetAsync(new SecretId(App, "A")))!.Format);

        var converted = Assert.Single(await SecretRewrapper.RewrapAsync(store, App, new RewrapOptions { Repository = scope.Repository }));
        Assert.Equal(ProtectedSecretFormat.V2, converted.After.Format);
    }

    [Fact]
    public async Task A_trusted_copy_equal_to_the_store_lets_the_v1_rows_be_converted()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(new SecretId(App, "A"), "value-a", new SetSecretOptions { Format = ProtectedSecretFormat.V1 });
        var copy = scope.Combine("trusted.json");
        File.Copy(scope.StorePath, copy);

        var outcome = Assert.Single(await SecretRewrapper.RewrapAsync(scope.Store, App, new RewrapOptions { TrustedCopyPath = copy }));

        Assert.Equal(ProtectedSecretFormat.V2, outcome.After.Format);
        Assert.Equal("value-a", (await scope.Store.GetAsync(new SecretId(App, "A"))).Value);
    }

    [Fact]
    public async Task A_v1_row_that_differs_from_the_trusted_copy_is_SSB2013_naming_the_fields_and_nothing_is_written()
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(new SecretId(App, "A"), "genuine", new SetSecretOptions { Format = ProtectedSecretFormat.V1 });
        var copy = scope.Combine("trusted.json");
        File.Copy(scope.StorePath, copy);
        await scope.Store.SetAsync(new SecretId(App, "A"), "planted", new SetSecretOptions { Format = ProtectedSecretFormat.V1 });

        var ex = await Assert.ThrowsAsync<SecretStoreException>(() => SecretRewrapper.RewrapAsync(scope.Store, App, new RewrapOptions { TrustedCopyPath = copy }));

        var diagnostic = Assert.Single(ex.Diagnostics);
        Assert.Equal(DiagnosticCodes.DiffersFromTrustedCopy, diagnostic.Code);
        Assert.Equal(copy, diagnostic.FilePath);
        Assert.Equal("The v1 row 'acme-web/A' differs from the trusted copy in ProtectedDocumentKey, InitialisationVector, ProtectedSecretValue; it is not converted, and nothing was written.", diagnostic.Message);
        Assert.Equal(ProtectedSecretFormat.V1, (await scope.Repository.GetAsync(new SecretId(App, "A")))!.Format);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_missing_trusted_copy_is_SSB2011_even_with_no_v1_row_to_convert(bool withV1Row)
    {
        using var scope = new StoreScope();
        await scope.Store.SetAsync(new SecretId(App, "A"), "value-a", new SetSecretOptions { Format = withV1Row ? ProtectedSecretFormat.V1 : ProtectedSecretFormat.V2 });
        var missing = scope.Combine("no-such-copy.json");

        var ex = await Assert.ThrowsAsync<StoreFileNotFoundException>(() => SecretRewrapper.RewrapAsync(scope.Store, App, new RewrapOptions { KeyId = TestKeyrings.SecondKeyId, TrustedCopyPath = missing }));

        Assert.Contains($"'{missing}'", ex.Message, StringComparison.Ordinal);
        Assert.Equal(TestKeyrings.PrimaryKeyId, (await scope.Repository.GetAsync(new SecretId(App, "A")))!.MasterKeyId);
    }

    [Theory]
    [InlineData("symlink", "is a symbolic link")]
    [InlineData("dangling-symlink", "is a symbolic link")]
    [InlineData("directory", "is not a regular file")]
    [InlineData("hardlink", "is the store file itself (the same file under another name)")]
    public async Task A_trusted_copy_that_is_not_a_separate_regular_file_is_SSB2013_before_anything_is_read_or_written(string kind, string why)
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // The directory and hard link cases rest on lstat/statx; elsewhere only the path is compared.
        }

        using var scope = new StoreScope();
        await scope.Store.SetAsync(new SecretId(App, "A"), "value-a", new SetSecretOptions { Format = ProtectedSecretFormat.V1 });
        var copy = scope.Combine("trusted.json");
        switch (kind)
        {
            case "symlink":
                File.CreateSymbolicLink(copy, scope.StorePath);
                break;
            case "dangling-symlink":
                File.CreateSymbolicLink(copy, scope.Combine("gone.json"));
                break;
            case "directory":
                Directory.CreateDirectory(copy);
                break;
            default:
                Assert.Equal(0, link(System.Text.Encoding.UTF8.GetBytes(scope.StorePath + "\0"), System.Text.Encoding.UTF8.GetBytes(copy + "\0")));
                break;
        }

        var ex = await Assert.ThrowsAsync<SecretStoreException>(() => SecretRewrapper.RewrapAsync(scope.Store, App, new RewrapOptions { TrustedCopyPath = copy }));

        var diagnostic = Assert.Single(ex.Diagnostics);
        Assert.Equal(DiagnosticCodes.DiffersFromTrustedCopy, diagnostic.Code);
        Assert.Equal(copy, diagnostic.FilePath);
        Assert.Equal($"The trusted copy {why}: it must be a separate regular file (for example the store file from version control, copied out); nothing was converted or written.", diagnostic.Message);
        Assert.Equal(ProtectedSecretFormat.V1, (await scope.Repository.GetAsync(new SecretId(App, "A")))!.Format);
    }

#pragma warning disable SYSLIB1054
    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int link(byte[] oldpath, byte[] newpath);
#pragma warning restore SYSLIB1054

    /// <summary>Records every report on the reporting thread (<see cref="Progress{T}"/> would post them elsewhere).</summary>
    /// <summary>A store that is not an <see cref="EnvelopeSecretStore"/> (as a face's wrapper would be), counting reads of values.</summary>
    private sealed class DelegatingStore(ISecretStore inner) : ISecretStore
    {
        private int _reads;

        public int Reads => _reads;

        public Task<Secret> GetAsync(SecretId id, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _reads);
            return inner.GetAsync(id, cancellationToken);
        }

        public Task<IReadOnlyDictionary<SecretId, Secret>> GetManyAsync(IEnumerable<SecretId> ids, CancellationToken cancellationToken = default) =>
            inner.GetManyAsync(ids, cancellationToken);

        public Task<IReadOnlyList<SecretMetadata>> ListAsync(string applicationName, CancellationToken cancellationToken = default) =>
            inner.ListAsync(applicationName, cancellationToken);

        public Task<IReadOnlyList<string>> ListApplicationsAsync(CancellationToken cancellationToken = default) => inner.ListApplicationsAsync(cancellationToken);

        public Task<SecretMetadata> SetAsync(SecretId id, string value, SetSecretOptions? options = null, CancellationToken cancellationToken = default) =>
            inner.SetAsync(id, value, options, cancellationToken);

        public Task<bool> DeleteAsync(SecretId id, long? expectedRevision = null, CancellationToken cancellationToken = default) =>
            inner.DeleteAsync(id, expectedRevision, cancellationToken);

        public Task<IReadOnlyList<SecretRevisionInfo>> GetHistoryAsync(SecretId id, CancellationToken cancellationToken = default) =>
            inner.GetHistoryAsync(id, cancellationToken);

        public Task<Secret> GetRevisionAsync(SecretId id, long revision, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _reads);
            return inner.GetRevisionAsync(id, revision, cancellationToken);
        }

        public Task<SecretMetadata> RollbackAsync(SecretId id, long revision, SetSecretOptions? options = null, CancellationToken cancellationToken = default) =>
            inner.RollbackAsync(id, revision, options, cancellationToken);

        public Task<bool> PurgeAsync(SecretId id, CancellationToken cancellationToken = default) => inner.PurgeAsync(id, cancellationToken);
    }
}

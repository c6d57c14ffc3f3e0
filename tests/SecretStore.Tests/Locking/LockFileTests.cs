using System.Text.Json.Nodes;
using SecretStore.Configuration.Settings;
using SecretStore.Diagnostics;
using SecretStore.Locking;
using SecretStore.Repositories;
using SecretStore.Resolution;
using SecretStore.Running;
using SecretStore.Stores;
using SecretStore.Configuration;
using SecretStore.Secrets;

namespace SecretStore.Tests.Locking;

/// <summary>
/// <c>secretstore.lock.json</c> through the engine runner every face calls: writing it, and the attacks it turns into
/// errors (a store writer puts an older record back, or swaps the record at the locked revision), drift, and bad locks.
/// </summary>
public sealed class LockFileTests : IDisposable
{
    private static readonly SecretId Db = new("shop", "Db");
    private static readonly SecretId Api = new("shop", "Api");
    private readonly StoreScope _scope = new();
    private readonly TempDirectory _folder = new();

    public LockFileTests()
    {
        File.WriteAllText(_folder.Combine(SettingsFile.FileName), """{ "application": "shop" }""");
    }

    private string LockPath => _folder.Combine(SecretLock.FileName);

    public void Dispose()
    {
        _scope.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task Lock_writes_every_secret_needed_sorted_with_its_revision_and_record_digest_and_no_value()
    {
        await _scope.Store.SetAsync(Db, "Cnry-db-1");
        await _scope.Store.SetAsync(Db, "Cnry-db-2");
        await _scope.Store.SetAsync(Api, "Cnry-api-1");
        var file = Config("""{ "Db": "#{secret:Db}", "Old": "#{secret:Db@1}", "Api": "#{secret:Api}" }""");

        var result = await RunAsync(ResolveMode.Verify, file, updateLock: true);

        Assert.True(result.Succeeded, string.Join(" | ", result.Diagnostics));
        Assert.Equal((LockPath, 3), (result.LockWritten, result.LockedSecrets));
        var text = File.ReadAllText(LockPath);
        Assert.DoesNotContain("Cnry", text, StringComparison.Ordinal);
        var entries = SecretLock.Read(LockPath).Entries;
        Assert.Equal([("Api", 1L, false), ("Db", 2L, false), ("Db", 1L, true)], entries.Select(e => (e.Name, e.Revision, e.Pinned)));
        var current = (await _scope.Repository.GetAsync(Db))!;
        Assert.Equal(RecordDigest.Of(current), entries[1].Record);
        Assert.Equal(RecordDigest.Of((await _scope.Repository.GetRevisionAsync(Db, 1))!.Record!), entries[2].Record);

        // Locking again without a change gives the same bytes (a clean diff).
        await RunAsync(ResolveMode.Verify, file, updateLock: true);
        Assert.Equal(text, File.ReadAllText(LockPath));
    }

    [Fact]
    public async Task A_store_writer_who_puts_an_older_record_back_is_refused_with_SSB2020_and_nothing_is_written()
    {
        await _scope.Store.SetAsync(Db, "Cnry-old");
        await _scope.Store.SetAsync(Db, "Cnry-new");
        var file = Config("""{ "Db": "#{secret:Db}" }""");
        await RunAsync(ResolveMode.Verify, file, updateLock: true);
        var before = File.ReadAllBytes(file);

        // The attack: the current record replaced by revision 1's, taken from the history (it authenticates: same app and name).
        ReplaceCurrentRecord(Db, revision: 1, keepRevision: false);
        Assert.Equal("Cnry-old", (await _scope.Store.GetAsync(Db)).Value);
        var result = await RunAsync(ResolveMode.Resolve, file);

        var error = Assert.Single(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal(DiagnosticCodes.LockedRevisionRolledBack, error.Code);
        Assert.Equal(1, error.Line);
        Assert.Contains("secret 'shop/Db' is at revision 1 in the store, below revision 2 in the lock file", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Cnry", error.Text, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(file));
    }

    [Fact]
    public async Task A_record_swapped_at_the_locked_revision_is_refused_with_SSB2021()
    {
        await _scope.Store.SetAsync(Db, "Cnry-old");
        await _scope.Store.SetAsync(Db, "Cnry-new");
        var file = Config("""{ "Db": "#{secret:Db}" }""");
        await RunAsync(ResolveMode.Verify, file, updateLock: true);

        // The attack: revision 1's envelope put in as revision 2 (the revision is not authenticated).
        ReplaceCurrentRecord(Db, revision: 1, keepRevision: true);
        Assert.Equal(("Cnry-old", 2L), ((await _scope.Store.GetAsync(Db)).Value, (await _scope.Store.GetAsync(Db)).Metadata.Revision));
        var result = await RunAsync(ResolveMode.Verify, file);

        Assert.Equal(DiagnosticCodes.LockedRecordChanged, Assert.Single(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error).Code);
    }

    [Fact]
    public async Task A_pinned_revision_whose_history_entry_was_swapped_is_refused_with_SSB2021()
    {
        await _scope.Store.SetAsync(Db, "Cnry-one");
        await _scope.Store.SetAsync(Db, "Cnry-two");
        var file = Config("""{ "Db": "#{secret:Db@1}" }""");
        await RunAsync(ResolveMode.Verify, file, updateLock: true);

        // The history entry of revision 1 gets revision 2's envelope.
        var root = StoreJson();
        var history = root["history"]!.AsArray();
        history.Single(e => (long)e!["Revision"]! == 1)!["Envelope"] = history.Single(e => (long)e!["Revision"]! == 2)!["Envelope"]!.GetValue<string>();
        File.WriteAllText(_scope.StorePath, root.ToJsonString());
        var result = await RunAsync(ResolveMode.Resolve, file);

        var error = Assert.Single(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal(DiagnosticCodes.LockedRecordChanged, error.Code);
        Assert.Contains("'shop/Db@1'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_newer_revision_resolves_and_verify_reports_the_drift_and_an_unlocked_secret()
    {
        await _scope.Store.SetAsync(Db, "Cnry-1");
        await _scope.Store.SetAsync(Api, "Cnry-api");
        var locked = Config("""{ "Db": "#{secret:Db}" }""");
        await RunAsync(ResolveMode.Verify, locked, updateLock: true);
        await _scope.Store.SetAsync(Db, "Cnry-2");
        var file = Config("""{ "Db": "#{secret:Db}", "Api": "#{secret:Api}" }""", "both.json");

        var verify = await RunAsync(ResolveMode.Verify, file);
        var resolve = await RunAsync(ResolveMode.Resolve, file);

        Assert.True(verify.Succeeded);
        Assert.Equal(
            [DiagnosticCodes.LockDrift, DiagnosticCodes.NotInLock],
            verify.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning).Select(d => d.Code).OrderBy(c => c.Id, StringComparer.Ordinal));
        // A resolve uses the newer value and says so too (a record replayed under a higher number shows here).
        Assert.True(resolve.Succeeded);
        Assert.Contains(resolve.Diagnostics, d => d.Code == DiagnosticCodes.LockDrift && d.Severity == DiagnosticSeverity.Warning);
        Assert.Contains("Cnry-2", File.ReadAllText(file), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_lock_moves_the_lock_on_purpose_and_keeps_the_entries_of_other_secrets()
    {
        await _scope.Store.SetAsync(Db, "Cnry-1");
        await _scope.Store.SetAsync(Db, "Cnry-2");
        await _scope.Store.SetAsync(Api, "Cnry-api");
        await RunAsync(ResolveMode.Verify, Config("""{ "Db": "#{secret:Db}", "Api": "#{secret:Api}" }"""), updateLock: true);
        ReplaceCurrentRecord(Db, revision: 1, keepRevision: false);
        var file = Config("""{ "Db": "#{secret:Db}" }""", "db-only.json");

        var moved = await RunAsync(ResolveMode.Resolve, file, updateLock: true);
        var after = await RunAsync(ResolveMode.Verify, file);

        Assert.True(moved.Succeeded, string.Join(" | ", moved.Diagnostics));
        Assert.True(after.Succeeded);
        Assert.Equal([("Api", 1L), ("Db", 1L)], SecretLock.Read(LockPath).Entries.Select(e => (e.Name, e.Revision)));
    }

    public static TheoryData<string, string> BadLocks => new()
    {
        { "not json", "{ \"version\": 1, \"secrets\": [" },
        { "unknown member", """{ "version": 1, "secrets": [], "extra": 1 }""" },
        { "bad digest", """{ "version": 1, "secrets": [ { "application": "shop", "name": "Db", "revision": 1, "record": "sha256:xyz" } ] }""" },
        { "revision 0", """{ "version": 1, "secrets": [ { "application": "shop", "name": "Db", "revision": 0, "record": "sha256:0000000000000000000000000000000000000000000000000000000000000000" } ] }""" },
        { "twice", """{ "version": 1, "secrets": [ { "application": "shop", "name": "Db", "revision": 1, "record": "sha256:0000000000000000000000000000000000000000000000000000000000000000" }, { "application": "shop", "name": "Db", "revision": 2, "record": "sha256:0000000000000000000000000000000000000000000000000000000000000000" } ] }""" },
    };

    [Theory]
    [MemberData(nameof(BadLocks))]
    public async Task A_lock_that_does_not_parse_is_SSB2022_naming_it_and_nothing_is_written(string why, string content)
    {
        _ = why;
        await _scope.Store.SetAsync(Db, "Cnry-1");
        var file = Config("""{ "Db": "#{secret:Db}" }""");
        var before = File.ReadAllBytes(file);
        File.WriteAllText(LockPath, content);

        var result = await RunAsync(ResolveMode.Resolve, file);

        var error = Assert.Single(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal(DiagnosticCodes.LockFileInvalid, error.Code);
        Assert.True(error.Message.Contains(LockPath, StringComparison.Ordinal) || error.FilePath == LockPath, error.Message);
        Assert.Equal(before, File.ReadAllBytes(file));
        Assert.Equal(content, File.ReadAllText(LockPath));
    }

    [Fact]
    public async Task Without_a_lock_nothing_is_enforced_and_nothing_is_written()
    {
        await _scope.Store.SetAsync(Db, "Cnry-1");

        var result = await RunAsync(ResolveMode.Resolve, Config("""{ "Db": "#{secret:Db}" }"""));

        Assert.True(result.Succeeded);
        Assert.DoesNotContain(result.Diagnostics, d => d.Code == DiagnosticCodes.NotInLock);
        Assert.False(File.Exists(LockPath));
    }

    [Fact]
    public void The_record_digest_changes_with_every_field_and_never_depends_on_the_value_alone()
    {
        var record = new ProtectedSecretRecord { Id = Db, Format = ProtectedSecretFormat.V2, Revision = 2, MasterKeyId = "k", Envelope = [1, 2, 3] };
        var digests = new[]
        {
            RecordDigest.Of(record),
            RecordDigest.Of(record with { Revision = 3 }),
            RecordDigest.Of(record with { MasterKeyId = "k2" }),
            RecordDigest.Of(record with { Envelope = [1, 2, 4] }),
            RecordDigest.Of(record with { Id = Api }),
            RecordDigest.Of(record with { Format = ProtectedSecretFormat.V1, Envelope = null, ProtectedDocumentKey = [1, 2, 3], InitialisationVector = [], ProtectedSecretValue = [] }),
        };

        Assert.Equal(digests.Length, digests.Distinct(StringComparer.Ordinal).Count());
        Assert.All(digests, d => Assert.True(RecordDigest.IsWellFormed(d), d));
        Assert.Equal(RecordDigest.Of(record), RecordDigest.Of(record with { }));
    }

    // Red team, issue 17 (every attack that worked is kept here).

    [Fact]
    public async Task Run_and_export_are_held_against_the_lock_too()
    {
        await _scope.Store.SetAsync(Db, "Cnry-old");
        await _scope.Store.SetAsync(Db, "Cnry-new");
        await RunAsync(ResolveMode.Verify, Config("""{ "Db": "#{secret:Db}" }"""), updateLock: true);
        ReplaceCurrentRecord(Db, revision: 1, keepRevision: false);

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => new SecretStoreRunner(new ScopeStoreFactory(_scope)).LoadVariablesAsync(new SecretStore.Variables.VariableOptions
        {
            Store = Selection(),
            Mappings = [new SecretStore.Variables.VariableMapping("DB", "shop/Db", "--map")],
        }));

        var only = Assert.Single(error.Diagnostics);
        Assert.Equal(DiagnosticCodes.LockedRevisionRolledBack, only.Code);
        Assert.StartsWith("Variable 'DB' (--map): secret 'shop/Db' is at revision 1 in the store, below revision 2", only.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Cnry", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_locked_secret_that_was_deleted_is_an_error_even_when_optional_and_lock_takes_it_out()
    {
        await _scope.Store.SetAsync(Db, "Cnry-1");
        var file = Config("""{ "Db": "#{secret:Db|optional}" }""");
        await RunAsync(ResolveMode.Verify, file, updateLock: true);
        await _scope.Store.DeleteAsync(Db);

        var refused = await RunAsync(ResolveMode.Resolve, file);
        var relocked = await RunAsync(ResolveMode.Verify, file, updateLock: true);

        var error = Assert.Single(refused.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal(DiagnosticCodes.LockedRevisionRolledBack, error.Code);
        Assert.Contains("is locked at revision 1 in the lock file", error.Message, StringComparison.Ordinal);
        Assert.True(relocked.Succeeded, string.Join(" | ", relocked.Diagnostics));
        Assert.Empty(SecretLock.Read(LockPath).Entries);
    }

    [Fact]
    public async Task A_record_put_back_after_a_purge_and_a_new_lock_is_below_the_lock()
    {
        await _scope.Store.SetAsync(Db, "Cnry-1");
        await _scope.Store.SetAsync(Db, "Cnry-2");
        await _scope.Store.SetAsync(Db, "Cnry-leaked");
        var copy = File.ReadAllText(_scope.StorePath);
        var file = Config("""{ "Db": "#{secret:Db}" }""");
        await _scope.Store.PurgeAsync(Db);
        await _scope.Store.SetAsync(Db, "Cnry-rotated");
        await RunAsync(ResolveMode.Verify, file, updateLock: true);

        // The store writer puts the purged revision 3 back from an old copy of the store.
        var old = JsonNode.Parse(copy)!["secrets"]!.AsArray().Single()!.ToJsonString();
        var root = StoreJson();
        root["secrets"]!.AsArray()[0] = JsonNode.Parse(old);
        File.WriteAllText(_scope.StorePath, root.ToJsonString());
        var result = await RunAsync(ResolveMode.Resolve, file);

        Assert.Equal(DiagnosticCodes.LockedRevisionRolledBack, Assert.Single(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error).Code);
        Assert.DoesNotContain("Cnry-leaked", File.ReadAllText(file), StringComparison.Ordinal);
    }

    public static TheoryData<string> PlantedPaths => ["folder", "link to a folder", "fifo", "link to /dev/zero", "world-writable"];

    [Theory]
    [MemberData(nameof(PlantedPaths))]
    public async Task Anything_but_a_trusted_regular_file_at_the_lock_path_is_SSB2022_and_nothing_is_written(string planted)
    {
        await _scope.Store.SetAsync(Db, "Cnry-1");
        var file = Config("""{ "Db": "#{secret:Db}" }""");
        var before = File.ReadAllBytes(file);
        switch (planted)
        {
            case "folder":
                Directory.CreateDirectory(LockPath);
                break;
            case "link to a folder":
                File.CreateSymbolicLink(LockPath, _folder.Path);
                break;
            case "fifo":
                Assert.Equal(0, mkfifo(LockPath, 384));
                break;
            case "link to /dev/zero":
                File.CreateSymbolicLink(LockPath, "/dev/zero");
                break;
            default:
                File.WriteAllText(LockPath, """{ "version": 1, "secrets": [] }""");
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(LockPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
                }

                break;
        }

        var resolve = await RunAsync(ResolveMode.Resolve, file).WaitAsync(TimeSpan.FromSeconds(30));
        var update = await RunAsync(ResolveMode.Resolve, file, updateLock: true).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All([resolve, update], r => Assert.Equal(DiagnosticCodes.LockFileInvalid, Assert.Single(r.Diagnostics, d => d.Severity == DiagnosticSeverity.Error).Code));
        Assert.Contains(LockPath, resolve.Diagnostics.Single(d => d.Severity == DiagnosticSeverity.Error).Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(file));
    }

    [Fact]
    public async Task Each_environment_has_its_own_entries_so_one_cannot_vouch_for_another()
    {
        using var prod = new StoreScope();
        await _scope.Store.SetAsync(Db, "Cnry-dev");
        for (var i = 0; i < 5; i++)
        {
            await prod.Store.SetAsync(Db, $"Cnry-prod-{i}");
        }

        File.WriteAllText(_folder.Combine(SettingsFile.FileName), $$"""
            { "application": "shop", "environments": { "Prod": { "storage": "file:{{prod.StorePath}}", "protection": "rsa:{{prod.KeyringPath}}" } } }
            """);
        var file = Config("""{ "Db": "#{secret:Db}" }""");
        var factory = new PerPathStoreFactory(_scope, prod);

        await RunAsync(ResolveMode.Verify, file, updateLock: true, factory: factory);
        await RunAsync(ResolveMode.Verify, file, updateLock: true, environment: "Prod", factory: factory);
        var entries = SecretLock.Read(LockPath).Entries;

        Assert.Equal([(null, 1L), ("Prod", 5L)], entries.Select(e => (e.Environment, e.Revision)));
        Assert.True((await RunAsync(ResolveMode.Verify, file, factory: factory)).Succeeded);
        Assert.True((await RunAsync(ResolveMode.Verify, file, environment: "Prod", factory: factory)).Succeeded);
    }

    [Fact]
    public async Task Moving_the_lock_back_on_purpose_names_each_entry_it_lowered()
    {
        await _scope.Store.SetAsync(Db, "Cnry-1");
        await _scope.Store.SetAsync(Db, "Cnry-2");
        var file = Config("""{ "Db": "#{secret:Db}" }""");
        await RunAsync(ResolveMode.Verify, file, updateLock: true);
        ReplaceCurrentRecord(Db, revision: 1, keepRevision: false);

        var moved = await RunAsync(ResolveMode.Verify, file, updateLock: true);

        Assert.True(moved.Succeeded);
        var warning = Assert.Single(moved.Diagnostics, d => d.Code == DiagnosticCodes.LockedRevisionRolledBack);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Contains("moved 'shop/Db' back from revision 2 to 1", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lock_saved_with_a_byte_order_mark_is_read()
    {
        await _scope.Store.SetAsync(Db, "Cnry-1");
        var file = Config("""{ "Db": "#{secret:Db}" }""");
        await RunAsync(ResolveMode.Verify, file, updateLock: true);
        File.WriteAllBytes(LockPath, [0xEF, 0xBB, 0xBF, .. File.ReadAllBytes(LockPath)]);

        var result = await RunAsync(ResolveMode.Verify, file);

        Assert.True(result.Succeeded, string.Join(" | ", result.Diagnostics));
    }

#pragma warning disable SYSLIB1054
    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int mkfifo(string path, uint mode);
#pragma warning restore SYSLIB1054

    /// <summary>Opens the scope whose store file the settings name, so that two environments read two stores.</summary>
    private sealed class PerPathStoreFactory(StoreScope shared, StoreScope prod) : ISecretStoreFactory
    {
        public EnvelopeSecretStore Open(StoreSettings settings) => new ScopeStoreFactory(settings.FilePath == prod.StorePath ? prod : shared).Open(settings);

        public IProtectedSecretRepository OpenRepository(StoreSettings settings) => new ScopeStoreFactory(settings.FilePath == prod.StorePath ? prod : shared).OpenRepository(settings);
    }

    private StoreSelection Selection(string? environment = null) => new()
    {
        WorkingDirectory = _folder.Path,
        Explicit = new SettingsLayer { BaseDirectory = _folder.Path, Storage = environment is null ? "file:" + _scope.StorePath : null, Protection = environment is null ? "rsa:" + _scope.KeyringPath : null },
        Environment = environment is null ? null : new EnvironmentChoice(environment, "--env"),
        EnvironmentVariables = _ => null,
    };

    /// <summary>
    /// The store writer's complete cross-store copy (issue 17, item 5): another store's record, renumbered above the lock
    /// (which alone reads as drift) and the store file's own id line rewritten to that store's id, so the record opens.
    /// The lock names the store each record was bound to, so the run refuses it.
    /// </summary>
    [Fact]
    public async Task A_record_of_another_store_with_the_store_id_line_rewritten_to_match_is_SSB2021_with_a_lock()
    {
        await _scope.Store.SetAsync(Db, "Cnry-production");
        var file = Config("""{ "Db": "#{secret:Db}" }""");
        await RunAsync(ResolveMode.Verify, file, updateLock: true);
        var lockedStore = await _scope.Repository.GetStoreIdAsync();
        Assert.Equal(lockedStore, Assert.Single(SecretLock.Read(LockPath).Entries).StoreId);
        Assert.Contains($"\"store\": \"{lockedStore}\"", File.ReadAllText(LockPath), StringComparison.Ordinal);

        var stagingPath = _scope.Combine("staging.json");
        var staging = new SecretStore.Repositories.File.FileSecretRepository(stagingPath);
        await new EnvelopeSecretStore(staging, _scope.KeyManager, new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId }).SetAsync(Db, "Cnry-staging");
        var stagingRecord = StoreJsonOf(stagingPath)["secrets"]![0]!;
        var root = StoreJson();
        root["storeId"] = (string?)StoreJsonOf(stagingPath)["storeId"];
        var current = root["secrets"]!.AsArray().Single(e => (string)e!["Name"]! == Db.Name)!;
        current["Envelope"] = stagingRecord["Envelope"]!.GetValue<string>();
        current["Revision"] = 7;
        File.WriteAllText(_scope.StorePath, root.ToJsonString());
        var before = File.ReadAllBytes(file);

        // Without the lock the copy opens: the store file vouches for itself.
        Assert.Equal("Cnry-staging", (await _scope.OpenStore(_scope.Keyring).GetAsync(Db)).Value);
        var result = await RunAsync(ResolveMode.Resolve, file);

        var error = Assert.Single(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal(DiagnosticCodes.LockedRecordChanged, error.Code);
        Assert.Contains($"is bound to store '{(string?)StoreJsonOf(stagingPath)["storeId"]}', but the lock file", error.Message, StringComparison.Ordinal);
        Assert.Contains($"locked it in store '{lockedStore}'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Cnry", string.Join(" ", result.Diagnostics), StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(file));
    }

    [Fact]
    public async Task A_lock_entry_whose_store_is_not_a_store_id_is_SSB2022()
    {
        await _scope.Store.SetAsync(Db, "Cnry");
        var file = Config("""{ "Db": "#{secret:Db}" }""");
        await RunAsync(ResolveMode.Verify, file, updateLock: true);
        var node = JsonNode.Parse(File.ReadAllText(LockPath))!;
        node["secrets"]![0]!["store"] = "no";
        File.WriteAllText(LockPath, node.ToJsonString());

        var result = await RunAsync(ResolveMode.Verify, file);

        var error = Assert.Single(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal(DiagnosticCodes.LockFileInvalid, error.Code);
        Assert.Contains("has a \"store\" that is not a store id", error.Message, StringComparison.Ordinal);
    }

    private static JsonObject StoreJsonOf(string path) => JsonNode.Parse(File.ReadAllText(path))!.AsObject();

    private string Config(string json, string name = "appsettings.json") => _folder.Write(name, json);

    private Task<RunResult> RunAsync(ResolveMode mode, string file, bool updateLock = false, string? environment = null, ISecretStoreFactory? factory = null) =>
        new SecretStoreRunner(factory ?? new ScopeStoreFactory(_scope)).ResolveAsync(new ResolveOptions
        {
            Store = Selection(environment),
            Files = [new ConfigFileSpec(file)],
            Mode = mode,
            UpdateLock = updateLock,
        });

    private JsonObject StoreJson() => JsonNode.Parse(File.ReadAllText(_scope.StorePath))!.AsObject();

    /// <summary>A store writer's edit: the current record of <paramref name="id"/> gets the bytes of a revision from the history.</summary>
    private void ReplaceCurrentRecord(SecretId id, long revision, bool keepRevision)
    {
        var root = StoreJson();
        var old = root["history"]!.AsArray().Single(e => (string)e!["Name"]! == id.Name && (long)e["Revision"]! == revision)!;
        var current = root["secrets"]!.AsArray().Single(e => (string)e!["Name"]! == id.Name)!;
        current["Envelope"] = old["Envelope"]!.GetValue<string>();
        current["MasterKeyId"] = old["MasterKeyId"]!.GetValue<string>();
        if (!keepRevision)
        {
            current["Revision"] = revision;
        }

        File.WriteAllText(_scope.StorePath, root.ToJsonString());
    }
}

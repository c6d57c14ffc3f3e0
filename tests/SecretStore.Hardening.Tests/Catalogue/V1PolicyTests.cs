using SecretStore.Diagnostics;
using SecretStore.Hardening.Tests.Support;
using SecretStore.Keys.Rsa;
using SecretStore.Repositories;
using SecretStore.Repositories.Import;
using SecretStore.Resolution;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Testing.Records;

namespace SecretStore.Hardening.Tests.Catalogue;

/// <summary>
/// Issue 12 item 2: v1 has no MAC, so its decryption errors are a padding oracle for whoever can write the store.
/// v1 is refused by default before any of it is decrypted; with the opt-in, every failure reads the same.
/// </summary>
public sealed class V1PolicyTests : IClassFixture<KeyringFixture>, IDisposable
{
    private const string Value = "hunter2-v1";
    private static readonly SecretId Db = new("legacy", "Db");
    private readonly KeyringFixture _keyring;
    private readonly TempDirectory _tree = new();

    public V1PolicyTests(KeyringFixture keyring) => _keyring = keyring;

    private string StorePath => Path.Combine(_tree.Path, "secrets.json");

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task Padding_oracle_attempt_on_the_last_cbc_block_gives_byte_identical_errors_with_the_opt_in()
    {
        var original = await V1Rows.PlantAsync(StorePath, _keyring.KeyringPath, Db, Value);
        using var store = _keyring.OpenFileStore(StorePath, allowV1: true);
        Assert.Equal(Value, (await store.GetAsync(Db)).Value);

        var errors = new List<SecretStoreException>();
        foreach (var tampering in new[] { V1Tampering.BadPadding, V1Tampering.BadUtf8 })
        {
            await V1Rows.ReplaceAsync(StorePath, V1Rows.TamperLastBlock(original, Value, tampering));
            errors.Add(await Assert.ThrowsAnyAsync<SecretStoreException>(() => store.GetAsync(Db)));
            errors.Add(await Assert.ThrowsAnyAsync<SecretStoreException>(() => store.GetManyAsync([Db])));
        }

        Assert.All(errors, e => Assert.Equal(DiagnosticCodes.InvalidData, e.Code));
        Assert.Single(errors.Select(e => e.Message).Distinct(StringComparer.Ordinal));
        Assert.All(errors, e => Assert.Null(e.InnerException));
        Assert.DoesNotContain(errors, e => e.Message.Contains("padding", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("UTF", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task V1_record_is_refused_with_SSB2009_naming_it_and_the_opt_in_for_get_get_many_and_verify_by_default()
    {
        var original = await V1Rows.PlantAsync(StorePath, _keyring.KeyringPath, Db, Value);
        await V1Rows.ReplaceAsync(StorePath, V1Rows.TamperLastBlock(original, Value, V1Tampering.BadPadding));
        using var store = _keyring.OpenFileStore(StorePath);

        var single = await Assert.ThrowsAsync<SecretStoreException>(() => store.GetAsync(Db));
        var many = await Assert.ThrowsAsync<SecretStoreException>(() => store.GetManyAsync([Db]));
        var resolved = await new SecretResolver(store).ResolveAsync(new ResolveRequest { Files = [_tree.Write("appsettings.json", "{\"Db\":\"#{secret:legacy/Db}\"}")], Mode = ResolveMode.Verify });

        // The row is tampered, so it would be SSB3002 if anything were decrypted: SSB2009 shows the refusal came first.
        Assert.All([single, many], e => Assert.Equal(DiagnosticCodes.FormatPolicyViolation, e.Code));
        Assert.Contains("'legacy/Db' is a v1 record", single.Message, StringComparison.Ordinal);
        Assert.Contains("--allow-v1", single.Message, StringComparison.Ordinal);
        Assert.Contains("SecretStoreAllowV1", single.Message, StringComparison.Ordinal);
        Assert.Contains(resolved.Diagnostics, d => d.Code == DiagnosticCodes.FormatPolicyViolation);
        Assert.False(resolved.Succeeded);
    }

    [Fact]
    public async Task Set_over_a_stored_v1_record_and_a_v1_write_are_refused_by_default_and_nothing_is_written()
    {
        await V1Rows.PlantAsync(StorePath, _keyring.KeyringPath, Db, Value);
        var before = await File.ReadAllBytesAsync(StorePath);
        using var store = _keyring.OpenFileStore(StorePath);

        var overwrite = await Assert.ThrowsAsync<SecretStoreException>(() => store.SetAsync(Db, "new-value"));
        var v1Write = await Assert.ThrowsAsync<SecretStoreException>(() => store.SetAsync(new SecretId("legacy", "Other"), "x", new SetSecretOptions { Format = ProtectedSecretFormat.V1 }));

        Assert.Equal(DiagnosticCodes.FormatPolicyViolation, overwrite.Code);
        Assert.Equal(DiagnosticCodes.FormatPolicyViolation, v1Write.Code);
        Assert.Contains("'legacy/Db' is stored as a v1 record", overwrite.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(StorePath));
    }

    [Fact]
    public async Task Rewrap_reads_v1_only_with_the_opt_in_and_leaves_v2()
    {
        await V1Rows.PlantAsync(StorePath, _keyring.KeyringPath, Db, Value);
        using (var strict = _keyring.OpenFileStore(StorePath))
        {
            var refused = await Assert.ThrowsAsync<SecretStoreException>(() => SecretRewrapper.RewrapAsync(strict, "legacy", new RewrapOptions()));
            Assert.Equal(DiagnosticCodes.FormatPolicyViolation, refused.Code);
        }

        using (var migrating = _keyring.OpenFileStore(StorePath, allowV1: true))
        {
            await SecretRewrapper.RewrapAsync(migrating, "legacy", new RewrapOptions());
        }

        using var after = _keyring.OpenFileStore(StorePath);
        var secret = await after.GetAsync(Db);
        Assert.Equal(Value, secret.Value);
        Assert.Equal(ProtectedSecretFormat.V2, secret.Metadata.Format);
    }

    [Fact]
    public async Task Import_of_a_v1_record_is_refused_by_default_and_nothing_is_imported()
    {
        var record = await V1Rows.PlantAsync(Path.Combine(_tree.Path, "old.json"), _keyring.KeyringPath, Db, Value);
        var target = new Repositories.File.FileSecretRepository(StorePath);

        var refused = await Assert.ThrowsAsync<SecretStoreException>(() => ProtectedSecretImporter.ImportAsync(target, [record], new ProtectedSecretImportOptions { SourcePath = "old.json" }));
        Assert.Equal(DiagnosticCodes.FormatPolicyViolation, refused.Code);
        Assert.False(File.Exists(StorePath));

        var imported = await ProtectedSecretImporter.ImportAsync(target, [record], new ProtectedSecretImportOptions { AllowV1 = true });
        Assert.Equal(ProtectedSecretImportStatus.Imported, Assert.Single(imported).Status);
    }
}

using System.Diagnostics;
using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Repositories.File;
using SecretStore.Secrets;
using SecretStore.Tests.Support;
using WaitingClock = SecretStore.Tests.Repositories.FileSecretRepositoryTests.WaitingClock;

namespace SecretStore.Tests.Repositories;

/// <summary>
/// The engine-level checks of <see cref="FileSecretRepository"/>'s arguments, record validation, read and folder errors,
/// and its lock: the wait's deadline, locks that are not regular files, and the exact modes of the lock it creates or
/// narrows (tested otherwise only through the CLI and hardening suites).
/// </summary>
public sealed class FileSecretRepositoryLockTests
{
    private static ProtectedSecretRecord V2(string app, string name) => FileSecretRepositoryTests.V2(app, name);

    [Fact]
    public async Task Null_or_empty_arguments_are_refused_before_the_file_is_read()
    {
        using var temp = new TempDirectory();
        var repository = new FileSecretRepository(temp.Combine("none", "secrets.json"));

        Assert.Equal("ids", (await Assert.ThrowsAsync<ArgumentNullException>(() => repository.GetManyAsync(null!))).ParamName);
        Assert.Equal("applicationName", (await Assert.ThrowsAsync<ArgumentException>(() => repository.QueryByApplicationAsync(""))).ParamName);
        Assert.Equal("record", (await Assert.ThrowsAsync<ArgumentNullException>(() => repository.SaveAsync(null!, 0))).ParamName);
        Assert.Equal("expectedRevision", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => repository.SaveAsync(V2("a", "b"), -1))).ParamName);
        Assert.False(Directory.Exists(temp.Combine("none")));
    }

    [Fact]
    public async Task Save_over_a_stored_revision_out_of_range_is_SSB2014_and_the_file_is_kept()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("secrets.json");
        const string content = "{\"version\":1,\"secrets\":[{\"ApplicationName\":\"a\",\"Name\":\"b\",\"Format\":2,\"Revision\":0,\"MasterKeyId\":\"k\",\"Envelope\":\"AQID\"}]}";
        await File.WriteAllTextAsync(path, content);

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => new FileSecretRepository(path).SaveAsync(V2("a", "b"), 0));

        Assert.Equal("SSB2014", ex.Code.Id);
        Assert.Equal($"SSB2014: The record of 'a/b' has a revision that is not a whole number from 1 to {long.MaxValue}; it is refused (other records are not affected) and nothing was written.", ex.Message);
        Assert.Equal(content, await File.ReadAllTextAsync(path));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Name_or_key_id_with_a_lone_surrogate_is_SSB2010_and_nothing_is_written(bool inTheName)
    {
        // Built here: a lone surrogate in theory data would not survive xunit's serialisation.
        var name = inTheName ? "\ud800" : "b";
        var keyId = inTheName ? "alias/k" : "alias/\ud800";
        using var temp = new TempDirectory();
        var path = temp.Combine("secrets.json");
        var record = V2("a", name) with { MasterKeyId = keyId };

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => new FileSecretRepository(path).SaveAsync(record, 0));

        Assert.Equal("SSB2010", ex.Code.Id);
        Assert.Equal($"SSB2010: Secret 'a/{(inTheName ? "\\uD800" : "b")}' has a name or key id with a lone surrogate, which has no UTF-8 form.", ex.Message);
        Assert.False(File.Exists(path));
    }

    public static TheoryData<string, ProtectedSecretRecord> IncompleteRecords()
    {
        var v1 = new ProtectedSecretRecord
        {
            Id = new SecretId("a", "b"),
            Format = ProtectedSecretFormat.V1,
            MasterKeyId = "alias/k",
            ProtectedDocumentKey = [1],
            InitialisationVector = [2],
            ProtectedSecretValue = [3],
        };
        var v2 = V2("a", "b");
        return new()
        {
            { "V1", v1 with { ProtectedDocumentKey = null } },
            { "V1", v1 with { InitialisationVector = null } },
            { "V1", v1 with { ProtectedSecretValue = null } },
            { "V1", v1 with { Envelope = [4] } },
            { "V2", v2 with { Envelope = null } },
            { "V2", v2 with { ProtectedDocumentKey = [1] } },
            { "V2", v2 with { InitialisationVector = [2] } },
            { "V2", v2 with { ProtectedSecretValue = [3] } },
            { "7", v2 with { Format = (ProtectedSecretFormat)7 } },
        };
    }

    [Theory]
    [MemberData(nameof(IncompleteRecords))]
    public async Task Record_without_exactly_the_fields_of_its_format_is_SSB0001_and_nothing_is_written(string format, ProtectedSecretRecord record)
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("secrets.json");

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => new FileSecretRepository(path).SaveAsync(record, 0));

        Assert.Equal("SSB0001", ex.Code.Id);
        Assert.Equal($"SSB0001: The record of 'a/b' does not have exactly the fields of format {format}.", ex.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task Store_path_that_is_a_folder_is_SSB2005_naming_the_file_and_the_error()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("secrets.json");
        Directory.CreateDirectory(path);

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => new FileSecretRepository(path).GetAsync(new SecretId("a", "b")));

        Assert.Equal("SSB2005", ex.Code.Id);
        Assert.Equal($"SSB2005: The secret store file '{path}' cannot be read: UnauthorizedAccessException.", ex.Message);
    }

    [Fact]
    public async Task Folder_that_cannot_be_created_is_SSB2005_naming_the_file()
    {
        using var temp = new TempDirectory();
        await File.WriteAllTextAsync(temp.Combine("plain"), "not a folder");
        var path = temp.Combine("plain", "secrets.json");

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => new FileSecretRepository(path).SaveAsync(V2("a", "b"), 0));

        Assert.Equal("SSB2005", ex.Code.Id);
        Assert.Equal($"SSB2005: The folder of the secret store file '{path}' cannot be created: IOException.", ex.Message);
    }

    [Fact]
    public async Task Cancelled_save_takes_no_lock()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("secrets.json");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new FileSecretRepository(path).SaveAsync(V2("a", "b"), 0, new CancellationToken(canceled: true)));

        Assert.False(File.Exists(path + ".lock"));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task Lock_held_at_the_deadline_is_SSB2005_naming_the_lock_without_another_try()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("secrets.json");
        var clock = new WaitingClock();
        var repository = new FileSecretRepository(path, new FileSecretRepositoryOptions { LockTimeout = TimeSpan.Zero, TimeProvider = clock });
        await using var held = new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

        var save = repository.SaveAsync(V2("a", "b"), 0);
        await Task.WhenAny(clock.FirstWait, save);

        Assert.True(save.IsCompleted, "the writer waited again at its deadline");
        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => save);
        Assert.Equal("SSB2005", ex.Code.Id);
        Assert.Equal($"SSB2005: The lock '{path}.lock' of the secret store file could not be taken within 0 s.", ex.Message);
        Assert.Equal("The lock is held by another writer.", ex.InnerException!.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task Lock_that_cannot_be_opened_is_SSB2005_naming_the_errno()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // The store's name fits NAME_MAX (255); the lock's, five bytes longer, does not: open gives ENAMETOOLONG (36).
        using var temp = new TempDirectory();
        var path = temp.Combine(new string('s', 251));
        var repository = new FileSecretRepository(path, new FileSecretRepositoryOptions { LockTimeout = TimeSpan.Zero, TimeProvider = new WaitingClock() });

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => repository.SaveAsync(V2("a", "b"), 0));

        Assert.Equal("SSB2005", ex.Code.Id);
        Assert.Equal("The lock could not be opened (errno 36).", ex.InnerException!.Message);
    }

    [Fact]
    public async Task Lock_that_is_a_symbolic_link_is_SSB2015_and_its_target_is_not_created()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("secrets.json");
        File.CreateSymbolicLink(path + ".lock", temp.Combine("elsewhere"));

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => new FileSecretRepository(path).SaveAsync(V2("a", "b"), 0));

        Assert.Equal("SSB2015", ex.Code.Id);
        Assert.Equal($"SSB2015: The lock '{path}.lock' of the secret store file is a symbolic link; nothing was written. Fix: remove it (a writer creates a fresh one) and find out who put it there.", ex.Message);
        Assert.False(File.Exists(temp.Combine("elsewhere")));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task Lock_that_is_a_folder_is_SSB2015()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("secrets.json");
        Directory.CreateDirectory(path + ".lock");

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => new FileSecretRepository(path).SaveAsync(V2("a", "b"), 0));

        Assert.Equal("SSB2015", ex.Code.Id);
        Assert.Equal($"SSB2015: The lock '{path}.lock' of the secret store file is a folder; nothing was written. Fix: remove it (a writer creates a fresh one) and find out who put it there.", ex.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task Lock_that_is_a_fifo_is_SSB2015_and_is_not_left_locked()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var temp = new TempDirectory();
        var path = temp.Combine("secrets.json");
        using (var mkfifo = Process.Start("mkfifo", [path + ".lock"]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var repository = new FileSecretRepository(path, new FileSecretRepositoryOptions { LockTimeout = TimeSpan.Zero, TimeProvider = new WaitingClock() });
        var first = await Assert.ThrowsAnyAsync<SecretStoreException>(() => repository.SaveAsync(V2("a", "b"), 0));
        // A second writer finds the same FIFO, not one still locked by the first (SSB2005 if the handle were kept).
        var second = await Assert.ThrowsAnyAsync<SecretStoreException>(() => repository.SaveAsync(V2("a", "b"), 0));

        Assert.Equal($"SSB2015: The lock '{path}.lock' of the secret store file is not a regular file; nothing was written. Fix: remove it (a writer creates a fresh one) and find out who put it there.", first.Message);
        Assert.Equal("SSB2015", first.Code.Id);
        Assert.Equal("SSB2015", second.Code.Id);
        Assert.False(File.Exists(path));
    }

    [Theory]
    [InlineData(UnixFileMode.GroupRead | UnixFileMode.OtherRead, UnixFileMode.None)]
    [InlineData(UnixFileMode.GroupRead | UnixFileMode.GroupWrite, UnixFileMode.GroupRead | UnixFileMode.GroupWrite)]
    [InlineData(UnixFileMode.OtherRead | UnixFileMode.OtherWrite, UnixFileMode.OtherRead | UnixFileMode.OtherWrite)]
    [InlineData(UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite, UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)]
    public async Task New_lock_is_open_exactly_to_the_owner_and_the_classes_that_may_write_the_store(UnixFileMode storeExtra, UnixFileMode lockExtra)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var temp = new TempDirectory();
        var path = temp.Combine("secrets.json");
        await File.WriteAllTextAsync(path, "{\"version\":1,\"secrets\":[]}");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | storeExtra);

        await new FileSecretRepository(path).SaveAsync(V2("a", "b"), 0);

        // Set exactly on the new lock, whatever the umask.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | lockExtra, File.GetUnixFileMode(path + ".lock"));
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, UnixFileMode.UserRead | UnixFileMode.UserWrite)]
    [InlineData(UnixFileMode.GroupRead | UnixFileMode.OtherRead, UnixFileMode.None)]
    [InlineData(UnixFileMode.UserWrite, UnixFileMode.UserWrite)]
    public async Task Own_lock_left_readable_by_others_is_narrowed_to_the_lock_mode(UnixFileMode before, UnixFileMode after)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var temp = new TempDirectory();
        var path = temp.Combine("secrets.json");
        await File.WriteAllBytesAsync(path + ".lock", []);
        File.SetUnixFileMode(path + ".lock", before);

        await new FileSecretRepository(path).SaveAsync(V2("a", "b"), 0);

        Assert.Equal(after, File.GetUnixFileMode(path + ".lock"));
    }

    [Fact]
    public async Task Lock_of_another_user_is_used_but_its_mode_is_not_changed()
    {
        // Root only (as in CI containers): another user cannot give a file away.
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            return;
        }

        using var temp = new TempDirectory();
        var path = temp.Combine("secrets.json");
        var lockPath = path + ".lock";
        await File.WriteAllBytesAsync(lockPath, []);
        const UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        File.SetUnixFileMode(lockPath, mode);
        using (var chown = Process.Start("chown", ["nobody", lockPath]))
        {
            await chown.WaitForExitAsync();
            Assert.Equal(0, chown.ExitCode);
        }

        Assert.Equal(1, await new FileSecretRepository(path).SaveAsync(V2("a", "b"), 0));

        Assert.Equal(mode, File.GetUnixFileMode(lockPath));
    }
}

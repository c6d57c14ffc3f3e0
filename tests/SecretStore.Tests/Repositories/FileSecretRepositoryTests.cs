using System.Diagnostics;
using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Repositories.File;
using SecretStore.Secrets;
using SecretStore.Tests.Support;

namespace SecretStore.Tests.Repositories;

public sealed class FileSecretRepositoryTests
{
    internal static ProtectedSecretRecord V2(string app, string name, byte fill = 1) => new()
    {
        Id = new SecretId(app, name),
        Format = ProtectedSecretFormat.V2,
        MasterKeyId = "alias/k",
        Envelope = [fill, 2, 3],
    };

    [Fact]
    public async Task Missing_file_is_SSB2011_naming_the_full_path_for_reads_and_deletes_and_nothing_is_created()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("none", "secrets.json");
        var repository = new FileSecretRepository(path);

        var errors = new[]
        {
            await Assert.ThrowsAsync<StoreFileNotFoundException>(() => repository.GetAsync(new SecretId("a", "b"))),
            await Assert.ThrowsAsync<StoreFileNotFoundException>(() => repository.GetManyAsync([new SecretId("a", "b")])),
            await Assert.ThrowsAsync<StoreFileNotFoundException>(() => repository.QueryByApplicationAsync("a")),
            await Assert.ThrowsAsync<StoreFileNotFoundException>(() => repository.DeleteAsync(new SecretId("a", "b"))),
        };

        Assert.All(errors, e => Assert.Equal("SSB2011", e.Code.Id));
        Assert.All(errors, e => Assert.Contains($"'{path}'", e.Message, StringComparison.Ordinal));
        Assert.False(Directory.Exists(temp.Combine("none")));
    }

    [Fact]
    public async Task Save_creates_a_missing_store_file_and_its_folder()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("new", "secrets.json");
        var repository = new FileSecretRepository(path);

        Assert.Equal(1, await repository.SaveAsync(V2("a", "b"), 0));

        Assert.True(File.Exists(path));
        Assert.NotNull(await repository.GetAsync(new SecretId("a", "b")));
    }

    [Fact]
    public async Task File_is_sorted_by_application_then_name_ordinally()
    {
        using var temp = new TempDirectory();
        var repository = new FileSecretRepository(temp.Combine("secrets.json"));
        await repository.SaveAsync(V2("b", "z"), 0);
        await repository.SaveAsync(V2("a", "b"), 0);
        await repository.SaveAsync(V2("a", "B"), 0);
        await repository.SaveAsync(V2("B", "a"), 0);

        var text = await File.ReadAllTextAsync(temp.Combine("secrets.json"));
        var order = new[] { "\"B\"", "\"a\",\n      \"Name\": \"B\"", "\"a\",\n      \"Name\": \"b\"", "\"b\"" }
            .Select(s => text.IndexOf(s, StringComparison.Ordinal)).ToList();

        Assert.DoesNotContain(-1, order);
        Assert.Equal(order.Order(), order);
        Assert.Equal(["B", "b"], (await repository.QueryByApplicationAsync("a")).Select(r => r.Id.Name));
    }

    [Fact]
    public async Task Reference_v1_rows_import_by_copying_their_fields()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("secrets.json");
        await File.WriteAllTextAsync(path, """
            {
              "version": 1,
              "secrets": [
                {
                  "ApplicationName": "legacy",
                  "SecretName": "Db",
                  "MasterKeyId": "alias/old",
                  "ProtectedDocumentKey": "AQID",
                  "InitialisationVector": "BAUG",
                  "ProtectedSecretValue": "BwgJ"
                }
              ]
            }
            """);
        var repository = new FileSecretRepository(path);

        var record = await repository.GetAsync(new SecretId("legacy", "Db"));

        Assert.NotNull(record);
        Assert.Equal(ProtectedSecretFormat.V1, record.Format);
        Assert.Equal(1, record.Revision);
        Assert.Equal([1, 2, 3], record.ProtectedDocumentKey);
        Assert.Equal([4, 5, 6], record.InitialisationVector);
        Assert.Equal([7, 8, 9], record.ProtectedSecretValue);
    }

    [Fact]
    public async Task File_saved_with_a_byte_order_mark_by_an_editor_still_reads()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("secrets.json");
        await File.WriteAllTextAsync(path, "{\"version\":1,\"secrets\":[{\"ApplicationName\":\"a\",\"Name\":\"b\",\"Format\":2,\"MasterKeyId\":\"k\",\"Envelope\":\"AQID\"}]}", new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        var record = await new FileSecretRepository(path).GetAsync(new SecretId("a", "b"));

        Assert.Equal([1, 2, 3], record!.Envelope);
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("[]")]
    [InlineData("{\"version\":1}")]
    [InlineData("{\"version\":9,\"secrets\":[]}")]
    [InlineData("{\"version\":1,\"secrets\":[{\"ApplicationName\":\"a\",\"Name\":\"b\",\"Format\":2,\"MasterKeyId\":\"k\",\"Envelope\":\"%%%\"}]}")]
    [InlineData("{\"version\":1,\"secrets\":[{\"ApplicationName\":\"a\",\"Name\":\"b\",\"Format\":3,\"MasterKeyId\":\"k\",\"Envelope\":\"AA==\"}]}")]
    [InlineData("{\"version\":1,\"secrets\":[{\"ApplicationName\":\"a\",\"Name\":\"b\",\"Format\":2,\"MasterKeyId\":\"k\",\"Envelope\":\"AA==\"},{\"ApplicationName\":\"a\",\"Name\":\"b\",\"Format\":2,\"MasterKeyId\":\"k\",\"Envelope\":\"AA==\"}]}")]
    [InlineData("{\"version\":1,\"secrets\":[{\"ApplicationName\":\"\",\"Name\":\"b\",\"Format\":2,\"MasterKeyId\":\"k\",\"Envelope\":\"AA==\"}]}")]
    [InlineData("{\"version\":1,\"secrets\":[{\"ApplicationName\":\"a\",\"Name\":\"\\ud800\",\"Format\":2,\"MasterKeyId\":\"k\",\"Envelope\":\"AA==\"}]}")]
    [InlineData("{\"version\":1,\"secrets\":[{\"ApplicationName\":\"a\",\"Name\":\"b\",\"MasterKeyId\":\"k\"}]}")]
    [InlineData("{\"version\":1,\"version\":1,\"secrets\":[]}")]
    public async Task Corrupt_file_is_SSB2004_and_is_never_overwritten(string content)
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("secrets.json");
        await File.WriteAllTextAsync(path, content);
        var repository = new FileSecretRepository(path);

        var read = await Assert.ThrowsAnyAsync<SecretStoreException>(() => repository.GetAsync(new SecretId("a", "b")));
        var write = await Assert.ThrowsAnyAsync<SecretStoreException>(() => repository.SaveAsync(V2("x", "y"), 0));

        Assert.Equal("SSB2004", read.Code.Id);
        Assert.Equal("SSB2004", write.Code.Id);
        Assert.Equal(content, await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task Invalid_json_names_the_file_and_line()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("secrets.json");
        await File.WriteAllTextAsync(path, "{\n  \"version\": 1,\n  \"secrets\": [ oops ]\n}");

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => new FileSecretRepository(path).GetAsync(new SecretId("a", "b")));

        Assert.Equal(path, ex.Diagnostics[0].FilePath);
        Assert.Equal(3, ex.Diagnostics[0].Line);
    }

    [Fact]
    public async Task Saves_deletes_and_refused_writes_leave_no_temp_file()
    {
        // Conditional saves and deletes as every store has them are FileRepositoryContractTests.
        using var temp = new TempDirectory();
        var repository = new FileSecretRepository(temp.Combine("secrets.json"));

        Assert.Equal(1, await repository.SaveAsync(V2("a", "b"), 0));
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => repository.SaveAsync(V2("a", "b"), 0));
        Assert.Equal(2, await repository.SaveAsync(V2("a", "b", 9), 1));
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => repository.DeleteAsync(new SecretId("a", "b"), 1));
        Assert.True(await repository.DeleteAsync(new SecretId("a", "b"), 2));
        Assert.Empty(Directory.EnumerateFiles(temp.Path, "*.tmp", SearchOption.AllDirectories).ToList());
    }

    [Fact]
    public async Task Mixed_format_record_is_refused()
    {
        using var temp = new TempDirectory();
        var repository = new FileSecretRepository(temp.Combine("secrets.json"));

        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => repository.SaveAsync(V2("a", "b") with { ProtectedSecretValue = [1] }, 0));

        Assert.Equal("SSB0001", ex.Code.Id);
    }

    [Fact]
    public async Task Concurrent_read_modify_write_on_threads_loses_no_update()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("secrets.json");
        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            var repository = new FileSecretRepository(path);
            await repository.SaveAsync(V2("app", $"n{i}"), 0);
        })));

        Assert.Equal(16, (await new FileSecretRepository(path).QueryByApplicationAsync("app")).Count);
    }

    [Fact]
    public async Task Two_processes_and_a_thread_incrementing_one_record_lose_no_update()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("secrets.json");
        var assembly = typeof(Program).Assembly.Location;
        var children = Enumerable.Range(0, 2)
            .Select(_ => Process.Start(new ProcessStartInfo("dotnet") { ArgumentList = { assembly, "increment", path, "25" }, RedirectStandardError = true })!)
            .ToList();

        await Program.IncrementAsync(new FileSecretRepository(path), 25);
        foreach (var child in children)
        {
            await child.WaitForExitAsync();
            Assert.True(child.ExitCode == 0, await child.StandardError.ReadToEndAsync());
            child.Dispose();
        }

        var counter = await new FileSecretRepository(path).GetAsync(Program.Counter);
        Assert.Equal(75, BitConverter.ToInt32(counter!.Envelope));
        Assert.Equal(75, counter.Revision);
    }

    [Fact]
    public async Task Writer_waits_for_the_lock_held_by_another_process()
    {
        // .NET takes flock(LOCK_EX) for FileShare.None on Unix, so a lock held by another process (here a
        // python3 child, which CI has for build/test.sh) must make the writer wait.
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var temp = new TempDirectory();
        var path = temp.Combine("secrets.json");
        var lockPath = path + ".lock";
        // The child holds the lock until its stdin closes: released by an event, not after a sleep.
        var script = "import fcntl,sys\nf=open(sys.argv[1],'a')\nfcntl.flock(f,fcntl.LOCK_EX)\nprint('locked',flush=True)\nsys.stdin.read()\n";
        using var child = Process.Start(new ProcessStartInfo("python3") { ArgumentList = { "-c", script, lockPath }, RedirectStandardOutput = true, RedirectStandardInput = true })!;
        Assert.Equal("locked", await child.StandardOutput.ReadLineAsync());
        var clock = new WaitingClock();

        var save = new FileSecretRepository(path, new FileSecretRepositoryOptions { TimeProvider = clock }).SaveAsync(V2("a", "b"), 0);
        await Task.WhenAny(clock.FirstWait, save);
        Assert.False(save.IsCompleted, "the writer did not wait for the lock");
        child.StandardInput.Close();
        await child.WaitForExitAsync();

        Assert.Equal(1, await clock.RunUntil(save));
    }

    [Fact]
    public async Task Writer_waits_for_the_lock_held_by_another_handle()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("secrets.json");
        var clock = new WaitingClock();
        var repository = new FileSecretRepository(path, new FileSecretRepositoryOptions { LockTimeout = TimeSpan.FromSeconds(10), TimeProvider = clock });
        var held = new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var save = repository.SaveAsync(V2("a", "b"), 0);

        // The writer found the lock taken and asked its clock for a retry pause: it is waiting, not done.
        await Task.WhenAny(clock.FirstWait, save);
        Assert.False(save.IsCompleted);
        await held.DisposeAsync();

        Assert.Equal(1, await clock.RunUntil(save));
    }

    [Fact]
    public async Task Lock_held_past_the_timeout_is_SSB2005()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("secrets.json");
        // The default 30 s timeout, passed on a fake clock: no test waits for it.
        var clock = new WaitingClock();
        var repository = new FileSecretRepository(path, new FileSecretRepositoryOptions { TimeProvider = clock });
        await using var held = new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

        var save = repository.SaveAsync(V2("a", "b"), 0);
        await Task.WhenAny(clock.FirstWait, save);
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.False(save.IsCompleted, "gave up before the lock timeout");
        var ex = await Assert.ThrowsAnyAsync<SecretStoreException>(() => clock.RunUntil(save));
        Assert.True(clock.GetUtcNow() - clock.Start >= TimeSpan.FromSeconds(30), $"gave up after {clock.GetUtcNow() - clock.Start}");

        Assert.Equal("SSB2005", ex.Code.Id);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task Save_keeps_an_existing_store_files_group_and_mode()
    {
        // Root here (as in CI containers); another user has no second group to test with, and the engine test
        // AtomicFileWriterMetadataTests covers the same writer with the user's own groups.
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            return;
        }

        using var temp = new TempDirectory();
        var path = temp.Combine("secrets.json");
        var repository = new FileSecretRepository(path);
        await repository.SaveAsync(V2("a", "b"), 0);
        const UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        File.SetUnixFileMode(path, mode);
        using (var chgrp = Process.Start("chgrp", ["daemon", path]))
        {
            await chgrp.WaitForExitAsync();
            Assert.Equal(0, chgrp.ExitCode);
        }

        await repository.SaveAsync(V2("a", "c"), 0);

        Assert.Equal(mode, File.GetUnixFileMode(path));
        Assert.Equal("daemon", GroupOf(path));
    }

    private static string GroupOf(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%G", path]) { RedirectStandardOutput = true })!;
        var group = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return group;
    }

    /// <summary>
    /// A fake clock that says when the code under test first asks it for a pause (the lock was taken and it is
    /// waiting), and can run the clock forward until a task ends.
    /// </summary>
    internal sealed class WaitingClock : Microsoft.Extensions.Time.Testing.FakeTimeProvider
    {
        private readonly TaskCompletionSource _firstWait = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task FirstWait => _firstWait.Task;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            _firstWait.TrySetResult();
            return timer;
        }

        /// <summary>Moves the clock in the retry loop's steps until <paramref name="task"/> ends (bounded, so a bug cannot spin forever).</summary>
        public async Task<T> RunUntil<T>(Task<T> task)
        {
            for (var step = 0; !task.IsCompleted && step < 100_000; step++)
            {
                Advance(TimeSpan.FromMilliseconds(25));
                await Task.Yield();
            }

            return await task;
        }
    }
}

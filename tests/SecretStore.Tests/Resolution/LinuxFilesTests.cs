using Microsoft.Win32.SafeHandles;
using SecretStore.IO;

namespace SecretStore.Tests.Resolution;

/// <summary>
/// The libc calls behind the atomic writer and the repository lock, pinned directly: exact errno values, exact
/// messages, the no-follow open, the lock, the exact mode of a new file and the handle reference counting.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LinuxFilesTests : IDisposable
{
    private const UnixFileMode Mode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Mode0666 = Mode0600 | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Stat_of_a_missing_file_throws_FileNotFoundException_naming_it()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var path = _folder.Combine("missing.env");
        var error = Assert.Throws<FileNotFoundException>(() => LinuxFiles.Stat(path));
        Assert.Equal($"'{path}' does not exist.", error.Message);
    }

    [Fact]
    public void Stat_through_a_regular_file_throws_IOException_with_the_errno()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var path = Path.Combine(_folder.Write("plain.txt", "x"), "below");
        var error = Assert.Throws<IOException>(() => LinuxFiles.LStat(path));
        Assert.IsType<IOException>(error);
        Assert.Equal($"'{path}' could not be examined (errno 20).", error.Message); // ENOTDIR
    }

    [Fact]
    public void Stat_of_an_invalid_descriptor_throws_IOException_naming_an_open_file_and_the_errno()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var handle = new SafeFileHandle(987654, ownsHandle: false);
        var error = Assert.Throws<IOException>(() => LinuxFiles.Stat(handle));
        Assert.IsType<IOException>(error);
        Assert.Equal("'(open file)' could not be examined (errno 9).", error.Message); // EBADF
    }

    [Fact]
    public void Stat_of_a_disposed_handle_throws_ObjectDisposedException()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var handle = File.OpenHandle(_folder.Write("app.env", "x"), FileMode.Open, FileAccess.Read);
        handle.Dispose();
        Assert.Throws<ObjectDisposedException>(() => LinuxFiles.Stat(handle));
    }

    [Fact]
    public void Two_filesystem_roots_with_the_same_inode_number_are_not_the_same_file()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // procfs and sysfs both number their root inode 1; only the device tells them apart.
        var proc = LinuxFiles.Stat("/proc");
        var sys = LinuxFiles.Stat("/sys");
        Assert.Equal(1ul, proc.Inode);
        Assert.Equal(1ul, sys.Inode);
        Assert.NotEqual(proc.Device, sys.Device);
        Assert.False(proc.IsSameFileAs(sys));
        Assert.True(proc.IsSameFileAs(LinuxFiles.Stat("/proc/.")));
    }

    [Fact]
    public void HasAccessAcl_is_false_without_an_acl_and_true_with_one()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var path = _folder.Write("app.env", "x");
        Assert.False(LinuxFiles.HasAccessAcl(path));
        if (!AtomicFileWriterMetadataTests.TrySetAcl(path))
        {
            return; // No POSIX ACLs on the temp filesystem.
        }

        Assert.True(LinuxFiles.HasAccessAcl(path));
    }

    [Fact]
    public void HasAccessAcl_of_a_missing_file_throws_with_the_errno()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var path = _folder.Combine("missing.env");
        var error = Assert.Throws<IOException>(() => LinuxFiles.HasAccessAcl(path));
        Assert.Equal($"The ACL of '{path}' could not be read (errno 2).", error.Message);
    }

    [Fact]
    public void ChangeOwner_as_root_changes_owner_and_group_of_the_handle_and_returns_zero()
    {
        if (!OperatingSystem.IsLinux() || LinuxFiles.EffectiveUserId != 0)
        {
            return;
        }

        var path = _folder.Write("app.env", "x");
        using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
        {
            Assert.Equal(0, LinuxFiles.ChangeOwner(handle, 12345, 23456));
        }

        var identity = LinuxFiles.Stat(path);
        Assert.Equal((12345u, 23456u), (identity.Owner, identity.Group));
    }

    [Fact]
    public void ChangeOwner_of_an_invalid_descriptor_returns_EBADF()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var handle = new SafeFileHandle(987654, ownsHandle: false);
        Assert.Equal(9, LinuxFiles.ChangeOwner(handle, uint.MaxValue, uint.MaxValue)); // EBADF
    }

    [Fact]
    public void ChangeOwner_of_a_disposed_handle_throws_ObjectDisposedException()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var handle = File.OpenHandle(_folder.Write("app.env", "x"), FileMode.Open, FileAccess.ReadWrite);
        handle.Dispose();
        Assert.Throws<ObjectDisposedException>(() => LinuxFiles.ChangeOwner(handle, uint.MaxValue, uint.MaxValue));
    }

    [Fact]
    public void ChangeOwner_releases_the_handle_so_disposing_it_closes_the_file_and_its_lock()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var path = _folder.Combine("repo.lock");
        var first = LinuxFiles.OpenNoFollowLocked(path, Mode0600, out _, out _);
        Assert.NotNull(first);
        Assert.Equal(0, LinuxFiles.ChangeOwner(first, uint.MaxValue, uint.MaxValue));
        first.Dispose();
        using var second = LinuxFiles.OpenNoFollowLocked(path, Mode0600, out var errno, out _);
        Assert.Equal(0, errno);
        Assert.NotNull(second);
    }

    [Fact]
    public void A_new_lock_file_is_created_with_exactly_the_mode_asked_for_whatever_the_umask()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var path = _folder.Combine("repo.lock");
        using var handle = LinuxFiles.OpenNoFollowLocked(path, Mode0666, out var errno, out var created);
        Assert.NotNull(handle);
        Assert.Equal(0, errno);
        Assert.True(created);
        Assert.Equal(Mode0666, File.GetUnixFileMode(path));
        Assert.Equal(1, DescriptorsOf(path));
    }

    [Fact]
    public void An_existing_lock_file_is_opened_for_writing_without_changing_its_mode()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var path = _folder.Write("repo.lock", "");
        File.SetUnixFileMode(path, Mode0600);
        using (var handle = LinuxFiles.OpenNoFollowLocked(path, Mode0666, out var errno, out var created))
        {
            Assert.NotNull(handle);
            Assert.Equal(0, errno);
            Assert.False(created);
            RandomAccess.Write(handle, "held"u8, 0);
        }

        Assert.Equal(Mode0600, File.GetUnixFileMode(path));
        Assert.Equal("held", _folder.Read("repo.lock"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_symbolic_link_at_the_lock_path_is_refused_with_ELOOP(bool dangling)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var target = dangling ? _folder.Combine("nowhere") : _folder.Write("real.lock", "real");
        var path = _folder.Combine("repo.lock");
        File.CreateSymbolicLink(path, target);
        var (handle, errno) = await Task.Run(() => (LinuxFiles.OpenNoFollowLocked(path, Mode0600, out var e, out _), e))
            .WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Null(handle);
        Assert.Equal(LinuxFiles.ELoop, errno);
        Assert.Equal(dangling, !File.Exists(target));
    }

    [Fact]
    public void A_lock_held_elsewhere_is_refused_with_EAGAIN_and_the_second_descriptor_is_closed()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var path = _folder.Combine("repo.lock");
        using var holder = LinuxFiles.OpenNoFollowLocked(path, Mode0600, out _, out _);
        Assert.NotNull(holder);
        var second = LinuxFiles.OpenNoFollowLocked(path, Mode0600, out var errno, out var created);
        Assert.Null(second);
        Assert.Equal(LinuxFiles.EAgain, errno);
        Assert.False(created);
        Assert.Equal(1, DescriptorsOf(path));
    }

    /// <summary>How many descriptors of this process refer to <paramref name="path"/> (each test uses its own folder).</summary>
    private static int DescriptorsOf(string path)
    {
        var count = 0;
        foreach (var fd in Directory.GetFiles("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget == path)
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // Closed meanwhile by another test.
            }
        }

        return count;
    }
}

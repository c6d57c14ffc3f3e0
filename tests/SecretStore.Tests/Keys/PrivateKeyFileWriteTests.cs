using System.Runtime.InteropServices;
using System.Text;
using SecretStore.Diagnostics;
using SecretStore.IO;
using SecretStore.Keys.Rsa;
using SecretStore.Tests.Resolution;

namespace SecretStore.Tests.Keys;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class UmaskCollection
{
    /// <summary>The umask is the process's: tests that change it run alone, after every parallel test.</summary>
    public const string Name = "Process umask (alone)";
}

/// <summary>
/// Private key files go through the engine's one atomic writer with <see cref="AtomicFileMode.OwnerOnly"/>: the temp
/// is never readable by anyone but the owner, whatever the umask, and the file ends 600 exactly.
/// </summary>
[Collection(UmaskCollection.Name)]
public sealed class PrivateKeyFileWriteTests : IDisposable
{
    private const UnixFileMode Mode600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Mode644 = Mode600 | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private static readonly AtomicWriteOptions PrivateKey = new(Durable: true, AtomicFileMode.OwnerOnly);

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(0b000_000_000)]
    [InlineData(0b010_111_111)] // 277: takes the owner's write bit away from the create mode: the final mode is set, not inherited.
    public void Replace_private_ends_600_over_a_644_file_whatever_the_umask(int mask)
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // The umask is a Unix notion; the libc call below is Linux's.
        }

        var path = _folder.Combine("key.private.pem");
        File.WriteAllText(path, "old");
        File.SetUnixFileMode(path, Mode644);

        WithUmask(mask, () => KeyFiles.ReplacePrivate(path, "new key"));

        Assert.Equal("new key", File.ReadAllText(path));
        Assert.Equal(Mode600, File.GetUnixFileMode(path));
        Assert.Equal(["key.private.pem"], Directory.EnumerateFileSystemEntries(_folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")] // The lambdas read modes; the analyzer does not see the guard in them.
    public void An_owner_only_temp_is_600_from_its_creation_to_after_the_rename_under_umask_000()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var path = _folder.Combine("key.private.pem");
        File.WriteAllText(path, "old");
        File.SetUnixFileMode(path, Mode644);
        UnixFileMode? created = null, beforeRename = null, afterRename = null;

        WithUmask(0b000_000_000, () =>
        {
            var pending = AtomicFileWriter.WriteTemp(path, "new key"u8, PrivateKey);
            try
            {
                created = File.GetUnixFileMode(pending.Path);
                AtomicFileWriter.Commit(
                    pending,
                    path,
                    afterRename: () => afterRename = File.GetUnixFileMode(path),
                    beforeRename: () => beforeRename = File.GetUnixFileMode(pending.Path));
            }
            finally
            {
                AtomicFileWriter.Discard(pending);
            }
        });

        Assert.Equal((Mode600, Mode600, Mode600), (created, beforeRename, afterRename));
        Assert.Equal(Mode600, File.GetUnixFileMode(path));
        Assert.Equal("new key", File.ReadAllText(path));
    }

    [Fact]
    public void Replace_private_over_a_folder_fails_with_SSB3007_and_leaves_no_temporary_file()
    {
        var path = _folder.Combine("key.private.pem");
        Directory.CreateDirectory(path);

        var ex = Assert.Throws<SecretStoreException>(() => KeyFiles.ReplacePrivate(path, "new key"));

        Assert.Equal("SSB3007", ex.Code.Id);
        Assert.Equal($"SSB3007: '{path}' could not be written: {ex.InnerException!.GetType().Name}.", ex.Message);
        Assert.Equal(["key.private.pem"], Directory.EnumerateFileSystemEntries(_folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Replace_private_drops_an_acl_that_let_another_user_read_the_key_instead_of_refusing()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var path = _folder.Combine("key.private.pem");
        File.WriteAllText(path, "old");
        File.SetUnixFileMode(path, Mode600);
        if (!AtomicFileWriterMetadataTests.TrySetAcl(path))
        {
            return; // The temp folder's file system has no POSIX ACLs.
        }

        KeyFiles.ReplacePrivate(path, "new key");

        Assert.False(LinuxFiles.HasAccessAcl(path));
        Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(path) & GroupOrOther);
        Assert.Equal("new key", File.ReadAllText(path));
    }

    [Fact]
    public void A_failed_owner_only_commit_leaves_the_old_file_and_no_temporary_file()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // The rename seam is the Unix path's.
        }

        var path = _folder.Combine("key.private.pem");
        File.WriteAllText(path, "old");
        var pending = AtomicFileWriter.WriteTemp(path, Encoding.UTF8.GetBytes("new key"), PrivateKey);

        Assert.Throws<IOException>(() => AtomicFileWriter.Commit(pending, path, beforeRename: () => throw new IOException("disk gone")));
        AtomicFileWriter.Discard(pending);

        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["key.private.pem"], Directory.EnumerateFileSystemEntries(_folder.Path).Select(Path.GetFileName));
    }

    private static void WithUmask(int mask, Action action)
    {
        var previous = umask((uint)mask);
        try
        {
            action();
        }
        finally
        {
            umask(previous);
        }
    }

#pragma warning disable SYSLIB1054
    [DllImport("libc")]
    private static extern uint umask(uint mask);
#pragma warning restore SYSLIB1054
}

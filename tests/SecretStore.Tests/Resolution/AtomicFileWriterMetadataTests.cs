using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using SecretStore.Diagnostics;
using SecretStore.IO;

namespace SecretStore.Tests.Resolution;

/// <summary>
/// Issue 23 section 4: a file replaced on a shared build agent keeps its mode, group and (if it cannot be kept)
/// refuses the write; nothing is changed by path after the rename.
/// </summary>
public sealed class AtomicFileWriterMetadataTests : IDisposable
{
    private const UnixFileMode Mode0640 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
    private const UnixFileMode Mode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Mode0644 = Mode0640 | UnixFileMode.OtherRead;

    private static readonly AtomicWriteOptions KeepTarget = new(Durable: false, AtomicFileMode.KeepTarget);

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(Mode0640)]
    [InlineData(Mode0600)]
    [InlineData(Mode0644 | UnixFileMode.GroupWrite)]
    public async Task Replacing_a_file_keeps_its_exact_mode(UnixFileMode mode)
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // The handle-based metadata copy is Linux's; Windows keeps File.Replace.
        }

        var target = _folder.Write("app.env", "old");
        File.SetUnixFileMode(target, mode);
        await ReplaceAsync(target, "new");
        Assert.Equal("new", _folder.Read("app.env"));
        Assert.Equal(mode, File.GetUnixFileMode(target));
    }

    [Fact]
    public async Task Replacing_a_file_keeps_its_group()
    {
        if (!OperatingSystem.IsLinux() || OtherGroup() is not { } group)
        {
            return; // Needs root, or a supplementary group of the test user other than its primary group.
        }

        var target = _folder.Write("app.env", "old");
        File.SetUnixFileMode(target, Mode0640);
        Run("chgrp", group, target);
        var before = LinuxFiles.Stat(target);
        await ReplaceAsync(target, "new");
        var after = LinuxFiles.Stat(target);
        Assert.Equal(before.Group, after.Group);
        Assert.Equal(before.Owner, after.Owner);
        Assert.Equal(Mode0640, after.Mode);
    }

    [Fact]
    public async Task A_link_swapped_in_at_the_target_after_the_rename_does_not_get_the_targets_mode()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // A private key elsewhere, 0600; the resolved file is 0644. An attacker who can write the folder swaps the
        // freshly renamed target for a link to the key: nothing may be done by path after the rename.
        var key = _folder.Write("elsewhere/key.pem", "private");
        File.SetUnixFileMode(key, Mode0600);
        var target = _folder.Write("site/app.env", "old");
        File.SetUnixFileMode(target, Mode0644);
        var temp = await AtomicFileWriter.WriteTempAsync(target, Encoding.UTF8.GetBytes("new"), KeepTarget, CancellationToken.None);
        AtomicFileWriter.Commit(temp, target, afterRename: () =>
        {
            File.Move(target, target + ".moved");
            File.CreateSymbolicLink(target, key);
        });

        Assert.Equal(Mode0600, File.GetUnixFileMode(key));
        Assert.Equal("new", File.ReadAllText(target + ".moved"));
        Assert.Equal(Mode0644, File.GetUnixFileMode(target + ".moved"));
    }

    [Fact]
    public async Task The_temp_is_still_owner_only_at_the_rename_so_a_kill_there_leaves_no_readable_copy()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // Found by the CLI kill test: the mode used to be set before the rename, so a SIGKILL between the two left a
        // 0644 temp holding resolved values. Now the rename comes first and the target's mode follows on the handle.
        var target = _folder.Write("site/app.env", "old");
        File.SetUnixFileMode(target, Mode0644);
        var temp = await AtomicFileWriter.WriteTempAsync(target, Encoding.UTF8.GetBytes("new"), KeepTarget, CancellationToken.None);
        UnixFileMode? atRename = null;
        AtomicFileWriter.Commit(temp, target, beforeRename: () => atRename = OperatingSystem.IsLinux() ? File.GetUnixFileMode(temp.Path) : null);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, atRename);
        Assert.Equal(Mode0644, File.GetUnixFileMode(target));
        Assert.Equal("new", File.ReadAllText(target));
    }

    [Fact]
    public async Task The_renamed_file_is_not_locked_against_readers_while_its_mode_is_set()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // The handle stays open across the rename; its exclusive flock is released first, so a .NET reader of the
        // renamed file (which takes a shared flock) is not refused in that instant.
        var target = _folder.Write("app.env", "old");
        var temp = await AtomicFileWriter.WriteTempAsync(target, Encoding.UTF8.GetBytes("new"), KeepTarget, CancellationToken.None);
        string? read = null;
        AtomicFileWriter.Commit(temp, target, afterRename: () => read = File.ReadAllText(target));
        Assert.Equal("new", read);
    }

    [Fact]
    public async Task The_temp_is_written_beside_its_target()
    {
        var target = _folder.Write("site/app.env", "old");
        var temp = await AtomicFileWriter.WriteTempAsync(target, Encoding.UTF8.GetBytes("new"), KeepTarget, CancellationToken.None);
        try
        {
            Assert.Equal(Path.GetDirectoryName(target), Path.GetDirectoryName(temp.Path));
            Assert.StartsWith(".app.env.", Path.GetFileName(temp.Path), StringComparison.Ordinal);
            Assert.Equal(3, new FileInfo(temp.Path).Length);
        }
        finally
        {
            AtomicFileWriter.Discard(temp);
        }
    }

    [Fact]
    public async Task A_committed_temp_is_marked_committed_so_discarding_it_after_leaves_the_target()
    {
        var target = _folder.Write("app.env", "old");
        var temp = await AtomicFileWriter.WriteTempAsync(target, Encoding.UTF8.GetBytes("new"), KeepTarget, CancellationToken.None);
        Assert.False(temp.Committed);
        AtomicFileWriter.Commit(temp, target);
        Assert.True(temp.Committed);
        AtomicFileWriter.Discard(temp);
        Assert.Equal("new", _folder.Read("app.env"));
        Assert.Single(Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public async Task Discarding_a_temp_closes_its_handle_and_removes_it()
    {
        var target = _folder.Write("app.env", "old");
        var temp = await AtomicFileWriter.WriteTempAsync(target, Encoding.UTF8.GetBytes("new"), KeepTarget, CancellationToken.None);
        var handle = temp.Handle;
        AtomicFileWriter.Discard(temp);
        Assert.True(handle.IsClosed);
        Assert.False(File.Exists(temp.Path));
        Assert.Equal("old", _folder.Read("app.env"));
    }

    [Fact]
    public void Commit_and_Discard_of_a_null_pending_file_throw_ArgumentNullException_naming_it()
    {
        Assert.Equal("pending", Assert.Throws<ArgumentNullException>(() => AtomicFileWriter.Commit(null!, _folder.Combine("app.env"))).ParamName);
        Assert.Equal("pending", Assert.Throws<ArgumentNullException>(() => AtomicFileWriter.Discard(null!)).ParamName);
        Assert.Empty(Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public async Task A_target_with_a_posix_acl_is_refused_with_SSB1020_naming_it_and_left_untouched()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var target = _folder.Write("app.env", "old");
        File.SetUnixFileMode(target, Mode0640);
        if (!TrySetAcl(target))
        {
            return; // The filesystem of the temp folder has no POSIX ACLs: nothing to keep, nothing to test.
        }

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => ReplaceAsync(target, "new"));
        Assert.Equal("SSB1020", error.Code.Id);
        Assert.Contains(target, error.Message, StringComparison.Ordinal);
        Assert.Equal("old", _folder.Read("app.env"));
        Assert.Single(Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public async Task Replacing_a_file_of_another_owner_as_root_keeps_its_owner_and_group()
    {
        if (!OperatingSystem.IsLinux() || LinuxFiles.EffectiveUserId != 0)
        {
            return; // Only root can give the replacement another owner.
        }

        var target = _folder.Write("app.env", "old");
        File.SetUnixFileMode(target, Mode0640);
        Run("chown", "12345", target);
        var before = LinuxFiles.Stat(target);
        await ReplaceAsync(target, "new");
        var after = LinuxFiles.Stat(target);
        Assert.Equal((12345u, before.Group, Mode0640), (after.Owner, after.Group, after.Mode));
        Assert.Equal("new", _folder.Read("app.env"));
    }

    [Fact]
    public async Task A_new_file_is_644_whatever_the_create_mode_filter()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var target = _folder.Combine("report.json");
        await ReplaceAsync(target, "{}");
        Assert.Equal(Mode0644, File.GetUnixFileMode(target));
    }

    private static async Task ReplaceAsync(string target, string content)
    {
        var temp = await AtomicFileWriter.WriteTempAsync(target, Encoding.UTF8.GetBytes(content), KeepTarget, CancellationToken.None);
        AtomicFileWriter.Commit(temp, target);
    }

    /// <summary>A group the test user may give a file, other than its primary group; null when there is none.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static string? OtherGroup()
    {
        if (LinuxFiles.EffectiveUserId == 0)
        {
            return "daemon";
        }

        var primary = Run("id", "-g").Trim();
        return Run("id", "-G").Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(g => g != primary);
    }

    private static string Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} failed");
        return output;
    }

    /// <summary>Writes an access ACL (user:1:r beside the mode bits) with setxattr, as setfacl would.</summary>
    internal static bool TrySetAcl(string path)
    {
        var acl = new List<byte>(BitConverter.GetBytes(2u));
        void Entry(ushort tag, ushort perm, uint id)
        {
            acl.AddRange(BitConverter.GetBytes(tag));
            acl.AddRange(BitConverter.GetBytes(perm));
            acl.AddRange(BitConverter.GetBytes(id));
        }

        Entry(0x01, 6, uint.MaxValue); // ACL_USER_OBJ rw-
        Entry(0x02, 4, 1); // ACL_USER daemon r--
        Entry(0x04, 4, uint.MaxValue); // ACL_GROUP_OBJ r--
        Entry(0x10, 4, uint.MaxValue); // ACL_MASK r--
        Entry(0x20, 0, uint.MaxValue); // ACL_OTHER ---
        var value = acl.ToArray();
        return setxattr(Encoding.UTF8.GetBytes(path + "\0"), Encoding.UTF8.GetBytes("system.posix_acl_access\0"), value, (nuint)value.Length, 0) == 0;
    }

#pragma warning disable SYSLIB1054
    [DllImport("libc", SetLastError = true)]
    private static extern int setxattr(byte[] path, byte[] name, byte[] value, nuint size, int flags);
#pragma warning restore SYSLIB1054
}

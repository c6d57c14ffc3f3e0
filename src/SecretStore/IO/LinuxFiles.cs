using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace SecretStore.IO;

/// <summary>
/// The few libc calls .NET does not expose and a shared build agent needs: a file's owner and group, its POSIX ACL,
/// changing the group of an open handle, and opening a file without following a link. Linux only (the layouts and
/// flag values below are Linux's, identical on x64 and arm64 except <c>O_NOFOLLOW</c>); callers check
/// <see cref="IsSupported"/> first.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class LinuxFiles
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;
    private const int StatxSize = 256;

    private const int ORdWr = 0x2;
    private const int OCreat = 0x40;
    private const int OExcl = 0x80;
    private const int OAppend = 0x400;
    private const int ONonBlock = 0x800;
    private const int OCloExec = 0x80000;

    private const int LockEx = 2;
    private const int LockNb = 4;
    private const int LockUn = 8;

    /// <summary>errno values (Linux, every architecture .NET runs on).</summary>
    internal const int EPerm = 1, ENoEnt = 2, EIntr = 4, EAgain = 11, EExist = 17, ELoop = 40, ENoData = 61, ENotSup = 95;

    private const uint SIfMt = 0xF000;
    private const uint SIfReg = 0x8000;

    /// <summary>True where these calls exist with the layouts used here.</summary>
    [SupportedOSPlatformGuard("linux")]
    public static bool IsSupported => OperatingSystem.IsLinux();

    // O_NOFOLLOW is 0x20000 on x86/x64 and 0x8000 on the arm architectures (asm-generic vs. arch headers).
    private static int ONoFollow => RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 ? 0x8000 : 0x20000;

    /// <summary>The effective user id of this process.</summary>
    public static uint EffectiveUserId => geteuid();

    /// <summary>Owner, group, mode bits and file type of the file at <paramref name="path"/> (links followed).</summary>
    public static FileIdentity Stat(string path) => Statx(AtFdCwd, Utf8(path), 0, path);

    /// <summary>Like <see cref="Stat(string)"/>, but a link is described itself, not followed.</summary>
    public static FileIdentity LStat(string path) => Statx(AtFdCwd, Utf8(path), AtSymlinkNoFollow, path);

    /// <summary>Owner, group, mode bits and file type of an open handle.</summary>
    public static FileIdentity Stat(SafeFileHandle handle)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            return Statx((int)handle.DangerousGetHandle(), [0], AtEmptyPath, "(open file)");
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// True when the file at <paramref name="path"/> carries a POSIX access ACL (extra entries beyond the mode bits,
    /// which a rename onto a new inode would lose); false when it has none or the filesystem has no ACLs.
    /// </summary>
    public static bool HasAccessAcl(string path)
    {
        var size = getxattr(Utf8(path), Utf8("system.posix_acl_access"), IntPtr.Zero, 0);
        if (size >= 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno is ENoData or ENotSup
            ? false
            : throw new IOException($"The ACL of '{path}' could not be read (errno {errno}).");
    }

    /// <summary>Changes the owner and/or group of an open handle (<see cref="uint.MaxValue"/>: leave as is); returns errno or 0.</summary>
    public static int ChangeOwner(SafeFileHandle handle, uint owner, uint group)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            return fchown((int)handle.DangerousGetHandle(), owner, group) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>Releases the <c>flock</c> an open handle holds (a no-op when it holds none); the handle stays open.</summary>
    public static void Unlock(SafeFileHandle handle)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            if (flock((int)handle.DangerousGetHandle(), LockUn) != 0)
            {
                throw new IOException($"The lock of a temp file could not be released (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Opens (and if need be creates, mode <paramref name="newFileMode"/> less the umask) a file for reading and
    /// appending (<c>O_APPEND</c>: every write lands at the end, also with another writer) without following a symbolic
    /// link in its last component and without blocking on a FIFO. Returns the handle, or null with
    /// <paramref name="errno"/> set (<see cref="ELoop"/> for a link); the caller checks what it opened.
    /// </summary>
    public static SafeFileHandle? OpenForAppend(string path, UnixFileMode newFileMode, out int errno, out bool created)
    {
        var fd = OpenOrCreate(Utf8(path), ORdWr | OAppend, newFileMode, out errno, out created);
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>
    /// The one create-or-open loop: <c>O_EXCL</c> first (so the caller knows whether this call created the file), then a
    /// plain open of the existing file, again when it vanished in between; never following a link in the last component
    /// (<c>O_NOFOLLOW</c>) nor blocking on a FIFO (<c>O_NONBLOCK</c>). Returns the descriptor, or -1 with <paramref name="errno"/>.
    /// </summary>
    private static int OpenOrCreate(byte[] native, int access, UnixFileMode newFileMode, out int errno, out bool created)
    {
        while (true)
        {
            created = true;
            var fd = open(native, access | OCreat | OExcl | ONoFollow | OCloExec | ONonBlock, (uint)newFileMode);
            if (fd < 0 && Marshal.GetLastPInvokeError() == EExist)
            {
                created = false;
                fd = open(native, access | ONoFollow | OCloExec | ONonBlock, 0);
                if (fd < 0 && Marshal.GetLastPInvokeError() == ENoEnt)
                {
                    continue; // Removed between the two opens: try to create it again.
                }
            }

            errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
            return fd;
        }
    }

    /// <summary>
    /// Opens (and if need be creates, mode exactly <paramref name="newFileMode"/> whatever the umask) a file for
    /// reading and writing without following a symbolic link in its last component, and takes a non-blocking
    /// exclusive <c>flock</c> on it. Returns the handle, or null with <paramref name="errno"/> set: <see cref="ELoop"/>
    /// for a link (dangling or not), <see cref="EAgain"/> when another holder has the lock.
    /// </summary>
    public static SafeFileHandle? OpenNoFollowLocked(string path, UnixFileMode newFileMode, out int errno, out bool created)
    {
        // O_EXCL first, so that only a file this call created gets the exact-mode fix-up; O_NONBLOCK so that a FIFO
        // planted at the path cannot hang the open (it is then refused as not a regular file).
        var fd = OpenOrCreate(Utf8(path), ORdWr, newFileMode, out errno, out created);
        if (fd < 0)
        {
            return null;
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (flock(fd, LockEx | LockNb) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            handle.Dispose();
            return null;
        }

        if (created)
        {
            // The create mode was filtered by the umask; a new lock gets exactly the mode asked for.
            File.SetUnixFileMode(handle, newFileMode);
        }

        return handle;
    }

    private static FileIdentity Statx(int dirFd, byte[] path, int flags, string name)
    {
        var buffer = new byte[StatxSize];
        if (statx(dirFd, path, flags, StatxBasicStats, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno == ENoEnt
                ? new FileNotFoundException($"'{name}' does not exist.")
                : new IOException($"'{name}' could not be examined (errno {errno}).");
        }

        // struct statx: stx_nlink at 16, stx_uid at 20, stx_gid at 24, stx_mode (u16) at 28, stx_ino at 32, stx_dev_major/minor at 136/140.
        var span = buffer.AsSpan();
        var mode = BinaryPrimitives.ReadUInt16LittleEndian(span[28..]);
        return new FileIdentity(
            BinaryPrimitives.ReadUInt32LittleEndian(span[20..]),
            BinaryPrimitives.ReadUInt32LittleEndian(span[24..]),
            (UnixFileMode)(mode & 0xFFF),
            (mode & SIfMt) == SIfReg,
            (mode & SIfMt) == 0xA000,
            BinaryPrimitives.ReadUInt64LittleEndian(span[32..]),
            ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(span[136..]) << 32) | BinaryPrimitives.ReadUInt32LittleEndian(span[140..]),
            BinaryPrimitives.ReadUInt32LittleEndian(span[16..]));
    }

    private static byte[] Utf8(string text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }

#pragma warning disable SYSLIB1054 // DllImport keeps the engine free of unsafe code; every argument here is blittable.
    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, byte[] pathname, int flags, uint mask, byte[] statxbuf);

    [DllImport("libc", SetLastError = true)]
    private static extern nint getxattr(byte[] path, byte[] name, IntPtr value, nuint size);

    [DllImport("libc", SetLastError = true)]
    private static extern int fchown(int fd, uint owner, uint group);

    [DllImport("libc")]
    private static extern uint geteuid();

    [DllImport("libc", SetLastError = true)]
    private static extern int open(byte[] pathname, int flags, uint mode);

    [DllImport("libc", SetLastError = true)]
    private static extern int flock(int fd, int operation);
#pragma warning restore SYSLIB1054
}

/// <summary>What <see cref="LinuxFiles"/> reads of a file: owner, group, permission bits, type, inode, device and link count.</summary>
internal readonly record struct FileIdentity(uint Owner, uint Group, UnixFileMode Mode, bool IsRegularFile, bool IsSymbolicLink, ulong Inode, ulong Device, uint LinkCount = 1)
{
    /// <summary>True when both name the same file (the same inode on the same device: a hard link, or a path through links).</summary>
    public bool IsSameFileAs(FileIdentity other) => Inode == other.Inode && Device == other.Device;
}

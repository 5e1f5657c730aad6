using System.Runtime.InteropServices;
using System.Text;

namespace Ssi.Agent.Native.Fuse;

/// <summary>
/// Descriptor-relative file system calls for a FUSE server. Every call names a file by a directory
/// descriptor and one path component (or an O_PATH descriptor and AT_EMPTY_PATH), never by a path
/// string, so a request cannot reach outside the export. Results are &gt;= 0, or -errno.
/// </summary>
public static class Posix
{
    public const int O_PATH = 0x200000;
    public const int O_NOFOLLOW = 0x20000;
    public const int O_DIRECTORY = 0x10000;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int AT_EMPTY_PATH = 0x1000;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_REMOVEDIR = 0x200;
    public const int AT_STATX_SYNC_AS_STAT = 0;
    public const uint STATX_BASIC_STATS = 0x7ff;
    public const int AT_FDCWD = -100;

    private static readonly byte[] Empty = [0];

    private static int Result(long value) => value >= 0 ? (int)value : -Marshal.GetLastPInvokeError();

    /// <summary>A NUL-terminated UTF-8 copy of a name.</summary>
    public static byte[] Z(string name)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(name) + 1];
        Encoding.UTF8.GetBytes(name, bytes);
        return bytes;
    }

    /// <summary>A NUL-terminated copy of raw name bytes.</summary>
    public static byte[] Z(ReadOnlySpan<byte> name)
    {
        var bytes = new byte[name.Length + 1];
        name.CopyTo(bytes);
        return bytes;
    }

    public static int OpenAt(int dirfd, byte[] name, int flags, int mode = 0) =>
        Result(LibC.openat(dirfd, ref name[0], flags | LibC.O_CLOEXEC, mode));

    /// <summary>Opens the file an O_PATH descriptor refers to, for I/O (through /proc/self/fd, as the kernel allows).</summary>
    public static int Reopen(int pathFd, int flags) =>
        OpenAt(AT_FDCWD, Z($"/proc/self/fd/{pathFd}"), flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW));

    public static int Stat(int fd, out StatxResult result)
    {
        Span<byte> buffer = stackalloc byte[StatxResult.BufferSize];
        var rc = Result(LibC.statx(fd, ref Empty[0], AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, ref buffer[0]));
        result = rc == 0 ? StatxResult.Parse(buffer) : default;
        return rc;
    }

    /// <summary>
    /// The file handle of the file behind a descriptor (name_to_handle_at): struct file_handle, its
    /// 8-byte header and the filesystem's bytes, which name the file for as long as it exists.
    /// </summary>
    public static int FileHandle(int fd, out byte[] handle)
    {
        const int MaxHandleSize = 128;
        Span<byte> buffer = stackalloc byte[8 + MaxHandleSize];
        buffer.Clear();
        BitConverter.TryWriteBytes(buffer, MaxHandleSize);
        var rc = Result(LibC.name_to_handle_at(fd, ref Empty[0], ref buffer[0], out _, AT_EMPTY_PATH));
        handle = rc == 0 ? buffer[..(8 + BitConverter.ToInt32(buffer))].ToArray() : [];
        return rc;
    }

    /// <summary>Opens a file by a handle from <see cref="FileHandle"/> (open_by_handle_at; needs CAP_DAC_READ_SEARCH), on the filesystem of <paramref name="mountFd"/>.</summary>
    public static int OpenByHandle(int mountFd, byte[] handle, int flags) =>
        Result(LibC.open_by_handle_at(mountFd, ref handle[0], flags | LibC.O_CLOEXEC));

    public static int StatAt(int dirfd, byte[] name, out StatxResult result)
    {
        Span<byte> buffer = stackalloc byte[StatxResult.BufferSize];
        var rc = Result(LibC.statx(dirfd, ref name[0], AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, ref buffer[0]));
        result = rc == 0 ? StatxResult.Parse(buffer) : default;
        return rc;
    }

    public static int MkdirAt(int dirfd, byte[] name, int mode) => Result(LibC.mkdirat(dirfd, ref name[0], mode));

    public static int MknodAt(int dirfd, byte[] name, int mode, ulong dev) => Result(LibC.mknodat(dirfd, ref name[0], mode, dev));

    public static int UnlinkAt(int dirfd, byte[] name, bool directory) => Result(LibC.unlinkat(dirfd, ref name[0], directory ? AT_REMOVEDIR : 0));

    public static int SymlinkAt(byte[] target, int dirfd, byte[] name) => Result(LibC.symlinkat(ref target[0], dirfd, ref name[0]));

    public static int ReadlinkFd(int pathFd, Span<byte> buffer) =>
        Result(LibC.readlinkat(pathFd, ref Empty[0], ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length));

    /// <summary>A new name for the file behind an O_PATH descriptor (linkat with AT_EMPTY_PATH).</summary>
    public static int LinkFd(int pathFd, int newDirfd, byte[] newName) =>
        Result(LibC.linkat(pathFd, ref Empty[0], newDirfd, ref newName[0], AT_EMPTY_PATH));

    public static int RenameAt(int oldDirfd, byte[] oldName, int newDirfd, byte[] newName, uint flags) =>
        Result(LibC.renameat2(oldDirfd, ref oldName[0], newDirfd, ref newName[0], flags));

    public static int ChmodFd(int pathFd, int mode)
    {
        var proc = Z($"/proc/self/fd/{pathFd}");
        return Result(LibC.fchmodat(AT_FDCWD, ref proc[0], mode, 0));
    }

    public static int ChownFd(int pathFd, uint uid, uint gid) =>
        Result(LibC.fchownat(pathFd, ref Empty[0], uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW));

    /// <summary>utimensat on an O_PATH descriptor; nanoseconds UTIME_NOW (0x3fffffff) or UTIME_OMIT (0x3ffffffe) as usual.</summary>
    public static int SetTimesFd(int pathFd, long atime, long atimeNs, long mtime, long mtimeNs)
    {
        Span<long> times = [atime, atimeNs, mtime, mtimeNs];
        return Result(LibC.utimensat(pathFd, ref Empty[0], ref times[0], AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW));
    }

    public static int Truncate(int fd, long length) => Result(LibC.ftruncate(fd, length));

    public static int PRead(int fd, Span<byte> buffer, long offset) =>
        Result(LibC.pread(fd, ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length, offset));

    public static int PWrite(int fd, ReadOnlySpan<byte> data, long offset) =>
        Result(LibC.pwrite(fd, ref MemoryMarshal.GetReference(data), (nuint)data.Length, offset));

    public static int Fsync(int fd, bool dataOnly) => Result(dataOnly ? LibC.fdatasync(fd) : LibC.fsync(fd));

    public static int Fallocate(int fd, int mode, long offset, long length) => Result(LibC.fallocate(fd, mode, offset, length));

    public static long Lseek(int fd, long offset, int whence)
    {
        var r = LibC.lseek(fd, offset, whence);
        return r >= 0 ? r : -Marshal.GetLastPInvokeError();
    }

    public static int Statfs(int fd, Span<byte> buffer) => Result(LibC.fstatfs(fd, ref MemoryMarshal.GetReference(buffer)));

    public static int Flock(int fd, int operation) => Result(LibC.flock(fd, operation));

    public static int GetDents(int fd, Span<byte> buffer) =>
        Result(LibC.getdents64(fd, ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length));

    public static int Close(int fd) => Result(LibC.close(fd));

    /// <summary>getxattr on the file behind an O_PATH descriptor (not for symlinks: the magic link would be followed).</summary>
    public static int GetXattrFd(int pathFd, byte[] name, Span<byte> value)
    {
        var proc = Z($"/proc/self/fd/{pathFd}");
        Span<byte> none = stackalloc byte[1];
        var target = value.IsEmpty ? none : value;
        return Result(LibC.getxattr(ref proc[0], ref name[0], ref MemoryMarshal.GetReference(target), (nuint)value.Length));
    }

    public static int SetXattrFd(int pathFd, byte[] name, ReadOnlySpan<byte> value, int flags)
    {
        var proc = Z($"/proc/self/fd/{pathFd}");
        Span<byte> none = stackalloc byte[1];
        var source = value.IsEmpty ? none : MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(value), value.Length);
        return Result(LibC.setxattr(ref proc[0], ref name[0], ref MemoryMarshal.GetReference(source), (nuint)value.Length, flags));
    }

    public static int ListXattrFd(int pathFd, Span<byte> list)
    {
        var proc = Z($"/proc/self/fd/{pathFd}");
        Span<byte> none = stackalloc byte[1];
        var target = list.IsEmpty ? none : list;
        return Result(LibC.listxattr(ref proc[0], ref MemoryMarshal.GetReference(target), (nuint)list.Length));
    }

    public static int RemoveXattrFd(int pathFd, byte[] name)
    {
        var proc = Z($"/proc/self/fd/{pathFd}");
        return Result(LibC.removexattr(ref proc[0], ref name[0]));
    }
}

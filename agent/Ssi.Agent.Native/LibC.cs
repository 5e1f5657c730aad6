using System.Runtime.InteropServices;

namespace Ssi.Agent.Native;

/// <summary>Raw libc calls. Callers check the result and read <see cref="Marshal.GetLastPInvokeError"/>.</summary>
internal static partial class LibC
{
    public const int CLONE_NEWNET = 0x40000000;
    public const int O_RDONLY = 0;
    public const int O_CLOEXEC = 0x80000;

    private const long SYS_pidfd_open = 434;
    private const long SYS_pidfd_getfd = 438;
    private const long SYS_userfaultfd = 323;
    private const long SYS_pidfd_send_signal = 424;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags, int mode = 0);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mount(string source, string target, string fileSystemType, ulong flags, string data);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int umount2(string target, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int openat(int dirfd, ref byte path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int statx(int dirfd, ref byte path, int flags, uint mask, ref byte buffer);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int name_to_handle_at(int dirfd, ref byte path, ref byte handle, out int mountId, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int open_by_handle_at(int mountFd, ref byte handle, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int mkdirat(int dirfd, ref byte path, int mode);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int mknodat(int dirfd, ref byte path, int mode, ulong dev);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int unlinkat(int dirfd, ref byte path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int symlinkat(ref byte target, int newdirfd, ref byte linkpath);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint readlinkat(int dirfd, ref byte path, ref byte buffer, nuint size);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int linkat(int olddirfd, ref byte oldpath, int newdirfd, ref byte newpath, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int renameat2(int olddirfd, ref byte oldpath, int newdirfd, ref byte newpath, uint flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fchmodat(int dirfd, ref byte path, int mode, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fchownat(int dirfd, ref byte path, uint owner, uint group, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int utimensat(int dirfd, ref byte path, ref long times, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int ftruncate(int fd, long length);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint pread(int fd, ref byte buffer, nuint count, long offset);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint pwrite(int fd, ref byte buffer, nuint count, long offset);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fsync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fdatasync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fallocate(int fd, int mode, long offset, long length);

    [LibraryImport("libc", SetLastError = true)]
    public static partial long lseek(int fd, long offset, int whence);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fstatfs(int fd, ref byte buffer);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int flock(int fd, int operation);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint getdents64(int fd, ref byte buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint getxattr(ref byte path, ref byte name, ref byte value, nuint size);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setxattr(ref byte path, ref byte name, ref byte value, nuint size, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint listxattr(ref byte path, ref byte list, nuint size);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int removexattr(ref byte path, ref byte name);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int stat(string path, ref byte buffer);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setns(int fd, int nstype);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int unshare(int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int kill(int pid, int signal);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setpriority(int which, int who, int prio);

    [LibraryImport("libc", SetLastError = true)]
    private static partial long syscall(long number, long a1, long a2, long a3);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long syscall4(long number, long a1, long a2, long a3, long a4);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long syscall5(long number, long a1, long a2, long a3, long a4, long a5);

    public static long Syscall(long number, long a1, nint a2, long a3) => syscall(number, a1, a2, a3);

    public static long Syscall5(long number, long a1, nint a2, long a3, nint a4, long a5) => syscall5(number, a1, a2, a3, a4, a5);

    public static int PidfdOpen(int pid) => (int)syscall(SYS_pidfd_open, pid, 0, 0);

    public static int PidfdGetfd(int pidfd, int targetFd) => (int)syscall4(SYS_pidfd_getfd, pidfd, targetFd, 0, 0);

    public static int Userfaultfd(int flags) => (int)syscall(SYS_userfaultfd, flags, 0, 0);

    public static int PidfdSendSignal(int pidfd, int signal) => (int)syscall4(SYS_pidfd_send_signal, pidfd, signal, 0, 0);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int waitpid(int pid, out int status, int options);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int isatty(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fcntl(int fd, int command, int argument);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int ioctl(int fd, nuint request, ref byte argument);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int tcgetattr(int fd, ref byte termios);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int tcsetattr(int fd, int optionalActions, ref byte termios);

    [LibraryImport("libc")]
    public static partial void cfmakeraw(ref byte termios);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int posix_openpt(int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int grantpt(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int unlockpt(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int ptsname_r(int fd, ref byte buffer, nuint length);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint read(int fd, ref byte buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint write(int fd, ref byte buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int pipe2(ref int fds, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int bind(int fd, ref byte address, int length);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint send(int fd, ref byte buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint recv(int fd, ref byte buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setsockopt(int fd, int level, int name, ref byte value, int length);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int getsockopt(int fd, int level, int name, ref byte value, ref int length);
}

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

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int stat(string path, ref byte buffer);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setns(int fd, int nstype);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int kill(int pid, int signal);

    [LibraryImport("libc", SetLastError = true)]
    private static partial long syscall(long number, long a1, long a2, long a3);

    public static int PidfdOpen(int pid) => (int)syscall(SYS_pidfd_open, pid, 0, 0);

    public static int PidfdGetfd(int pidfd, int targetFd) => (int)syscall(SYS_pidfd_getfd, pidfd, targetFd, 0);

    public static int Userfaultfd(int flags) => (int)syscall(SYS_userfaultfd, flags, 0, 0);
}

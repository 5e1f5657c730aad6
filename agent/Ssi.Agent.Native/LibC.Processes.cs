using System.Runtime.InteropServices;

namespace Ssi.Agent.Native;

/// <summary>Calls for sessions, socket pairs and descriptor duplication used by the shim and migration.</summary>
internal static partial class LibC
{
    [LibraryImport("libc", SetLastError = true)]
    public static partial int setsid();

    [LibraryImport("libc", SetLastError = true)]
    public static partial int socketpair(int domain, int type, int protocol, ref int fds);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int dup3(int oldfd, int newfd, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int shutdown(int fd, int how);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fstat(int fd, ref byte buffer);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int poll(ref long fds, nuint count, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int inotify_init1(int flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int inotify_add_watch(int fd, string path, uint mask);
}

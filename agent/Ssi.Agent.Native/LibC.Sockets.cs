using System.Runtime.InteropServices;

namespace Ssi.Agent.Native;

/// <summary>Datagram calls of the shims' report socket.</summary>
internal static unsafe partial class LibC
{
    public const int AF_UNIX = 1;
    public const int SOCK_DGRAM = 2;
    public const int SOCK_NONBLOCK = 0x800;
    public const int SOL_SOCKET = 1;
    public const int SO_PASSCRED = 16;
    public const int SCM_CREDENTIALS = 2;
    public const int MSG_DONTWAIT = 0x40;
    public const int MSG_TRUNC = 0x20;
    public const int EAGAIN = 11;
    public const int EINTR = 4;

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint sendto(int fd, ref byte buffer, nuint length, int flags, ref byte address, int addressLength);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint recvmsg(int fd, void* message, int flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int unlink(string path);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int chmod(string path, int mode);
}

using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Ssi.Agent.Native.Processes;

/// <summary>
/// The agent's end of the shims' reports: a datagram socket bound at a path, which tells, for each
/// datagram, which process sent it (SCM_CREDENTIALS: the kernel's word, PID in the agent's PID
/// namespace), so that a report is believed only from a shim the agent knows.
/// </summary>
public sealed unsafe class ShimReportReceiver : IDisposable
{
    private int _fd;

    private ShimReportReceiver(int fd, string path)
    {
        _fd = fd;
        Path = path;
    }

    public string Path { get; }

    /// <summary>Binds at <paramref name="path"/>, replacing a socket left there by an earlier agent.</summary>
    public static ShimReportReceiver Bind(string path)
    {
        Span<byte> address = stackalloc byte[ShimReportAddress.Size];
        var addressLength = ShimReportAddress.Write(path, address);
        var fd = LibC.socket(LibC.AF_UNIX, LibC.SOCK_DGRAM | LibC.SOCK_NONBLOCK | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw NativeException.Last("socket AF_UNIX");
        }

        try
        {
            Span<byte> on = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(on, 1);
            if (LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_PASSCRED, ref on[0], 4) != 0)
            {
                throw NativeException.Last("setsockopt SO_PASSCRED");
            }

            _ = LibC.unlink(path); // a socket left by an earlier agent

            if (LibC.bind(fd, ref address[0], addressLength) != 0)
            {
                throw NativeException.Last($"bind {path}");
            }

            // Shims of workloads running as any user may report; the kernel names the sender.
            _ = LibC.chmod(path, 438 /* 0666 */);
            return new ShimReportReceiver(fd, path);
        }
        catch
        {
            LibC.close(fd);
            throw;
        }
    }

    /// <summary>True when a datagram waits (or the socket is in error); false after <paramref name="timeoutMs"/>.</summary>
    public bool WaitReadable(int timeoutMs) => Readiness.WaitReadable(_fd, timeoutMs);

    /// <summary>
    /// The next datagram without waiting: its length (larger than <paramref name="buffer"/> when it
    /// did not fit, its tail dropped) and the sender's PID; null when none is queued.
    /// </summary>
    public (int Length, int SenderPid)? TryReceive(Span<byte> buffer)
    {
        // struct iovec, struct msghdr and room for one cmsghdr holding a struct ucred (x86_64, arm64).
        var iov = stackalloc long[2];
        var message = stackalloc long[7];
        var control = stackalloc long[4];
        fixed (byte* data = buffer)
        {
            while (true)
            {
                iov[0] = (long)data;
                iov[1] = buffer.Length;
                new Span<long>(message, 7).Clear();
                new Span<long>(control, 4).Clear();
                message[2] = (long)iov;      // msg_iov
                message[3] = 1;              // msg_iovlen
                message[4] = (long)control;  // msg_control
                message[5] = 4 * sizeof(long); // msg_controllen
                var n = LibC.recvmsg(_fd, message, LibC.MSG_DONTWAIT | LibC.MSG_TRUNC);
                if (n < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == LibC.EINTR)
                    {
                        continue;
                    }

                    return errno == LibC.EAGAIN ? null : throw new NativeException("recvmsg", errno);
                }

                return ((int)n, SenderPid(message, control));
            }
        }
    }

    /// <summary>
    /// Closes the socket once (a second call does nothing: closing a descriptor number twice would
    /// close whatever the process opened under that number since). Callers must not be using it.
    /// </summary>
    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            LibC.close(fd);
            _ = LibC.unlink(Path);
        }
    }

    /// <summary>The PID of SCM_CREDENTIALS, or 0 when the kernel attached none.</summary>
    private static int SenderPid(long* message, long* control)
    {
        var controlLength = message[5];
        if (controlLength < 16 + 12)
        {
            return 0;
        }

        var header = (int*)(control + 1); // after cmsg_len: cmsg_level, cmsg_type
        return header[0] == LibC.SOL_SOCKET && header[1] == LibC.SCM_CREDENTIALS ? *(int*)(control + 2) : 0;
    }
}

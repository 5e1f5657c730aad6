using System.Runtime.InteropServices;

namespace Ssi.Agent.Native;

/// <summary>poll(2) on one descriptor, so that relay threads can wait with a timeout and notice shutdown.</summary>
public static class Readiness
{
    private const short POLLIN = 0x001;
    private const short POLLOUT = 0x004;
    private const short POLLERR = 0x008;
    private const short POLLHUP = 0x010;

    /// <summary>True when <paramref name="fd"/> is readable, at end of file or in error; false on timeout.</summary>
    public static bool WaitReadable(int fd, int timeoutMs) => Wait(fd, POLLIN, timeoutMs);

    /// <summary>True when a write would not block (or fails at once with EPIPE).</summary>
    public static bool WaitWritable(int fd, int timeoutMs) => Wait(fd, POLLOUT, timeoutMs);

    private static bool Wait(int fd, short events, int timeoutMs)
    {
        // struct pollfd { int fd; short events; short revents; } packed in one 64-bit word.
        var word = (uint)fd | ((long)(ushort)events << 32);
        var n = LibC.poll(ref word, 1, timeoutMs);
        if (n < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno != 4 /* EINTR */ ? throw new NativeException("poll", errno) : false;
        }

        var revents = (short)(word >> 48);
        return n > 0 && (revents & (events | POLLERR | POLLHUP)) != 0;
    }
}

using System.Runtime.InteropServices;

namespace Ssi.Agent.Native.Devices;

/// <summary>
/// System calls on character devices and on other processes' memory, for function-shipped device
/// files. Results are &gt;= 0, or -errno; EINTR is retried.
/// </summary>
public static partial class DeviceCalls
{
    public const int O_NONBLOCK = 0x800;
    public const int O_NOCTTY = 0x100;
    public const int O_ACCMODE = 3;
    private const int O_CLOEXEC = 0x80000;
    private const int O_NOFOLLOW = 0x20000;
    private const int EINTR = 4;

    /// <summary>Opens a device with the caller's access mode, always non-blocking (waits are done by the poller), never as a controlling terminal.</summary>
    public static int Open(string path, int flags) =>
        Retry(() => open(path, (flags & O_ACCMODE) | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW, 0));

    /// <summary>True when the device takes lseek(2) (a fresh open is at 0, so seeking there changes nothing); false for streams such as terminals.</summary>
    public static bool IsSeekable(int fd) => LibC.lseek(fd, 0, 0 /* SEEK_SET */) >= 0;

    public static int Close(int fd) => close(fd) == 0 ? 0 : -Marshal.GetLastPInvokeError();

    public static int Dup(int fd) => Retry(() => fcntl(fd, 1030 /* F_DUPFD_CLOEXEC */, 0));

    public static long Read(int fd, Span<byte> buffer)
    {
        while (true)
        {
            var n = read(fd, ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length);
            if (n >= 0)
            {
                return n;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != EINTR)
            {
                return -errno;
            }
        }
    }

    public static long Write(int fd, ReadOnlySpan<byte> data)
    {
        while (true)
        {
            var n = write(fd, ref MemoryMarshal.GetReference(data), (nuint)data.Length);
            if (n >= 0)
            {
                return n;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != EINTR)
            {
                return -errno;
            }
        }
    }

    /// <summary>An ioctl whose argument is a pointer to <paramref name="argument"/> (at least as large as the command needs).</summary>
    public static int Ioctl(int fd, uint command, Span<byte> argument)
    {
        while (true)
        {
            var n = ioctl(fd, command, ref MemoryMarshal.GetReference(argument));
            if (n >= 0)
            {
                return n;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != EINTR)
            {
                return -errno;
            }
        }
    }

    /// <summary>An ioctl whose argument is a plain value.</summary>
    public static int IoctlValue(int fd, uint command, nint value) => Retry(() => ioctl_value(fd, command, value));

    /// <summary>poll(2) on one descriptor; returns the revents (0 when nothing is ready within <paramref name="timeoutMs"/>).</summary>
    public static int Poll(int fd, short events, int timeoutMs)
    {
        Span<byte> entry = stackalloc byte[8];
        BitConverter.TryWriteBytes(entry, fd);
        BitConverter.TryWriteBytes(entry[4..], events);
        BitConverter.TryWriteBytes(entry[6..], (short)0);
        var n = poll(ref entry[0], 1, timeoutMs);
        if (n < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == EINTR ? 0 : -errno;
        }

        return n == 0 ? 0 : (ushort)BitConverter.ToInt16(entry[6..]);
    }

    /// <summary>Reads <paramref name="buffer"/>.Length bytes of process <paramref name="pid"/>'s memory at <paramref name="address"/>.</summary>
    public static unsafe long ReadProcessMemory(int pid, ulong address, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            var local = new IoVec { Base = (nint)p, Length = (nuint)buffer.Length };
            var remote = new IoVec { Base = (nint)address, Length = (nuint)buffer.Length };
            var n = process_vm_readv(pid, ref local, 1, ref remote, 1, 0);
            return n >= 0 ? n : -Marshal.GetLastPInvokeError();
        }
    }

    /// <summary>Writes <paramref name="data"/> into process <paramref name="pid"/>'s memory at <paramref name="address"/>.</summary>
    public static unsafe long WriteProcessMemory(int pid, ulong address, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            var local = new IoVec { Base = (nint)p, Length = (nuint)data.Length };
            var remote = new IoVec { Base = (nint)address, Length = (nuint)data.Length };
            var n = process_vm_writev(pid, ref local, 1, ref remote, 1, 0);
            return n >= 0 ? n : -Marshal.GetLastPInvokeError();
        }
    }

    public static int EpollCreate() => Retry(() => epoll_create1(O_CLOEXEC));

    /// <summary>EPOLL_CTL_ADD (1) / DEL (2) / MOD (3) with the event mask and a 64-bit cookie.</summary>
    public static int EpollControl(int epfd, int operation, int fd, uint events, ulong cookie)
    {
        Span<byte> ev = stackalloc byte[12];
        BitConverter.TryWriteBytes(ev, events);
        BitConverter.TryWriteBytes(ev[4..], cookie);
        return epoll_ctl(epfd, operation, fd, ref ev[0]) == 0 ? 0 : -Marshal.GetLastPInvokeError();
    }

    /// <summary>Waits for events; fills (events, cookie) pairs; returns how many.</summary>
    public static int EpollWait(int epfd, Span<(uint Events, ulong Cookie)> ready, int timeoutMs)
    {
        Span<byte> raw = stackalloc byte[12 * ready.Length];
        var n = epoll_wait(epfd, ref raw[0], ready.Length, timeoutMs);
        if (n < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == EINTR ? 0 : -errno;
        }

        for (var i = 0; i < n; i++)
        {
            ready[i] = (BitConverter.ToUInt32(raw[(12 * i)..]), BitConverter.ToUInt64(raw[(12 * i + 4)..]));
        }

        return n;
    }

    private static int Retry(Func<int> call)
    {
        while (true)
        {
            if (call() is var n && n >= 0)
            {
                return n;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != EINTR)
            {
                return -errno;
            }
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public nint Base;
        public nuint Length;
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(int fd, int command, int argument);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint read(int fd, ref byte buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint write(int fd, ref byte buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int ioctl(int fd, nuint request, ref byte argument);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int ioctl_value(int fd, nuint request, nint argument);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int poll(ref byte fds, nuint count, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint process_vm_readv(int pid, ref IoVec local, nuint localCount, ref IoVec remote, nuint remoteCount, nuint flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint process_vm_writev(int pid, ref IoVec local, nuint localCount, ref IoVec remote, nuint remoteCount, nuint flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_ctl(int epfd, int operation, int fd, ref byte ev);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_wait(int epfd, ref byte events, int maxEvents, int timeout);
}

using System.Runtime.InteropServices;

namespace Ssi.Agent.Native.Fuse;

/// <summary>
/// A connection to the kernel's FUSE driver: /dev/fuse opened and mounted at a directory. Requests
/// are read whole with one read(2) each; replies and notifications are written whole with one write(2).
/// </summary>
public sealed class FuseDevice : IDisposable
{
    private const int O_RDWR = 2;
    private const ulong MS_NOSUID = 2;
    private const ulong MS_NODEV = 4;
    private const int MNT_DETACH = 2;
    private const int EINTR = 4;
    private const int ENOENT = 2;
    private const int EAGAIN = 11;
    private const int ENODEV = 19;
    private const nuint FUSE_DEV_IOC_BACKING_OPEN = 0x4010e501; // _IOW(229, 1, struct fuse_backing_map) (16 bytes)
    private const nuint FUSE_DEV_IOC_BACKING_CLOSE = 0x4004e502; // _IOW(229, 2, uint32_t)
    private int _fd;

    private FuseDevice(int fd, string mountPoint)
    {
        _fd = fd;
        MountPoint = mountPoint;
    }

    public string MountPoint { get; }

    public int Descriptor => _fd;

    /// <summary>Opens /dev/fuse and mounts it at <paramref name="mountPoint"/> (in this process's mount namespace).</summary>
    public static FuseDevice Mount(string mountPoint, string source, string extraOptions = "")
    {
        var fd = FileDescriptor.Open("/dev/fuse", O_RDWR);
        var options = $"fd={fd},rootmode=40000,user_id=0,group_id=0,default_permissions,allow_other{(extraOptions.Length > 0 ? "," + extraOptions : "")}";
        if (LibC.mount(source, mountPoint, "fuse.ssi", MS_NOSUID | MS_NODEV, options) != 0)
        {
            var error = NativeException.Last($"mount fuse at {mountPoint}");
            LibC.close(fd);
            throw error;
        }

        return new FuseDevice(fd, mountPoint);
    }

    /// <summary>Detaches a mount (lazily: open files keep working until closed).</summary>
    public static void Unmount(string mountPoint)
    {
        if (LibC.umount2(mountPoint, MNT_DETACH) != 0)
        {
            throw NativeException.Last($"umount {mountPoint}");
        }
    }

    /// <summary>Detaches whatever is mounted at <paramref name="mountPoint"/>; false when nothing was.</summary>
    public static bool TryUnmount(string mountPoint) => LibC.umount2(mountPoint, MNT_DETACH) == 0;

    /// <summary>
    /// Sets how far the kernel reads ahead on the mount at <paramref name="mountPoint"/> (its backing
    /// device info in sysfs); the kernel's default is 128 KiB. False when the mount or the knob is not found.
    /// </summary>
    public static bool SetReadAhead(string mountPoint, int kilobytes)
    {
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            // ID PARENT MAJOR:MINOR ROOT MOUNTPOINT ... (spaces in paths escaped as \040)
            var fields = line.Split(' ');
            if (fields.Length > 4 && fields[4].Replace("\\040", " ", StringComparison.Ordinal) == mountPoint)
            {
                var knob = $"/sys/class/bdi/{fields[2]}/read_ahead_kb";
                if (!File.Exists(knob))
                {
                    return false;
                }

                File.WriteAllText(knob, kilobytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
                return true;
            }
        }

        return false;
    }

    /// <summary>Reads the next request into <paramref name="buffer"/>; 0 when the filesystem was unmounted.</summary>
    public int Read(Span<byte> buffer)
    {
        while (true)
        {
            var n = LibC.read(_fd, ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length);
            if (n >= 0)
            {
                return (int)n;
            }

            var errno = Marshal.GetLastPInvokeError();
            switch (errno)
            {
                case EINTR or EAGAIN or ENOENT: // ENOENT: the request was interrupted before we read it
                    continue;
                case ENODEV:
                    return 0;
                default:
                    throw new NativeException("read /dev/fuse", errno);
            }
        }
    }

    /// <summary>Writes one reply or notification; returns 0 or the errno (ENOENT: the request was interrupted meanwhile).</summary>
    public int Write(ReadOnlySpan<byte> message)
    {
        while (true)
        {
            var n = LibC.write(_fd, ref MemoryMarshal.GetReference(message), (nuint)message.Length);
            if (n >= 0)
            {
                return 0;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != EINTR)
            {
                return errno;
            }
        }
    }

    /// <summary>Registers an open file as a passthrough backing file; returns its backing id.</summary>
    public int OpenBacking(int fd)
    {
        Span<byte> map = stackalloc byte[16];
        map.Clear();
        BitConverter.TryWriteBytes(map, fd);
        var id = LibC.ioctl(_fd, FUSE_DEV_IOC_BACKING_OPEN, ref map[0]);
        return id >= 0 ? id : throw NativeException.Last("ioctl FUSE_DEV_IOC_BACKING_OPEN");
    }

    public void CloseBacking(int backingId)
    {
        Span<byte> id = stackalloc byte[4];
        BitConverter.TryWriteBytes(id, backingId);
        _ = LibC.ioctl(_fd, FUSE_DEV_IOC_BACKING_CLOSE, ref id[0]);
    }

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            LibC.close(fd);
        }
    }
}

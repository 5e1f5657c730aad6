using System.Runtime.InteropServices;
using System.Text;

namespace Ssi.Agent.Native;

/// <summary>
/// Names of the files closed after writing in one directory (inotify IN_CLOSE_WRITE), and a way to
/// wake a thread waiting for them.
/// </summary>
public sealed class CloseWriteWatch : IDisposable
{
    private const int IN_NONBLOCK = 0x800;
    private const int IN_CLOEXEC = 0x80000;
    private const uint IN_CLOSE_WRITE = 0x8;
    private const uint IN_Q_OVERFLOW = 0x4000;
    private const int EAGAIN = 11;
    private const int EINTR = 4;
    private const short POLLIN = 0x001;
    private readonly byte[] _events = new byte[16 * 1024];
    private readonly (int Read, int Write) _wake;
    private int _fd;

    public CloseWriteWatch(string directory)
    {
        _fd = LibC.inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (_fd < 0)
        {
            throw new NativeException("inotify_init1", Marshal.GetLastPInvokeError());
        }

        if (LibC.inotify_add_watch(_fd, directory, IN_CLOSE_WRITE) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            FileDescriptor.Close(_fd);
            throw new NativeException($"inotify_add_watch {directory}", errno);
        }

        _wake = FileDescriptor.Pipe();
    }

    /// <summary>Set when the queue of events overflowed: some closes were missed.</summary>
    public bool Overflowed { get; private set; }

    /// <summary>Makes <see cref="Wait"/> return true from now on.</summary>
    public void Wake() => FileDescriptor.WriteAll(_wake.Write, [1]);

    /// <summary>Blocks until a file was closed or <see cref="Wake"/> was called; returns whether it was woken.</summary>
    public bool Wait()
    {
        // Two struct pollfd { int fd; short events; short revents; }, each one 64-bit word.
        Span<long> fds = [(uint)_fd | ((long)POLLIN << 32), (uint)_wake.Read | ((long)POLLIN << 32)];
        while (LibC.poll(ref fds[0], 2, -1) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != EINTR)
            {
                throw new NativeException("poll", errno);
            }
        }

        return (short)(fds[1] >> 48) != 0;
    }

    /// <summary>The names of the files closed since the last call (without waiting).</summary>
    public List<string> Closed()
    {
        var names = new List<string>();
        while (true)
        {
            var n = LibC.read(_fd, ref _events[0], (nuint)_events.Length);
            if (n < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == EAGAIN)
                {
                    return names;
                }

                if (errno != EINTR)
                {
                    throw new NativeException("read inotify", errno);
                }

                continue;
            }

            // struct inotify_event { int wd; u32 mask; u32 cookie; u32 len; char name[len]; }
            for (var at = 0; at + 16 <= n;)
            {
                var mask = BitConverter.ToUInt32(_events, at + 4);
                var length = (int)BitConverter.ToUInt32(_events, at + 12);
                Overflowed |= (mask & IN_Q_OVERFLOW) != 0;
                if ((mask & IN_CLOSE_WRITE) != 0 && length > 0)
                {
                    var name = _events.AsSpan(at + 16, length);
                    var end = name.IndexOf((byte)0);
                    names.Add(Encoding.UTF8.GetString(end < 0 ? name : name[..end]));
                }

                at += 16 + length;
            }
        }
    }

    public void Dispose()
    {
        if (_fd >= 0)
        {
            FileDescriptor.Close(_fd);
            FileDescriptor.Close(_wake.Read);
            FileDescriptor.Close(_wake.Write);
            _fd = -1;
        }
    }
}

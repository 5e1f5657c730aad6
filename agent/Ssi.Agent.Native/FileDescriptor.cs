using System.Runtime.InteropServices;

namespace Ssi.Agent.Native;

/// <summary>Plain read/write/close on raw descriptors (pipes, pty masters) and pipe creation.</summary>
public static class FileDescriptor
{
    private const int EINTR = 4;

    /// <summary>Reads up to buffer.Length bytes; 0 at end of file. Throws on error (EIO from a pty master whose slave closed reads as 0).</summary>
    public static int Read(int fd, Span<byte> buffer)
    {
        while (true)
        {
            var n = LibC.read(fd, ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length);
            if (n >= 0)
            {
                return (int)n;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == EINTR)
            {
                continue;
            }

            if (errno == 5 /* EIO: every slave of a pty closed */)
            {
                return 0;
            }

            throw new NativeException("read", errno);
        }
    }

    /// <summary>Writes all of <paramref name="data"/>.</summary>
    public static void WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var n = LibC.write(fd, ref MemoryMarshal.GetReference(data), (nuint)data.Length);
            if (n < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR)
                {
                    continue;
                }

                throw new NativeException("write", errno);
            }

            data = data[(int)n..];
        }
    }

    /// <summary>
    /// Writes all of <paramref name="data"/>; false when the other side is gone (EPIPE, EIO from a
    /// pty whose other side closed, ECONNRESET) or the descriptor was already closed (EBADF).
    /// </summary>
    public static bool TryWriteAll(int fd, ReadOnlySpan<byte> data)
    {
        try
        {
            WriteAll(fd, data);
            return true;
        }
        catch (NativeException e) when (e.Errno is 32 /* EPIPE */ or 5 /* EIO */ or 9 /* EBADF */ or 104 /* ECONNRESET */)
        {
            return false;
        }
    }

    public static void Close(int fd)
    {
        if (fd >= 0)
        {
            LibC.close(fd);
        }
    }

    /// <summary>Half-closes a stream socket: its peer reads end of file, reading from it still works. False when it is not connected.</summary>
    public static bool TryShutdownWrite(int fd)
    {
        const int SHUT_WR = 1;
        return fd >= 0 && LibC.shutdown(fd, SHUT_WR) == 0;
    }

    /// <summary>A pipe with both ends close-on-exec: (read end, write end).</summary>
    public static (int Read, int Write) Pipe()
    {
        Span<int> fds = stackalloc int[2];
        if (LibC.pipe2(ref fds[0], LibC.O_CLOEXEC) != 0)
        {
            throw NativeException.Last("pipe2");
        }

        return (fds[0], fds[1]);
    }

    /// <summary>Grows a pipe's buffer (F_SETPIPE_SZ) so that bulk relays move more per system call; best effort.</summary>
    public static void TryGrowPipe(int fd, int bytes)
    {
        const int F_SETPIPE_SZ = 1031;
        _ = LibC.fcntl(fd, F_SETPIPE_SZ, bytes);
    }

    /// <summary>A connected pair of unix stream sockets, close-on-exec.</summary>
    public static (int, int) SocketPair()
    {
        const int AF_UNIX = 1;
        const int SOCK_STREAM = 1;
        Span<int> fds = stackalloc int[2];
        if (LibC.socketpair(AF_UNIX, SOCK_STREAM | LibC.O_CLOEXEC, 0, ref fds[0]) != 0)
        {
            throw NativeException.Last("socketpair");
        }

        return (fds[0], fds[1]);
    }

    /// <summary>dup(2) with close-on-exec.</summary>
    public static int Duplicate(int fd)
    {
        const int F_DUPFD_CLOEXEC = 1030;
        var copy = LibC.fcntl(fd, F_DUPFD_CLOEXEC, 0);
        return copy >= 0 ? copy : throw NativeException.Last("fcntl F_DUPFD_CLOEXEC");
    }

    public static int Open(string path, int flags, int mode = 0)
    {
        var fd = LibC.open(path, flags | LibC.O_CLOEXEC, mode);
        return fd >= 0 ? fd : throw NativeException.Last($"open {path}");
    }
}

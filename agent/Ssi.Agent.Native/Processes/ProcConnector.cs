using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Ssi.Agent.Native.Processes;

/// <summary>
/// The kernel's process event connector (netlink NETLINK_CONNECTOR, CN_IDX_PROC): every fork,
/// exec and exit on the machine, pushed by the kernel, without polling. The kernel sends these
/// only to sockets of the initial network namespace, so the socket is made there.
/// </summary>
public sealed class ProcConnector : IDisposable
{
    private const int AF_NETLINK = 16;
    private const int SOCK_DGRAM = 2;
    private const int NETLINK_CONNECTOR = 11;
    private const int SOL_SOCKET = 1;
    private const int SO_RCVBUFFORCE = 33;
    private const int SO_RCVTIMEO = 20;
    private const int EAGAIN = 11;
    private const int EINTR = 4;
    private const int ENOBUFS = 105;

    private int _fd;

    private ProcConnector(int fd)
    {
        _fd = fd;
    }

    /// <summary>Opens and subscribes. <paramref name="initialNetworkNamespace"/> is usually /proc/1/ns/net.</summary>
    public static ProcConnector Open(string initialNetworkNamespace, TimeSpan receiveTimeout)
    {
        var fd = NetworkNamespace.Run(initialNetworkNamespace, () => LibC.socket(AF_NETLINK, SOCK_DGRAM | LibC.O_CLOEXEC, NETLINK_CONNECTOR));
        if (fd < 0)
        {
            throw NativeException.Last("socket NETLINK_CONNECTOR");
        }

        try
        {
            Span<byte> address = stackalloc byte[12];
            address.Clear();
            BinaryPrimitives.WriteUInt16LittleEndian(address, AF_NETLINK);
            BinaryPrimitives.WriteUInt32LittleEndian(address[8..], 1); // groups: CN_IDX_PROC
            if (LibC.bind(fd, ref address[0], address.Length) != 0)
            {
                throw NativeException.Last("bind NETLINK_CONNECTOR");
            }

            Span<byte> size = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(size, 8 * 1024 * 1024);
            _ = LibC.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, ref size[0], 4);
            Span<byte> timeout = stackalloc byte[16];
            BinaryPrimitives.WriteInt64LittleEndian(timeout, (long)receiveTimeout.TotalSeconds);
            BinaryPrimitives.WriteInt64LittleEndian(timeout[8..], receiveTimeout.Milliseconds * 1000L);
            if (LibC.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, ref timeout[0], 16) != 0)
            {
                throw NativeException.Last("setsockopt SO_RCVTIMEO");
            }

            Span<byte> listen = stackalloc byte[40];
            listen.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(listen, 40);               // nlmsg_len
            BinaryPrimitives.WriteUInt16LittleEndian(listen[4..], 3);           // NLMSG_DONE
            BinaryPrimitives.WriteUInt32LittleEndian(listen[16..], 1);          // cn_msg.id.idx = CN_IDX_PROC
            BinaryPrimitives.WriteUInt32LittleEndian(listen[20..], 1);          // cn_msg.id.val = CN_VAL_PROC
            BinaryPrimitives.WriteUInt16LittleEndian(listen[32..], 4);          // cn_msg.len
            BinaryPrimitives.WriteUInt32LittleEndian(listen[36..], 1);          // PROC_CN_MCAST_LISTEN
            if (LibC.send(fd, ref listen[0], (nuint)listen.Length, 0) < 0)
            {
                throw NativeException.Last("send PROC_CN_MCAST_LISTEN");
            }

            return new ProcConnector(fd);
        }
        catch
        {
            LibC.close(fd);
            throw;
        }
    }

    /// <summary>Receives one datagram; 0 on timeout; -1 when events were lost (receive buffer overflow), so the caller must resynchronise.</summary>
    public int Receive(Span<byte> buffer)
    {
        while (true)
        {
            var n = LibC.recv(_fd, ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length, 0);
            if (n >= 0)
            {
                return (int)n;
            }

            var errno = Marshal.GetLastPInvokeError();
            switch (errno)
            {
                case EINTR:
                    continue;
                case EAGAIN:
                    return 0;
                case ENOBUFS:
                    return -1;
                default:
                    throw new NativeException("recv NETLINK_CONNECTOR", errno);
            }
        }
    }

    /// <summary>Closes the socket, once: a second call must not close whatever took the number since.</summary>
    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            LibC.close(fd);
        }
    }
}

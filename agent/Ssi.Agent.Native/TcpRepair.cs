namespace Ssi.Agent.Native;

/// <summary>TCP repair mode (TCP_REPAIR, setsockopt(2)): how criu freezes a connection it dumps.</summary>
public static class TcpRepair
{
    private const int SOL_TCP = 6;
    private const int TCP_REPAIR = 19;
    private const int TCP_REPAIR_OFF = 0;

    /// <summary>
    /// Takes a connection out of repair mode: it resumes where it was frozen (the kernel probes the
    /// peer's window). criu leaves the sockets of a dump left stopped in repair mode; a rollback
    /// must give them back. False when the descriptor is not (or no longer) a TCP socket.
    /// </summary>
    public static bool TryLeave(int socketFd)
    {
        Span<byte> value = stackalloc byte[4];
        BitConverter.TryWriteBytes(value, TCP_REPAIR_OFF);
        return socketFd >= 0 && LibC.setsockopt(socketFd, SOL_TCP, TCP_REPAIR, ref value[0], 4) == 0;
    }

    /// <summary>Whether the connection is in repair mode now (getsockopt TCP_REPAIR), or null when that cannot be read.</summary>
    public static bool? IsOn(int socketFd)
    {
        Span<byte> value = stackalloc byte[4];
        var length = 4;
        return socketFd >= 0 && LibC.getsockopt(socketFd, SOL_TCP, TCP_REPAIR, ref value[0], ref length) == 0
            ? BitConverter.ToInt32(value) != 0
            : null;
    }
}

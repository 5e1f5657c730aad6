using System.Runtime.InteropServices;

namespace Ssi.Agent.Native.Processes;

/// <summary>
/// How a shim reports to its node's agent: a datagram to the agent's socket, on a socket opened for
/// that report alone. Between reports the shim holds no socket, so a checkpoint never finds one in
/// it; restored on another node, its next report goes to that node's agent, which listens at the
/// same path. Never blocks the shim for long: the report is lost when no agent listens or its
/// queue stays full, and the agent does without it.
/// </summary>
public static class ShimReportSender
{
    private const int Attempts = 20;

    /// <summary>Sends <paramref name="report"/> to <paramref name="socketPath"/>; false when it could not be delivered.</summary>
    public static bool TrySend(string socketPath, ShimReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        Span<byte> address = stackalloc byte[ShimReportAddress.Size];
        int addressLength;
        try
        {
            addressLength = ShimReportAddress.Write(socketPath, address);
        }
        catch (ArgumentException)
        {
            return false;
        }

        var data = report.Encode();
        var fd = LibC.socket(LibC.AF_UNIX, LibC.SOCK_DGRAM | LibC.SOCK_NONBLOCK | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            return false;
        }

        try
        {
            for (var attempt = 0; attempt < Attempts; attempt++)
            {
                if (LibC.sendto(fd, ref data[0], (nuint)data.Length, 0, ref address[0], addressLength) >= 0)
                {
                    return true;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno is not (LibC.EAGAIN or LibC.EINTR))
                {
                    return false; // nobody listens (ENOENT, ECONNREFUSED) or not allowed
                }

                if (errno == LibC.EAGAIN)
                {
                    Thread.Sleep(5); // the agent's queue is full: a moment for it to catch up
                }
            }

            return false;
        }
        finally
        {
            LibC.close(fd);
        }
    }
}

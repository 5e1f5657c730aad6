using Microsoft.Extensions.Logging;
using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Migration.Planning;
using Ssi.Agent.Migration.Relay;
using Ssi.Agent.Native;
using Ssi.Agent.Native.Terminals;

namespace Ssi.Agent.Migration;

/// <summary>Creates the local object that replaces a stays-home object: pipe, pty, or socket pair (for a unix or TCP stream).</summary>
internal static class StandInFactory
{
    private const int O_RDWR = 2;
    private const int O_NOCTTY = 0x100;
    private const int O_CLOEXEC = 0x80000;

    /// <summary>
    /// Returns the stand-in (holding the agent's end; none for a device, whose remote file already
    /// ships every call to its node) and the process's end, to hand to criu.
    /// </summary>
    public static (StandIn? StandIn, int ProcessEnd) Create(PlannedDescriptor planned, Func<PlannedDescriptor, string> devicePath, ILogger logger)
    {
        var direction = RelayDirections.Parse(planned.Direction);
        switch (planned.Kind)
        {
            case DescriptorKinds.Pipe:
            {
                var (read, write) = FileDescriptor.Pipe();
                FileDescriptor.TryGrowPipe(read, 1024 * 1024);
                var (processEnd, agentEnd) = direction == RelayDirection.Read ? (read, write) : (write, read);
                var key = $"pipe:[{FileStatus.OfDescriptor(processEnd).Inode}]";
                return (New(planned, key, direction, agentEnd, logger), processEnd);
            }

            case DescriptorKinds.Tty:
            {
                var (master, slavePath) = Pty.Open();
                var slave = FileDescriptor.Open(slavePath, O_RDWR | O_NOCTTY | O_CLOEXEC);
                if (planned.Termios.Length == TerminalSettings.Size)
                {
                    TerminalSettings.Set(slave, planned.Termios.ToByteArray());
                }

                if (planned.Window is { } window)
                {
                    Pty.SetWindowSize(master, (ushort)window.Rows, (ushort)window.Columns);
                }

                var status = FileStatus.OfDescriptor(slave);
                return (New(planned, DescriptorClassifier.TtyKey(status.Rdev, status.Dev), direction, master, logger), slave);
            }

            case DescriptorKinds.UnixSocket:
            case DescriptorKinds.TcpSocket:
            {
                var (processEnd, agentEnd) = FileDescriptor.SocketPair();
                var key = $"socket:[{FileStatus.OfDescriptor(processEnd).Inode}]";
                return (New(planned, key, direction, agentEnd, logger), processEnd);
            }

            case DescriptorKinds.Device:
            {
                // criu hands this descriptor to the process as it is: open it as the process had it.
                const int Kept = 0x3 /* O_ACCMODE */ | 0x400 /* O_APPEND */ | 0x800 /* O_NONBLOCK */ | 0x1000 /* O_SYNC */;
                return (null, FileDescriptor.Open(devicePath(planned), (planned.Flags & Kept) | O_CLOEXEC));
            }

            default:
                throw new MigrationException($"no stand-in for a {planned.Kind} (fd {planned.Fd} of {planned.ClusterPid})");
        }
    }

    private static StandIn New(PlannedDescriptor planned, string key, RelayDirection direction, int agentEnd, ILogger logger) =>
        new(key, planned.ObjectId, planned.HomeNode, planned.HomeEndpoint, planned.Kind, direction, agentEnd, logger);
}

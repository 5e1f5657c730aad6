using System.Globalization;

namespace Ssi.Agent.Migration.Planning;

/// <summary>
/// Decides, for every descriptor of every process of a workload, what a migration does with it:
/// reopen it by path on the target (the shared filesystem, well-known pseudo-devices), let CRIU
/// recreate it (objects wholly inside the workload: a pipe with both ends in the tree, an eventfd,
/// an epoll set, a listening socket on a wildcard address), keep the object on this node and give
/// the process a relayed stand-in (a pipe, pty or stream socket whose other end lives outside the
/// workload), or refuse with the reason. Pure: /proc is read elsewhere.
/// </summary>
internal static class DescriptorClassifier
{
    private static readonly HashSet<string> PortableDevices = new(StringComparer.Ordinal)
    {
        "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom",
    };

    public static IReadOnlyList<PlannedFd> Classify(
        IReadOnlyList<OpenDescriptor> descriptors,
        string sharedMountPath,
        IReadOnlyDictionary<ulong, SocketInfo> sockets,
        DeviceContext? devices = null)
    {
        devices ??= DeviceContext.None;
        ArgumentNullException.ThrowIfNull(descriptors);
        ArgumentNullException.ThrowIfNull(sockets);
        var pipeModes = descriptors
            .Where(d => d.Link.StartsWith("pipe:[", StringComparison.Ordinal))
            .GroupBy(d => d.Link, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(d => d.AccessMode).ToHashSet(), StringComparer.Ordinal);
        var socketsInTree = descriptors
            .Where(d => d.Link.StartsWith("socket:[", StringComparison.Ordinal))
            .Select(d => d.Inode)
            .ToHashSet();
        var holdsPtyMaster = descriptors.Any(d => d.Link == "/dev/ptmx" || d.Link.StartsWith("/dev/pts/ptmx", StringComparison.Ordinal));

        return descriptors.Select(d => ClassifyOne(d, sharedMountPath, sockets, pipeModes, socketsInTree, holdsPtyMaster, devices)).ToList();
    }

    private static PlannedFd ClassifyOne(
        OpenDescriptor d,
        string sharedMountPath,
        IReadOnlyDictionary<ulong, SocketInfo> sockets,
        Dictionary<string, HashSet<int>> pipeModes,
        HashSet<ulong> socketsInTree,
        bool holdsPtyMaster,
        DeviceContext devices)
    {
        var link = d.Link;
        if (link.StartsWith("pipe:[", StringComparison.Ordinal))
        {
            var modes = pipeModes[link];
            return modes.Contains(0) && modes.Contains(1)
                ? new PlannedFd(d, DescriptorKinds.Pipe, DescriptorKinds.Recreate, "both ends are inside the workload")
                : new PlannedFd(d, DescriptorKinds.Pipe, DescriptorKinds.StayHome, "the other end stays on this node: relayed", link, Direction(d));
        }

        if (link.StartsWith("socket:[", StringComparison.Ordinal))
        {
            return ClassifySocket(d, sockets, socketsInTree);
        }

        if (link.StartsWith("anon_inode:", StringComparison.Ordinal))
        {
            return ClassifyAnonymous(d);
        }

        if (link.StartsWith("/memfd:", StringComparison.Ordinal))
        {
            return new PlannedFd(d, DescriptorKinds.Memfd, DescriptorKinds.Recreate, "memory file: content travels with the images");
        }

        if (!link.StartsWith('/'))
        {
            return Blocked(d, DescriptorKinds.Other, $"{link} cannot be moved to another node");
        }

        var deleted = link.EndsWith(" (deleted)", StringComparison.Ordinal);
        var path = deleted ? link[..^" (deleted)".Length] : link;
        var shared = IsBeneath(path, sharedMountPath);
        if (IsBeneath(path, devices.RemoteMountPath) && d.FileType == OpenDescriptor.S_IFREG)
        {
            return new PlannedFd(d, DescriptorKinds.Device, DescriptorKinds.StayHome, "a remote device file: the target opens it again (the device itself on its owner), calls still go to the owning node",
                PathKey(path), "both");
        }

        switch (d.FileType)
        {
            case OpenDescriptor.S_IFREG:
                return new PlannedFd(d, DescriptorKinds.File, DescriptorKinds.Reopen,
                    deleted ? "unlinked while open: its content travels with the images"
                    : shared ? $"reopened by path at offset {d.Position.ToString(CultureInfo.InvariantCulture)} on the shared filesystem"
                    : "not on the shared filesystem: reopened by path, which must exist on the target");
            case OpenDescriptor.S_IFDIR:
                return new PlannedFd(d, DescriptorKinds.Directory, DescriptorKinds.Reopen,
                    shared ? "reopened by path on the shared filesystem" : "not on the shared filesystem: reopened by path, which must exist on the target");
            case OpenDescriptor.S_IFIFO:
                return Blocked(d, DescriptorKinds.Fifo, "a named FIFO cannot be relayed yet");
            case OpenDescriptor.S_IFCHR:
                return ClassifyCharacterDevice(d, path, holdsPtyMaster, devices);
            default:
                return Blocked(d, DescriptorKinds.Other, $"{link}: unsupported file type");
        }
    }

    private static PlannedFd ClassifyCharacterDevice(OpenDescriptor d, string path, bool holdsPtyMaster, DeviceContext devices)
    {
        if (PortableDevices.Contains(path))
        {
            return new PlannedFd(d, DescriptorKinds.Device, DescriptorKinds.Reopen, "exists on every node: reopened");
        }

        if (d.Rdev == 0x500 /* 5:0, /dev/tty */)
        {
            return holdsPtyMaster
                ? new PlannedFd(d, DescriptorKinds.Tty, DescriptorKinds.Recreate, "the controlling terminal's alias, with its terminal inside the workload: rebuilt")
                : Blocked(d, DescriptorKinds.Tty, "/dev/tty (the controlling terminal's alias) is held open while the terminal stays on this node: CRIU cannot rebuild it against a relayed terminal (an interactive shell holds it; run the program without -i)");
        }

        var major = Major(d.Rdev);
        if (major is >= 136 and <= 143)
        {
            return holdsPtyMaster
                ? new PlannedFd(d, DescriptorKinds.Tty, DescriptorKinds.Recreate, "the workload holds the terminal's master: rebuilt with it")
                : new PlannedFd(d, DescriptorKinds.Tty, DescriptorKinds.StayHome, "the terminal stays on this node: a new one relays it",
                    TtyKey(d.Rdev, d.Dev), "both");
        }

        if (path == "/dev/ptmx" || path.StartsWith("/dev/pts/ptmx", StringComparison.Ordinal))
        {
            return new PlannedFd(d, DescriptorKinds.Tty, DescriptorKinds.Recreate, "terminal master held by the workload: rebuilt with its slaves");
        }

        if (devices.ExportedPaths.Contains(path))
        {
            // The device stays; the process gets this node's remote device file for it on the target.
            return new PlannedFd(d, DescriptorKinds.Device, DescriptorKinds.StayHome, "exported by this node: the target opens its remote device file, calls are shipped here",
                PathKey(path), "both");
        }

        return Blocked(d, DescriptorKinds.Device, $"device {path} is not exported by this node (spec.nodes[].devices), so other nodes cannot reach it");
    }

    private static PlannedFd ClassifySocket(OpenDescriptor d, IReadOnlyDictionary<ulong, SocketInfo> sockets, HashSet<ulong> socketsInTree)
    {
        if (!sockets.TryGetValue(d.Inode, out var socket))
        {
            return Blocked(d, DescriptorKinds.Other, $"{d.Link}: a socket of a family that cannot move (not unix, tcp or udp)");
        }

        if (socket.IsUnix)
        {
            if (socket.State == "LISTEN" || socket.PeerInode == 0)
            {
                return new PlannedFd(d, DescriptorKinds.UnixSocket, DescriptorKinds.Recreate, socket.State == "LISTEN" ? "listening socket: rebuilt" : "unconnected socket: rebuilt");
            }

            if (socketsInTree.Contains(socket.PeerInode))
            {
                return new PlannedFd(d, DescriptorKinds.UnixSocket, DescriptorKinds.Recreate, "both ends are inside the workload");
            }

            return socket.Protocol == "u_str"
                ? new PlannedFd(d, DescriptorKinds.UnixSocket, DescriptorKinds.StayHome, "the peer stays on this node: relayed through a socket pair", d.Link, "both")
                : Blocked(d, DescriptorKinds.UnixSocket, $"a {socket.Protocol} socket whose peer is outside the workload cannot be relayed (only stream sockets)");
        }

        var wildcard = IsWildcard(socket.LocalAddress);
        if (socket.Protocol == "tcp")
        {
            return socket.State == "LISTEN"
                ? wildcard
                    ? new PlannedFd(d, DescriptorKinds.TcpSocket, DescriptorKinds.Recreate, "listening on every address: rebuilt")
                    : Blocked(d, DescriptorKinds.TcpSocket, $"listening on {socket.LocalAddress}, an address of this node only")
                : ClassifyTcpConnection(d, socket, sockets, socketsInTree);
        }

        return wildcard
            ? new PlannedFd(d, DescriptorKinds.UdpSocket, DescriptorKinds.Recreate, "bound to every address: rebuilt")
            : Blocked(d, DescriptorKinds.UdpSocket, $"bound to {socket.LocalAddress}, an address of this node only");
    }

    /// <summary>
    /// A connection keeps this node's address, so it stays here and the process gets the end of a
    /// socket pair relayed to it. Two ends inside the workload, or a handshake in progress, cannot move.
    /// </summary>
    private static PlannedFd ClassifyTcpConnection(OpenDescriptor d, SocketInfo socket, IReadOnlyDictionary<ulong, SocketInfo> sockets, HashSet<ulong> socketsInTree)
    {
        if (socket.State is "SYN-SENT" or "SYN-RECV")
        {
            return Blocked(d, DescriptorKinds.TcpSocket, $"TCP connection {socket.LocalAddress} -> {socket.PeerAddress} is still being set up ({socket.State})");
        }

        var peerInTree = socketsInTree.Any(inode => inode != socket.Inode && sockets.TryGetValue(inode, out var other)
            && other.Protocol == "tcp" && other.LocalAddress == socket.PeerAddress && other.PeerAddress == socket.LocalAddress);
        return peerInTree
            ? Blocked(d, DescriptorKinds.TcpSocket, $"TCP connection {socket.LocalAddress} -> {socket.PeerAddress} has both ends inside the workload, which cannot be relayed")
            : new PlannedFd(d, DescriptorKinds.TcpSocket, DescriptorKinds.StayHome,
                $"TCP connection {socket.LocalAddress} -> {socket.PeerAddress} keeps this node's address: it stays here, relayed through a socket pair (the process sees a unix socket)",
                d.Link, "both");
    }

    private static PlannedFd ClassifyAnonymous(OpenDescriptor d)
    {
        var (kind, supported) = d.Link switch
        {
            "anon_inode:[eventfd]" => (DescriptorKinds.EventFd, true),
            "anon_inode:[signalfd]" => (DescriptorKinds.SignalFd, true),
            "anon_inode:[timerfd]" => (DescriptorKinds.TimerFd, true),
            "anon_inode:[eventpoll]" => (DescriptorKinds.Epoll, true),
            "anon_inode:inotify" => (DescriptorKinds.Inotify, true),
            _ => (DescriptorKinds.Other, false),
        };
        return supported
            ? new PlannedFd(d, kind, DescriptorKinds.Recreate, "kernel object of the process: rebuilt by CRIU")
            : Blocked(d, kind, $"{d.Link} cannot be checkpointed");
    }

    private static PlannedFd Blocked(OpenDescriptor d, string kind, string reason) => new(d, kind, DescriptorKinds.Blocked, reason);

    private static string Direction(OpenDescriptor d) => d.AccessMode switch
    {
        0 => "read",
        1 => "write",
        _ => "both",
    };

    /// <summary>
    /// CRIU's key of a file descriptor handed in at restore (--inherit-fd): a file's path without
    /// its leading slash. criu then uses the descriptor as given (no reopen by path, no type check).
    /// </summary>
    public static string PathKey(string path) => path.TrimStart('/');

    /// <summary>CRIU's key of a terminal: tty[RDEV:DEV] in lowercase hex.</summary>
    public static string TtyKey(ulong rdev, ulong dev) =>
        string.Create(CultureInfo.InvariantCulture, $"tty[{rdev:x}:{dev:x}]");

    private static ulong Major(ulong dev) => ((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffUL);

    private static bool IsWildcard(string address) =>
        address.StartsWith("0.0.0.0:", StringComparison.Ordinal) || address.StartsWith("*:", StringComparison.Ordinal)
        || address.StartsWith("[::]:", StringComparison.Ordinal) || address.StartsWith(":::", StringComparison.Ordinal);

    public static bool IsBeneath(string path, string root)
    {
        var trimmed = root.TrimEnd('/');
        return trimmed.Length > 0 && (path == trimmed || path.StartsWith(trimmed + "/", StringComparison.Ordinal));
    }
}

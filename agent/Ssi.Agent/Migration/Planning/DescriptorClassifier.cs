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
        var terminals = new Terminals(
            holdsPtyMaster,
            descriptors.Where(d => d.FileType == OpenDescriptor.S_IFCHR && IsPtySlave(d.Rdev)).Select(d => d.Rdev).Distinct().Count());

        var planned = descriptors.Select(d => ClassifyOne(d, sharedMountPath, sockets, pipeModes, socketsInTree, terminals, devices)).ToList();
        return RelayedAndRepairedTcpApart(planned);
    }

    /// <summary>
    /// criu handles every TCP connection of one dump alike: closed (relayed connections, --tcp-close)
    /// or repaired (--tcp-established). A workload holding both kinds keeps the relayed ones and
    /// cannot take the repaired ones along.
    /// </summary>
    private static List<PlannedFd> RelayedAndRepairedTcpApart(List<PlannedFd> planned)
    {
        if (!planned.Any(f => f.TcpRepair) || !planned.Any(f => f.Kind == DescriptorKinds.TcpSocket && f.Action == DescriptorKinds.StayHome))
        {
            return planned;
        }

        return planned.Select(f => f.TcpRepair
            ? Blocked(f.Descriptor, DescriptorKinds.TcpSocket, f.Reason.Replace(": moved with it (TCP repair)", "", StringComparison.Ordinal)
                + ", and the workload also holds TCP connections that stay on this node: criu cannot repair some connections of a dump and close others")
            : f).ToList();
    }

    private static PlannedFd ClassifyOne(
        OpenDescriptor d,
        string sharedMountPath,
        IReadOnlyDictionary<ulong, SocketInfo> sockets,
        Dictionary<string, HashSet<int>> pipeModes,
        HashSet<ulong> socketsInTree,
        Terminals terminals,
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
                FileKey(d), "both");
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
                return ClassifyCharacterDevice(d, path, terminals, devices);
            default:
                return Blocked(d, DescriptorKinds.Other, $"{link}: unsupported file type");
        }
    }

    private static PlannedFd ClassifyCharacterDevice(OpenDescriptor d, string path, Terminals terminals, DeviceContext devices)
    {
        if (PortableDevices.Contains(path))
        {
            return new PlannedFd(d, DescriptorKinds.Device, DescriptorKinds.Reopen, "exists on every node: reopened");
        }

        if (d.Rdev == DevTty)
        {
            return terminals.HoldsPtyMaster
                ? new PlannedFd(d, DescriptorKinds.Tty, DescriptorKinds.Recreate, "the controlling terminal's alias, with its terminal inside the workload: rebuilt")
                : terminals.RelayedSlaves == 1
                    ? new PlannedFd(d, DescriptorKinds.Tty, DescriptorKinds.StayHome, "the controlling terminal's alias: on the target, another descriptor of the terminal that relays it",
                        TtyKey(d.Rdev, d.Dev), "both")
                    : Blocked(d, DescriptorKinds.Tty, terminals.RelayedSlaves == 0
                        ? "/dev/tty (the controlling terminal's alias) is held open, but no descriptor of the workload holds the terminal itself, so the target has none to give it"
                        : "/dev/tty (the controlling terminal's alias) is held open while the workload holds several terminals: which one it names is not known");
        }

        if (IsPtySlave(d.Rdev))
        {
            return terminals.HoldsPtyMaster
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
                FileKey(d), "both");
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
        var loopback = IsLoopback(socket.LocalAddress);
        if (socket.Protocol == "tcp")
        {
            return socket.State == "LISTEN"
                ? wildcard || loopback
                    ? new PlannedFd(d, DescriptorKinds.TcpSocket, DescriptorKinds.Recreate, wildcard ? "listening on every address: rebuilt" : "listening on loopback, which every node has: rebuilt")
                    : Blocked(d, DescriptorKinds.TcpSocket, $"listening on {socket.LocalAddress}, an address of this node only")
                : ClassifyTcpConnection(d, socket, sockets, socketsInTree);
        }

        return wildcard || loopback
            ? new PlannedFd(d, DescriptorKinds.UdpSocket, DescriptorKinds.Recreate, wildcard ? "bound to every address: rebuilt" : "bound to loopback, which every node has: rebuilt")
            : Blocked(d, DescriptorKinds.UdpSocket, $"bound to {socket.LocalAddress}, an address of this node only");
    }

    /// <summary>
    /// A connection to a peer outside the workload keeps this node's address, so it stays here and
    /// the process gets the end of a socket pair relayed to it. A connection with both ends inside
    /// the workload over loopback moves with it: criu dumps and restores both ends with TCP repair
    /// (sequence numbers, queues, options), and the target's loopback has the same addresses. Both
    /// ends inside the workload on a node address, or a handshake in progress, cannot move.
    /// </summary>
    private static PlannedFd ClassifyTcpConnection(OpenDescriptor d, SocketInfo socket, IReadOnlyDictionary<ulong, SocketInfo> sockets, HashSet<ulong> socketsInTree)
    {
        var connection = $"TCP connection {socket.LocalAddress} -> {socket.PeerAddress}";
        if (socket.State is "SYN-SENT" or "SYN-RECV")
        {
            return Blocked(d, DescriptorKinds.TcpSocket, $"{connection} is still being set up ({socket.State})");
        }

        var peerInTree = socketsInTree.Any(inode => inode != socket.Inode && sockets.TryGetValue(inode, out var other)
            && other.Protocol == "tcp" && other.LocalAddress == socket.PeerAddress && other.PeerAddress == socket.LocalAddress);
        if (!peerInTree)
        {
            return new PlannedFd(d, DescriptorKinds.TcpSocket, DescriptorKinds.StayHome,
                $"{connection} keeps this node's address: it stays here, relayed through a socket pair (the process sees a unix socket)",
                d.Link, "both");
        }

        return IsLoopback(socket.LocalAddress) && IsLoopback(socket.PeerAddress)
            ? new PlannedFd(d, DescriptorKinds.TcpSocket, DescriptorKinds.Recreate, $"{connection} has both ends inside the workload over loopback: moved with it (TCP repair)", TcpRepair: true)
            : Blocked(d, DescriptorKinds.TcpSocket, $"{connection} has both ends inside the workload on an address of this node, which the target does not have");
    }

    /// <summary>An address:port of ss on the loopback network (127.0.0.0/8, ::1, or 127.x mapped into IPv6).</summary>
    public static bool IsLoopback(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        var host = (colon > 0 ? endpoint[..colon] : endpoint).Trim('[', ']');
        var percent = host.IndexOf('%', StringComparison.Ordinal);
        host = percent > 0 ? host[..percent] : host;
        return System.Net.IPAddress.TryParse(host, out var address)
            && System.Net.IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
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
    /// CRIU's key of a file declared external at dump (<c>--external file[MNT_ID:INODE]</c>, lowercase
    /// hex) and handed in at restore (<c>--inherit-fd fd[N]:file[...]</c>; criu opens it again through
    /// the descriptor with the process's flags). A device's descriptor is declared external because
    /// after a move it was opened by the agent, in the node's mount namespace, not the workload's,
    /// where criu would not find its mount.
    /// </summary>
    public static string FileKey(OpenDescriptor d) =>
        string.Create(CultureInfo.InvariantCulture, $"file[{d.MountId:x}:{d.Inode:x}]");

    /// <summary>CRIU's key of a terminal: tty[RDEV:DEV] in lowercase hex.</summary>
    public static string TtyKey(ulong rdev, ulong dev) =>
        string.Create(CultureInfo.InvariantCulture, $"tty[{rdev:x}:{dev:x}]");

    /// <summary>
    /// A key of /dev/tty: the stand-in for it is not a terminal of its own but another descriptor
    /// of the (only) relayed terminal of the workload.
    /// </summary>
    public static bool IsTerminalAlias(string key) => key.StartsWith("tty[500:", StringComparison.Ordinal);

    private const ulong DevTty = 0x500; // 5:0

    private static bool IsPtySlave(ulong rdev) => Major(rdev) is >= 136 and <= 143;

    private static ulong Major(ulong dev) => ((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffUL);

    /// <summary>What the workload holds of terminals: a pty master (then criu rebuilds the pair), and how many distinct pty slaves.</summary>
    private sealed record Terminals(bool HoldsPtyMaster, int RelayedSlaves);

    private static bool IsWildcard(string address) =>
        address.StartsWith("0.0.0.0:", StringComparison.Ordinal) || address.StartsWith("*:", StringComparison.Ordinal)
        || address.StartsWith("[::]:", StringComparison.Ordinal) || address.StartsWith(":::", StringComparison.Ordinal);

    public static bool IsBeneath(string path, string root)
    {
        var trimmed = root.TrimEnd('/');
        return trimmed.Length > 0 && (path == trimmed || path.StartsWith(trimmed + "/", StringComparison.Ordinal));
    }
}

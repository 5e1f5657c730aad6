using System.Globalization;
using Ssi.Agent.Migration.Landing;

namespace Ssi.Agent.Migration.Checkpoint;

/// <summary>Command lines of criu for one migration step (pure; see docs/migration.md for why each option).</summary>
internal static class CriuArguments
{
    /// <summary>Unlinked-but-open files travel inside the images up to this size.</summary>
    private const string GhostLimit = "256M";

    /// <summary>
    /// The key of a workload's own network namespace (a pod's), declared external at dump
    /// (<c>--external net[INODE]:KEY</c>) and handed in at restore as a namespace descriptor.
    /// </summary>
    public const string WorkloadNetworkKey = "workload-net";

    /// <summary>
    /// Dump of a workload's whole PID-namespace tree, left stopped so that a failure later resumes it.
    /// criu runs in the node's network and mount namespaces, so neither is dumped; the workload's own
    /// PID and IPC namespaces are, and its mount namespace. A workload the agent started has a copy of
    /// the node's with its own /proc, whose other mounts criu finds in its own namespace and records
    /// as external bind mounts (<c>--external mnt[]</c>), to be bound from the target node's same
    /// paths (its shared filesystem mount, its remote device files). A workload in a container
    /// (<paramref name="containerMounts"/>: the mount points of its mounts that come from outside it)
    /// has each of those declared by its mount point instead (<c>--external mnt[MOUNTPOINT]:KEY</c>,
    /// <see cref="MountKey"/>), to be bound from the landing container's, and nothing found by guess.
    /// Terminals and unix sockets that stay on this node are declared external.
    /// TCP connections: see <see cref="TcpArguments"/>; relayed ones become inherited sockets
    /// (<see cref="RelayedTcpImages"/>).
    /// </summary>
    public static IReadOnlyList<string> Dump(int shimPid, string imageDirectory, IEnumerable<string> externalKeys, LazyPages? lazy = null, ulong? ownNetwork = null, bool repairTcp = false, IReadOnlyList<string>? containerMounts = null)
    {
        List<string> args =
        [
            "dump", "-t", shimPid.ToString(CultureInfo.InvariantCulture), "-D", imageDirectory,
            "--leave-stopped", .. TcpArguments(repairTcp), "--ghost-limit", GhostLimit, "--file-locks",
            .. MountArguments(containerMounts?.Select(m => (m, MountKey(m)))), "-o", "dump.log", "-v2",
        ];
        foreach (var key in externalKeys.Select(External).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            args.Add("--external");
            args.Add(key);
        }

        if (ownNetwork is { } network)
        {
            args.AddRange(["--external", string.Create(CultureInfo.InvariantCulture, $"net[{network}]:{WorkloadNetworkKey}")]);
        }

        if (lazy is not null)
        {
            // Everything but memory is written; then criu serves the pages to the target's lazy-pages daemon.
            args.AddRange(["--lazy-pages", "--address", lazy.Address, "--port", lazy.Port.ToString(CultureInfo.InvariantCulture)]);
            args.AddRange(lazy.TlsArguments());
        }

        return args;
    }

    /// <summary>
    /// The name a container's mount is declared external by: its mount point, as runc does (criu
    /// looks the dumped mount up by mount point and the restored one by this name).
    /// </summary>
    public static string MountKey(string mountPoint) => mountPoint;

    /// <summary>
    /// <c>--external mnt[]</c> (every bind of a file system of criu's own namespace is external, bound
    /// from the same path), or, given explicit pairs, <c>--external mnt[A]:B</c> for each and nothing
    /// auto-detected: at dump A is a mount point and B its key, at restore A is the key and B the path
    /// to bind from.
    /// </summary>
    private static IEnumerable<string> MountArguments(IEnumerable<(string Name, string Value)>? explicitMounts) =>
        explicitMounts is null
            ? ["--external", "mnt[]"]
            : explicitMounts.SelectMany(m => new[] { "--external", $"mnt[{m.Name}]:{m.Value}" });

    /// <summary>
    /// TCP connections are either all closed in the images (<c>--tcp-close</c>: the plan lets only
    /// connections that stay on this node through, relayed), or all repaired (<c>--tcp-established</c>:
    /// connections with both ends in the workload over loopback, locked per connection with nftables
    /// while they are dumped and restored; <see cref="RepairedConnections"/>). The plan never mixes them.
    /// </summary>
    private static string[] TcpArguments(bool repairTcp) =>
        repairTcp ? ["--tcp-established", "--network-lock", "nftables"] : ["--network-lock", "skip", "--tcp-close"];

    /// <summary>
    /// How a stays-home object is declared external at dump time: a terminal or a device's file by its
    /// key, one end of a unix stream connection by its own inode (unix[INODE]); a pipe needs nothing.
    /// </summary>
    public static string? External(string key) =>
        key.StartsWith("tty[", StringComparison.Ordinal) || key.StartsWith("file[", StringComparison.Ordinal) ? key
        : key.StartsWith("socket:[", StringComparison.Ordinal) ? $"unix[{key["socket:[".Length..^1]}]"
        : null;

    /// <summary>
    /// The key criu looks a handed-in descriptor up by. For a file declared external at dump it is
    /// the recorded name <c>file[MNT_ID:INODE]</c> without its first character: criu's name of a
    /// file entry is its path without the leading slash, and it cuts the first character of an
    /// external one too. Matched that way, criu takes the descriptor as it is; matched by the full
    /// name it would open it again and insist on the dumped file's mode, which a remote device file
    /// (a regular file standing in for a character device) does not have.
    /// </summary>
    public static string InheritKey(string key) => key.StartsWith("file[", StringComparison.Ordinal) ? key[1..] : key;

    /// <summary>The target's daemon that pulls pages from the source's page server as the restored process faults on them.</summary>
    public static IReadOnlyList<string> LazyPagesDaemon(string imageDirectory, LazyPages lazy) =>
    [
        "lazy-pages", "-D", imageDirectory, "--page-server", "--address", lazy.Address, "--port", lazy.Port.ToString(CultureInfo.InvariantCulture),
        .. lazy.TlsArguments(), "-o", "lazy-pages.log", "-v2",
    ];

    /// <summary>
    /// Restore, detached and left stopped until the coordinator commits. Each stand-in is passed as
    /// <c>--inherit-fd fd[N]:KEY</c> with N the descriptor number criu inherits it on. The workload's
    /// mount namespace is rebuilt on <paramref name="root"/> (a bind mount of the node's /), its
    /// external bind mounts bound from the same paths of this node; a workload in a container on the
    /// landing container's root instead, each of its external mounts bound from the path
    /// <paramref name="containerMounts"/> gives for its key (<see cref="LandingMounts"/>). With a
    /// landing placeholder (a landing pod) the tree joins its network, IPC and UTS namespaces
    /// (<c>--join-ns</c>) instead of the node's (its cgroups: <see cref="LandingCgroups"/>, after the restore).
    /// </summary>
    public static IReadOnlyList<string> Restore(string imageDirectory, string pidFile, IEnumerable<(int Fd, string Key)> inherited, string root, bool lazy = false, LandingPlaceholder? landing = null, bool repairTcp = false, IReadOnlyList<(string Key, string Path)>? containerMounts = null)
    {
        List<string> args =
        [
            "restore", "-D", imageDirectory, "-d", "--leave-stopped", .. TcpArguments(repairTcp), "--pidfile", pidFile, "--file-locks",
            "--root", root, .. MountArguments(containerMounts), "-o", "restore.log", "-v2",
        ];
        foreach (var (fd, key) in inherited.OrderBy(i => i.Fd))
        {
            args.Add("--inherit-fd");
            args.Add(string.Create(CultureInfo.InvariantCulture, $"fd[{fd}]:{InheritKey(key)}"));
        }

        if (lazy)
        {
            args.Add("--lazy-pages");
        }

        if (landing is not null)
        {
            // A workload with its own network namespace gets the landing's through the inherited descriptor instead.
            foreach (var kind in LandingPlaceholder.JoinedNamespaces.Where(k => k != "net" || !inherited.Any(i => i.Key == WorkloadNetworkKey)))
            {
                args.Add("--join-ns");
                args.Add($"{kind}:{landing.NamespacePath(kind)}");
            }
        }

        return args;
    }
}

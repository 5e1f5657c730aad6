using Ssi.Agent.Native.Mounts;

namespace Ssi.Agent.Migration.Landing;

/// <summary>
/// The file system of a workload that runs in a container (a process in a pod): a root of its own
/// (the image and the container's writable layer, an overlay), and mounts, some of which come from
/// outside the container (its volumes, the files the runtime binds in such as /etc/hosts, the
/// node's shim directory) while the rest belong to it alone (its /proc, its /dev, its /sys). The
/// first kind is what a landing container provides again on the target: the dump declares each of
/// them external by its mount point (<c>--external mnt[MOUNTPOINT]:MOUNTPOINT</c>, as runc does),
/// and the restore binds the landing container's mount at the same place; criu rebuilds the second
/// kind, and the root is the landing container's (<c>--root</c>).
/// </summary>
internal sealed record ContainerFilesystem(MountEntry Root, IReadOnlyList<MountEntry> External)
{
    /// <summary>Mount points of the mounts that come from outside the container, in mount order.</summary>
    public IReadOnlyList<string> ExternalMountPoints => External.Select(m => m.MountPoint).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// From the mount table of the workload (its /proc/PID/mountinfo) and the file systems the node
    /// has mounted (mountinfo device numbers, as the host and the agent see them). A mount is from
    /// outside when its file system is mounted on the node too (a bind of a volume directory, of a
    /// file, of a tmpfs or shared mount the kubelet made); a file system only the container has (its
    /// proc, a tmpfs made for its /dev, its sysfs, devpts, mqueue) and binds of its own root belong to
    /// it. Null when the workload's root is the node's (a workload the agent started: it shares the
    /// node's mounts, see <see cref="Checkpoint.CriuArguments"/>). Pure.
    /// </summary>
    public static ContainerFilesystem? Describe(IReadOnlyList<MountEntry> workloadMounts, IReadOnlySet<string> nodeDevices, bool ownRoot)
    {
        ArgumentNullException.ThrowIfNull(workloadMounts);
        ArgumentNullException.ThrowIfNull(nodeDevices);
        if (!ownRoot || workloadMounts.LastOrDefault(m => m.MountPoint == "/") is not { } root)
        {
            return null;
        }

        var external = workloadMounts
            .Where(m => m != root && m.Device != root.Device && nodeDevices.Contains(m.Device))
            .ToList();
        return new ContainerFilesystem(root, external);
    }

    /// <summary>The external mount a descriptor's mount id (fdinfo mnt_id) names, or null.</summary>
    public MountEntry? ExternalMount(int mountId) => External.LastOrDefault(m => m.Id == mountId);

    /// <summary>A file the runtime binds in by itself (/etc/hosts, /etc/hostname, /etc/resolv.conf): the mount point is the file.</summary>
    public bool IsBoundFile(string path, int mountId) => External.Any(m => m.Id == mountId && m.MountPoint == path);
}

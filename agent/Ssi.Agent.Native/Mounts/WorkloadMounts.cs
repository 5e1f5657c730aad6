namespace Ssi.Agent.Native.Mounts;

/// <summary>What a workload's init does to its copy of the node's mounts: its own /proc, the node's plumbing left out.</summary>
public static class WorkloadMounts
{
    private const ulong MS_NOSUID = 2;
    private const ulong MS_NODEV = 4;
    private const ulong MS_NOEXEC = 8;
    private const int MNT_DETACH = 2;

    /// <summary>
    /// A proc of the caller's PID namespace over /proc. Only for PID 1 of a new PID namespace in a
    /// mount namespace of its own: elsewhere it would hide every other process of the node's /proc.
    /// </summary>
    public static void MountOwnProc()
    {
        if (LibC.mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "") != 0)
        {
            throw NativeException.Last("mount proc on /proc");
        }
    }

    /// <summary>
    /// Detaches, deepest first, every mount of this mount namespace that is a namespace file (nsfs)
    /// or lies at or beneath one of <paramref name="hidden"/>: a workload's copy of the node's mounts
    /// then holds nothing of the node's plumbing, which the node it moves to may not have.
    /// </summary>
    public static void Hide(IReadOnlyCollection<string> hidden)
    {
        var doomed = File.ReadLines("/proc/self/mountinfo")
            .Select(line => (MountPoint: MountTable.MountPointOf(line) ?? "", Type: MountTable.FileSystemTypeOf(line)))
            .Where(m => m.MountPoint.Length > 0 && (m.Type == "nsfs" || hidden.Any(h => IsAtOrBeneath(m.MountPoint, h))))
            .Select(m => m.MountPoint)
            .Reverse()
            .ToList();
        foreach (var mountPoint in doomed)
        {
            _ = LibC.umount2(mountPoint, MNT_DETACH); // already gone with its parent: fine
        }
    }

    private static bool IsAtOrBeneath(string path, string root) =>
        path == root || path.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal);
}

using Ssi.Agent.Native.Mounts;

namespace Ssi.Agent.Migration.Landing;

/// <summary>Reads from /proc what <see cref="ContainerFilesystem"/> decides on.</summary>
internal static class ContainerInspector
{
    /// <summary>
    /// Where the node's mount tables are read: the host's (PID 1's: the agent of a pod sees the
    /// host's processes, and the kubelet's and the runtime's mounts are made there), and the agent's
    /// own (in local mode a node's mounts, its shared filesystem among them, live in the node's mount
    /// namespace, where the agent runs).
    /// </summary>
    private static readonly string[] NodeMountTables = ["/proc/1/mountinfo", "/proc/self/mountinfo"];

    /// <summary>The container file system of the workload whose shim is <paramref name="shimPid"/>, or null when it has the node's root.</summary>
    public static ContainerFilesystem? Of(int shimPid)
    {
        var ownRoot = Processes.ProcFiles.HasOwnRoot(shimPid);
        return ownRoot ? ContainerFilesystem.Describe(MountEntry.Of(shimPid), NodeDevices(), ownRoot) : null;
    }

    /// <summary>Device numbers (mountinfo "MAJ:MIN") of every file system mounted on the node.</summary>
    public static IReadOnlySet<string> NodeDevices()
    {
        var devices = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in NodeMountTables)
        {
            try
            {
                devices.UnionWith(MountEntry.ParseAll(File.ReadLines(table)).Select(m => m.Device));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // a table we may not read adds nothing
            }
        }

        return devices;
    }

    /// <summary>
    /// An overlay's layer directories are paths of the mount namespace that mounted it: the host's
    /// (a container runtime) or, in local mode, this one. Null when neither shows the writable layer.
    /// </summary>
    public static (WritableLayer Layer, Func<string, bool> Exists)? Layers(ContainerFilesystem container)
    {
        ArgumentNullException.ThrowIfNull(container);
        if (WritableLayer.Parse(container.Root.Type, container.Root.SuperOptions) is not { } layer)
        {
            return null;
        }

        foreach (var prefix in new[] { "/proc/1/root", "" })
        {
            if (Directory.Exists(prefix + layer.Upper))
            {
                return (layer, path => File.Exists(prefix + path) || Directory.Exists(prefix + path));
            }
        }

        return null;
    }
}

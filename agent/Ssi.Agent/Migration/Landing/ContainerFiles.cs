using Ssi.Agent.Migration.Planning;

namespace Ssi.Agent.Migration.Landing;

/// <summary>
/// What becomes of the files and directories a workload in a container holds open, once its root
/// and its volumes are the landing container's: criu reopens each by path there.
/// </summary>
internal static class ContainerFiles
{
    /// <summary>
    /// Refines the plan of one descriptor of a workload in a container: a file of the image is
    /// reopened from the landing container's image, a file on a volume from the landing container's
    /// volume (which must hold it: a shared volume does), a file the runtime binds in for the pod
    /// (/etc/hosts) read-only as the landing pod's own; a file the container wrote in its writable
    /// layer blocks the move. <paramref name="exists"/> answers for a path of the layers. Pure.
    /// </summary>
    public static PlannedFd Refine(PlannedFd planned, ContainerFilesystem container, WritableLayer? layer, Func<string, bool> exists)
    {
        ArgumentNullException.ThrowIfNull(planned);
        ArgumentNullException.ThrowIfNull(container);
        var d = planned.Descriptor;
        if (planned.Action != DescriptorKinds.Reopen || planned.Kind is not (DescriptorKinds.File or DescriptorKinds.Directory)
            || d.Link.EndsWith(" (deleted)", StringComparison.Ordinal))
        {
            return planned;
        }

        if (container.IsBoundFile(d.Link, d.MountId))
        {
            return planned with
            {
                Reason = d.AccessMode == 0
                    ? "a file of the pod the runtime binds in: reopened (read-only) as the landing pod's own, whatever its size"
                    : "a file of the pod the runtime binds in: reopened as the landing pod's, which must have the same size",
            };
        }

        if (container.ExternalMount(d.MountId) is { } mount)
        {
            return planned with { Reason = $"on the container's mount {mount.MountPoint}: reopened on the landing container's mount there, which must hold it (a shared volume does)" };
        }

        if (d.MountId != container.Root.Id)
        {
            return planned with { Reason = "on a file system of the container's own: rebuilt by criu with its content" };
        }

        var directory = planned.Kind == DescriptorKinds.Directory;
        return layer?.Unreachable(d.Link, directory, exists) is { } why
            ? new PlannedFd(d, planned.Kind, DescriptorKinds.Blocked, why)
            : planned with { Reason = "from the container's image: reopened in the landing container's, which has the same image" };
    }
}

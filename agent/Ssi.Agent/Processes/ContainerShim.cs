namespace Ssi.Agent.Processes;

/// <summary>
/// How the agent recognises a workload it did not start: the shim run by a container runtime as
/// the init of a pod's container (<c>/run/ssi/bin/ssi-shim -- app</c> in the pod's command). Pure.
/// </summary>
internal static class ContainerShim
{
    /// <summary>The shim's command name (/proc/PID/comm).</summary>
    public const string Command = "ssi-shim";

    /// <summary>
    /// A process is such a shim when it runs the shim as PID 1 of a PID namespace of its own, with a
    /// root that is not the node's (the agent's own workloads share the node's root), in a pod's
    /// cgroup beneath <paramref name="cgroupRoot"/> (the node's pods; "/": any).
    /// </summary>
    public static bool Matches(string command, int hostPid, int namespacePid, bool ownRoot, string? podCgroupPath, string cgroupRoot)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(cgroupRoot);
        return command.TrimEnd('\n') == Command && namespacePid == 1 && hostPid != 1 && ownRoot
            && podCgroupPath is not null && IsBeneath(podCgroupPath, cgroupRoot);
    }

    private static bool IsBeneath(string path, string root) =>
        root.TrimEnd('/') is var trimmed && (trimmed.Length == 0 || path == trimmed || path.StartsWith(trimmed + "/", StringComparison.Ordinal));
}

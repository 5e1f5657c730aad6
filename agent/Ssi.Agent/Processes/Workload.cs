using Ssi.Agent.Contracts.Processes;

namespace Ssi.Agent.Processes;

/// <summary>One workload: the launcher that made its PID namespace, its shim (PID 1) and its command (PID 2 or so).</summary>
internal sealed class Workload(int launcherPid)
{
    public int LauncherPid { get; } = launcherPid;

    public int? ShimPid { get; set; }

    /// <summary>The command the shim started: the root of what users see.</summary>
    public int? RootPid { get; set; }

    public ClusterPid? RootClusterPid { get; set; }
}

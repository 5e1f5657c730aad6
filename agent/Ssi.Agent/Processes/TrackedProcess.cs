using Ssi.Agent.Contracts.Processes;

namespace Ssi.Agent.Processes;

/// <summary>
/// A process of an SSI workload as the table knows it. The launcher (unshare) and the shim are
/// tracked too, to follow the tree, but have no cluster PID and are not listed.
/// </summary>
internal sealed record TrackedProcess(int HostPid, ulong StartTicks, ClusterPid? ClusterPid, int ParentHostPid, Workload Workload)
{
    public bool Hidden => ClusterPid is null;
}

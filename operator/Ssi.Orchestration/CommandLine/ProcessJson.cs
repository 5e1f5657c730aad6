using Ssi.Agent.Contracts.V1;

namespace Ssi.Orchestration.CommandLine;

/// <summary>One process in <c>ps -o json</c>.</summary>
public sealed record ProcessJson(
    long ClusterPid,
    long ParentClusterPid,
    long ProcessGroupClusterPid,
    long SessionClusterPid,
    long WorkloadClusterPid,
    string Node,
    int HostPid,
    int NamespacePid,
    string Command,
    string CommandLine,
    string State,
    long CpuTimeMs,
    double CpuPercent,
    long RssBytes,
    DateTimeOffset? StartedAt)
{
    public static ProcessJson From(ProcessInfo p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new(
            p.ClusterPid,
            p.ParentClusterPid,
            p.ProcessGroupClusterPid,
            p.SessionClusterPid,
            p.WorkloadClusterPid,
            p.Node,
            p.HostPid,
            p.NamespacePid,
            p.Command,
            p.CommandLine,
            p.State,
            p.CpuTimeMs,
            p.CpuPercent,
            p.RssBytes,
            p.StartedAt?.ToDateTimeOffset());
    }
}

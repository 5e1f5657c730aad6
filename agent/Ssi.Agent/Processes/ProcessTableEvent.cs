using Ssi.Agent.Contracts.Processes;

namespace Ssi.Agent.Processes;

internal enum ProcessTableEventKind
{
    Started,
    Exited,
    Execed,

    /// <summary>A workload ended here (its shim with it); <see cref="ProcessTableEvent.End"/> says how.</summary>
    WorkloadEnded,
}

/// <summary>A change of the table, for watchers.</summary>
internal sealed record ProcessTableEvent(ProcessTableEventKind Kind, ClusterPid ClusterPid, ClusterPid? Parent, int HostPid, DateTimeOffset At, WorkloadEnd? End = null);

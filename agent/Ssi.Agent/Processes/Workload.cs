using Ssi.Agent.Contracts.Processes;
using Ssi.Agent.Native.Processes;

namespace Ssi.Agent.Processes;

/// <summary>
/// One workload: the launcher that made its PID namespace, its shim (PID 1) and its command (PID 2 or so).
/// A workload restored here by a migration has no launcher: its shim plays that part.
/// </summary>
internal sealed class Workload(int launcherPid)
{
    private readonly TaskCompletionSource _rootKnown = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _orphansReaped;

    public int LauncherPid { get; } = launcherPid;

    public int? ShimPid { get; set; }

    /// <summary>The command the shim started: the root of what users see.</summary>
    public int? RootPid { get; private set; }

    /// <summary>Completes when <see cref="RootPid"/> is known (the kernel's fork event, a walk of /proc, or the shim's report).</summary>
    public Task RootKnown => _rootKnown.Task;

    public ClusterPid? RootClusterPid { get; set; }

    /// <summary>Restored workloads: the cluster PIDs their processes had, by PID inside the workload's namespace.</summary>
    public IReadOnlyDictionary<int, ClusterPid>? RestoredClusterPids { get; init; }

    /// <summary>Where a caller waits for the exit status (the node that started it with `ssi run`), if anywhere.</summary>
    public string? SessionNode { get; set; }

    public string? SessionEndpoint { get; set; }

    /// <summary>Set when the workload moved to another node: its exit status will come from there.</summary>
    public TaskCompletionSource<ExitStatus>? RemoteExit { get; set; }

    /// <summary>The workload moved to another node: the end of the copy here is not its end.</summary>
    public bool MovedAway { get; set; }

    /// <summary>How the command ended, as its shim reported it (null until then, or when the report was lost).</summary>
    public ExitStatus? ReportedExit { get; set; }

    /// <summary>Orphans the shim reported it reaped.</summary>
    public int OrphansReaped => _orphansReaped;

    public bool Restored => RestoredClusterPids is not null;

    public void SetRoot(int pid)
    {
        RootPid = pid;
        _rootKnown.TrySetResult();
    }

    public void CountOrphanReaped() => Interlocked.Increment(ref _orphansReaped);
}

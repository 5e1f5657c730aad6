namespace Ssi.Agent.Native.Processes;

/// <summary>What a workload's shim tells its node's agent.</summary>
public enum ShimReportKind
{
    /// <summary>The shim (PID 1 of the workload) started the command.</summary>
    Started,

    /// <summary>The command ended; the shim ends too.</summary>
    Exited,

    /// <summary>The shim reaped an orphan of the workload (a process whose parent had ended).</summary>
    Reaped,
}

using Ssi.Agent.Native.Processes;

namespace Ssi.Agent.Processes;

/// <summary>How a workload ended: its command's status, whether its shim reported it (else it is how the shim or launcher ended), and the orphans the shim reported it reaped.</summary>
internal sealed record WorkloadEnd(ExitStatus Status, bool ReportedByShim, int OrphansReaped);

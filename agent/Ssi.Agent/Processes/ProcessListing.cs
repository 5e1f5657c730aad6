using Google.Protobuf.WellKnownTypes;
using Ssi.Agent.Contracts.V1;

namespace Ssi.Agent.Processes;

/// <summary>Turns the table's processes into <see cref="ProcessInfo"/> rows with live figures from /proc.</summary>
internal static class ProcessListing
{
    public static IEnumerable<ProcessInfo> Describe(ProcessTable table, string node, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(table);
        var pageSize = Environment.SystemPageSize;
        // A workload that moved away may linger here a moment (lazy mode: until its pages are pulled): it is listed where it runs.
        foreach (var process in table.Snapshot().Where(p => !p.Workload.MovedAway))
        {
            if (ProcStat.Read(process.HostPid) is not { } stat || stat.StartTicks != process.StartTicks)
            {
                continue; // ended since the snapshot
            }

            var started = ProcFiles.StartedAt(stat.StartTicks);
            var cpuMs = (stat.UserTicks + stat.SystemTicks) * 1000 / ProcFiles.TicksPerSecond;
            var lifetimeMs = Math.Max(1, (now - started).TotalMilliseconds);
            var commandLine = ProcFiles.CommandLine(process.HostPid);
            yield return new ProcessInfo
            {
                ClusterPid = process.ClusterPid!.Value.Value,
                ParentClusterPid = ClusterPidOf(table, stat.ParentPid),
                ProcessGroupClusterPid = ClusterPidOf(table, stat.ProcessGroup),
                SessionClusterPid = ClusterPidOf(table, stat.Session),
                Node = node,
                HostPid = process.HostPid,
                NamespacePid = ProcFiles.NamespacePid(process.HostPid),
                Command = stat.Command,
                CommandLine = commandLine.Length > 0 ? commandLine : $"[{stat.Command}]",
                State = stat.State.ToString(),
                CpuTimeMs = cpuMs,
                CpuPercent = Math.Round(100.0 * cpuMs / lifetimeMs, 1),
                RssBytes = stat.RssPages * pageSize,
                StartedAt = Timestamp.FromDateTimeOffset(started),
                WorkloadClusterPid = process.Workload.RootClusterPid?.Value ?? 0,
            };
        }
    }

    private static long ClusterPidOf(ProcessTable table, int hostPid) =>
        table.FindByHostPid(hostPid)?.ClusterPid?.Value ?? 0;
}

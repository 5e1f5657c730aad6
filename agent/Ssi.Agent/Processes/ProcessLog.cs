using Microsoft.Extensions.Logging;

namespace Ssi.Agent.Processes;

/// <summary>Log messages of the process table and workloads (event ids 1300-1399).</summary>
internal static partial class ProcessLog
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "Following process events through the kernel's proc connector")]
    public static partial void ConnectorOpened(ILogger logger);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "The kernel's proc connector is unavailable ({Reason}); the process table polls /proc instead")]
    public static partial void ConnectorUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Process events were lost (receive buffer overflow); resynchronising from /proc")]
    public static partial void EventsLost(ILogger logger);

    [LoggerMessage(EventId = 1310, Level = LogLevel.Information, Message = "Workload {ClusterPid} started: {Command} (host pid {HostPid}, tty {Tty})")]
    public static partial void WorkloadStarted(ILogger logger, long clusterPid, string command, int hostPid, bool tty);

    [LoggerMessage(EventId = 1311, Level = LogLevel.Information, Message = "Workload {ClusterPid} ended with exit code {ExitCode}")]
    public static partial void WorkloadEnded(ILogger logger, long clusterPid, int exitCode);

    [LoggerMessage(EventId = 1330, Level = LogLevel.Information, Message = "Shims report to {Path}")]
    public static partial void ShimReportsListening(ILogger logger, string path);

    [LoggerMessage(EventId = 1331, Level = LogLevel.Warning, Message = "Shims cannot report to {Path} ({Reason}); starts and ends are known from the kernel only")]
    public static partial void ShimReportsUnavailable(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 1332, Level = LogLevel.Debug, Message = "Shim of workload {ClusterPid} reported {Kind}: pid {Pid}, exit code {ExitCode}, signal {Signal}")]
    public static partial void ShimReported(ILogger logger, long clusterPid, string kind, int pid, int exitCode, int signal);

    [LoggerMessage(EventId = 1333, Level = LogLevel.Warning, Message = "Dropped a datagram of {Length} bytes from pid {SenderPid} on the shim report socket: not a report")]
    public static partial void ShimReportGarbled(ILogger logger, int senderPid, int length);

    [LoggerMessage(EventId = 1334, Level = LogLevel.Warning, Message = "Dropped a {Kind} report from pid {SenderPid}, which is no shim of this node")]
    public static partial void ShimReportFromStranger(ILogger logger, int senderPid, string kind);

    [LoggerMessage(EventId = 1335, Level = LogLevel.Warning, Message = "Receiving shim reports failed: {Reason}")]
    public static partial void ShimReportsFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1320, Level = LogLevel.Information, Message = "Signal {Signal} sent to {Target} {ClusterPid}")]
    public static partial void Signalled(ILogger logger, int signal, string target, long clusterPid);

    [LoggerMessage(EventId = 1340, Level = LogLevel.Information, Message = "Found the shim of container {ContainerId} (host pid {ShimPid}): workload {ClusterPid}")]
    public static partial void ContainerWorkloadFound(ILogger logger, int shimPid, string containerId, long clusterPid);
}

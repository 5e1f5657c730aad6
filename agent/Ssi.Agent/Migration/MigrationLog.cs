using Microsoft.Extensions.Logging;

namespace Ssi.Agent.Migration;

/// <summary>Log messages of migration (event ids 1500-1599).</summary>
internal static partial class MigrationLog
{
    [LoggerMessage(EventId = 1500, Level = LogLevel.Information, Message = "Migration {AttemptId}: checkpointed workload {ClusterPid} for {Target} ({Bytes} bytes, dump {DumpMs} ms of which criu {CriuMs}, transfer {TransferMs} ms after it)")]
    public static partial void Checkpointed(ILogger logger, string attemptId, long clusterPid, string target, long bytes, long dumpMs, long criuMs, long transferMs);

    [LoggerMessage(EventId = 1501, Level = LogLevel.Information, Message = "Migration {AttemptId}: restored workload {ClusterPid} from {Source} as host pid {HostPid} ({RestoreMs} ms: stand-ins {StandInMs}, criu {CriuMs}), stopped until commit")]
    public static partial void Restored(ILogger logger, string attemptId, long clusterPid, string source, int hostPid, long restoreMs, long standInMs, long criuMs);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Information, Message = "Migration {AttemptId}: committed; the original of workload {ClusterPid} ended")]
    public static partial void Committed(ILogger logger, string attemptId, long clusterPid);

    [LoggerMessage(EventId = 1503, Level = LogLevel.Information, Message = "Migration {AttemptId}: workload resumed")]
    public static partial void Resumed(ILogger logger, string attemptId);

    [LoggerMessage(EventId = 1504, Level = LogLevel.Warning, Message = "Migration {AttemptId}: rolled back, the original runs again")]
    public static partial void RolledBack(ILogger logger, string attemptId);

    [LoggerMessage(EventId = 1505, Level = LogLevel.Warning, Message = "Migration {AttemptId}: aborted on the target ({What})")]
    public static partial void Aborted(ILogger logger, string attemptId, string what);

    [LoggerMessage(EventId = 1506, Level = LogLevel.Information, Message = "Migration {AttemptId}: the target did not confirm over the image link that the copy runs ({Why}); the coordinator resumes it")]
    public static partial void ResumeNotConfirmed(ILogger logger, string attemptId, string why);

    [LoggerMessage(EventId = 1510, Level = LogLevel.Information, Message = "Relayed object {ObjectId} finished: {Why}")]
    public static partial void ObjectFinished(ILogger logger, string objectId, string why);

    [LoggerMessage(EventId = 1511, Level = LogLevel.Information, Message = "Stand-in {Key} for {ObjectId} detached from {HomeNode}: the process moved on")]
    public static partial void StandInDetached(ILogger logger, string key, string objectId, string homeNode);

    [LoggerMessage(EventId = 1512, Level = LogLevel.Warning, Message = "Stand-in {Key} for {ObjectId} lost its home {HomeNode}: {Error}")]
    public static partial void StandInLost(ILogger logger, string key, string objectId, string homeNode, string error);

    [LoggerMessage(EventId = 1520, Level = LogLevel.Warning, Message = "Migration {AttemptId}: found left stopped after a restart; {Action}")]
    public static partial void Recovered(ILogger logger, string attemptId, string action);

    [LoggerMessage(EventId = 1530, Level = LogLevel.Information, Message = "Raised {Setting} from {From} to {To} for criu's page server")]
    public static partial void Tuned(ILogger logger, string setting, int from, int to);

    [LoggerMessage(EventId = 1531, Level = LogLevel.Information, Message = "Migration {AttemptId}: {Count} periodic timerfds that had expired unread come back armed with their interval")]
    public static partial void TimersRearmed(ILogger logger, string attemptId, int count);
}

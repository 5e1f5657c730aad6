using Microsoft.Extensions.Logging;

namespace Ssi.Agent.Filesystem;

/// <summary>Log messages of the shared filesystem (event ids 1400-1499).</summary>
internal static partial class FsLog
{
    [LoggerMessage(EventId = 1400, Level = LogLevel.Information, Message = "FUSE mount {MountPoint} initialised: kernel protocol 7.{KernelMajor}.{KernelMinor}, passthrough {Passthrough}")]
    public static partial void Initialized(ILogger logger, string mountPoint, uint kernelMajor, uint kernelMinor, bool passthrough);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Error, Message = "FUSE device failed: {Reason}")]
    public static partial void DeviceFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "Malformed FUSE request: {Reason}")]
    public static partial void BadRequest(ILogger logger, string reason);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Warning, Message = "The kernel refused a passthrough backing file: {Reason}")]
    public static partial void PassthroughRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 1405, Level = LogLevel.Warning, Message = "{Count} cache invalidations were not acknowledged in time; the change is acknowledged anyway")]
    public static partial void InvalidationTimedOut(ILogger logger, int count);

    [LoggerMessage(EventId = 1406, Level = LogLevel.Information, Message = "Node {NodeIndex} watches the shared filesystem for invalidations")]
    public static partial void WatcherJoined(ILogger logger, int nodeIndex);

    [LoggerMessage(EventId = 1407, Level = LogLevel.Information, Message = "Node {NodeIndex} stopped watching the shared filesystem")]
    public static partial void WatcherLeft(ILogger logger, int nodeIndex);

    [LoggerMessage(EventId = 1408, Level = LogLevel.Warning, Message = "The home of the shared filesystem is unreachable: {Reason}")]
    public static partial void HomeUnreachable(ILogger logger, string reason);

    [LoggerMessage(EventId = 1409, Level = LogLevel.Error, Message = "A FUSE request failed unexpectedly; it was answered with EIO")]
    public static partial void RequestFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Information, Message = "Shared filesystem mounted at {MountPoint} ({Role}, backing {Backing})")]
    public static partial void Mounted(ILogger logger, string mountPoint, string role, string backing);

    [LoggerMessage(EventId = 1411, Level = LogLevel.Warning, Message = "Node {NodeIndex} is gone from the shared filesystem (restarted: {Restarted}; else disconnected past the grace period): its locks are released")]
    public static partial void NodeGone(ILogger logger, int nodeIndex, bool restarted);

    [LoggerMessage(EventId = 1410, Level = LogLevel.Warning, Message = "The shared volume at {MountPoint} is not usable: {Reason}")]
    public static partial void VolumeUnusable(ILogger logger, string mountPoint, string reason);

    [LoggerMessage(EventId = 1415, Level = LogLevel.Information, Message = "The filesystem link of node {NodeIndex} ended: {Reason}")]
    public static partial void LinkEnded(ILogger logger, int nodeIndex, string reason);

    [LoggerMessage(EventId = 1412, Level = LogLevel.Information, Message = "Linked to the home of the shared filesystem at {Endpoint}")]
    public static partial void LinkUp(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 1413, Level = LogLevel.Warning, Message = "The link to the home of the shared filesystem broke ({Reason}); {Pending} requests failed")]
    public static partial void LinkDown(ILogger logger, string reason, int pending);

    [LoggerMessage(EventId = 1414, Level = LogLevel.Warning, Message = "Refused a filesystem link: {Reason}")]
    public static partial void LinkRefused(ILogger logger, string reason);
}

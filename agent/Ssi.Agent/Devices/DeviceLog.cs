using Microsoft.Extensions.Logging;

namespace Ssi.Agent.Devices;

/// <summary>Log messages of remote devices (event ids 1500-1599).</summary>
internal static partial class DeviceLog
{
    [LoggerMessage(EventId = 1600, Level = LogLevel.Information, Message = "Remote devices of {Peers} mounted at {MountPoint}")]
    public static partial void Mounted(ILogger logger, string mountPoint, string peers);

    [LoggerMessage(EventId = 1601, Level = LogLevel.Warning, Message = "ioctl command 0x{Command:x8} on {Device} is not in the table of known commands: ENOTTY")]
    public static partial void UnknownIoctl(ILogger logger, uint command, string device);

    [LoggerMessage(EventId = 1602, Level = LogLevel.Information, Message = "Node {Peer} opened {Device} ({Path}) for pid {Pid} ({Command})")]
    public static partial void Opened(ILogger logger, string peer, string device, string path, uint pid, string command);

    [LoggerMessage(EventId = 1603, Level = LogLevel.Warning, Message = "Node {Peer} asked for device \"{Device}\", which this node does not export")]
    public static partial void Refused(ILogger logger, string peer, string device);

    [LoggerMessage(EventId = 1604, Level = LogLevel.Information, Message = "Device session of node {Peer} ended; {Count} handles closed")]
    public static partial void SessionEnded(ILogger logger, string peer, int count);

    [LoggerMessage(EventId = 1605, Level = LogLevel.Warning, Message = "Device session with node {Peer} failed: {Reason}")]
    public static partial void PeerLost(ILogger logger, string peer, string reason);

    [LoggerMessage(EventId = 1606, Level = LogLevel.Warning, Message = "Export pattern {Pattern} matches {Path}, which is not a character device; not exported")]
    public static partial void NotCharacterDevice(ILogger logger, string pattern, string path);

    [LoggerMessage(EventId = 1607, Level = LogLevel.Warning, Message = "Could not access the caller's memory for ioctl 0x{Command:x8} (pid {Pid}): errno {Errno}")]
    public static partial void CallerMemory(ILogger logger, uint command, uint pid, int errno);

    [LoggerMessage(EventId = 1608, Level = LogLevel.Error, Message = "A device request failed unexpectedly; it was answered with EIO")]
    public static partial void RequestFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1609, Level = LogLevel.Information, Message = "Remote devices: node {Peer} is now at {Endpoint}")]
    public static partial void PeerMoved(ILogger logger, string peer, string endpoint);

    [LoggerMessage(EventId = 1610, Level = LogLevel.Warning, Message = "Remote devices: the new peer list is not valid, kept the old one: {Reason}")]
    public static partial void PeersInvalid(ILogger logger, string reason);
}

using Microsoft.Extensions.Logging;

namespace Ssi.Agent.Hosting;

/// <summary>Log messages of agent hosting and security (event ids 1000-1199).</summary>
internal static partial class AgentLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Agent {Version} of node {Node} (index {NodeIndex}) in cluster {Cluster} listening on {Listen}")]
    public static partial void Started(ILogger logger, string version, string node, int nodeIndex, string cluster, string listen);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Capabilities: CRIU {Criu}, FUSE {Fuse}, pidfd_getfd {Pidfd}, userfaultfd {Uffd}")]
    public static partial void Capabilities(ILogger logger, string criu, string fuse, string pidfd, string uffd);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Agent stopping")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Installed the workload init for landing pods at {Path}")]
    public static partial void ShimInstalled(ILogger logger, string path);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Unmounted {Count} copies of landing containers' mounts that a restore left when the agent stopped")]
    public static partial void LandingCopiesReleased(ILogger logger, int count);

    [LoggerMessage(EventId = 1100, Level = LogLevel.Warning, Message = "Refused a client: {Reason}")]
    public static partial void ClientRefused(ILogger logger, string reason);
}

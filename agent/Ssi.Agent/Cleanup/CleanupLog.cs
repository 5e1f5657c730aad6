using Microsoft.Extensions.Logging;

namespace Ssi.Agent.Cleanup;

/// <summary>Log messages of the node cleanup (event ids 1700-1799).</summary>
internal static partial class CleanupLog
{
    [LoggerMessage(EventId = 1700, Level = LogLevel.Information, Message = "Node cleaned up for the deletion of its cluster: {Actions} actions, {Failures} failures")]
    public static partial void CleanedUp(ILogger logger, int actions, int failures);
}

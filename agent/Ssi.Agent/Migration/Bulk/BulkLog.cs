using Microsoft.Extensions.Logging;

namespace Ssi.Agent.Migration.Bulk;

/// <summary>Log messages of bulk links (event ids 1540-1549).</summary>
internal static partial class BulkLog
{
    [LoggerMessage(EventId = 1540, Level = LogLevel.Information, Message = "Taking bulk links (relays, images) on port {Port}")]
    public static partial void Listening(ILogger logger, int port);

    [LoggerMessage(EventId = 1541, Level = LogLevel.Warning, Message = "A bulk link was refused: {Reason}")]
    public static partial void LinkRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 1542, Level = LogLevel.Information, Message = "A bulk link ended: {Reason}")]
    public static partial void LinkEnded(ILogger logger, string reason);

    [LoggerMessage(EventId = 1543, Level = LogLevel.Error, Message = "A bulk link failed")]
    public static partial void LinkFailed(ILogger logger, Exception exception);
}

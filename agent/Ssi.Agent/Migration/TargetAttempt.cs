using Ssi.Agent.Migration.Checkpoint;
using Ssi.Agent.Migration.Relay;

namespace Ssi.Agent.Migration;

/// <summary>A migration onto this node, between restore and resume or abort.</summary>
internal sealed class TargetAttempt(string id, string imageDirectory)
{
    public string Id { get; } = id;

    public string ImageDirectory { get; } = imageDirectory;

    public int? ShimPid { get; set; }

    public List<StandIn> StandIns { get; } = [];

    /// <summary>Lazy mode: the daemon that pulls pages from the source as the restored tree touches them.</summary>
    public CriuProcess? LazyDaemon { get; set; }
}

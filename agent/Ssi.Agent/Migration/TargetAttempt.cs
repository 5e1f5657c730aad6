using Ssi.Agent.Migration.Relay;

namespace Ssi.Agent.Migration;

/// <summary>A migration onto this node, between restore and resume or abort.</summary>
internal sealed class TargetAttempt(string id, string imageDirectory)
{
    public string Id { get; } = id;

    public string ImageDirectory { get; } = imageDirectory;

    public int? ShimPid { get; set; }

    public List<StandIn> StandIns { get; } = [];
}

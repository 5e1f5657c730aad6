using Ssi.Agent.Migration.Bulk;
using Ssi.Agent.Migration.Checkpoint;
using Ssi.Agent.Migration.Relay;
using Ssi.Agent.Processes;

namespace Ssi.Agent.Migration;

/// <summary>A migration of a workload away from this node, between checkpoint and commit or rollback.</summary>
internal sealed class SourceAttempt(string id, Workload workload, int shimPid, IReadOnlyList<int> pids, string imageDirectory)
{
    public string Id { get; } = id;

    public Workload Workload { get; } = workload;

    public int ShimPid { get; } = shimPid;

    /// <summary>Every task of the tree at checkpoint time (all left stopped by criu).</summary>
    public IReadOnlyList<int> Pids { get; } = pids;

    public string ImageDirectory { get; } = imageDirectory;

    /// <summary>Stand-ins of this node whose process is moving on (they detach at commit).</summary>
    public List<StandIn> MovingStandIns { get; } = [];

    /// <summary>Lazy mode: the criu dump that keeps the tree frozen and serves its pages until the target has them all.</summary>
    public CriuProcess? LazyDump { get; set; }

    /// <summary>The link the images went to the target on, kept open between checkpoint and commit: it carries the target's Resume.</summary>
    public BulkConnection? Handoff { get; set; }

    /// <summary>TCP connections criu moves with TCP repair, kept so that a rollback can resume them.</summary>
    public RepairedConnections Repaired { get; set; } = RepairedConnections.None;
}

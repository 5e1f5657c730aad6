namespace Ssi.Agent.Node;

/// <summary>What this node can do, probed once at start-up.</summary>
internal sealed record NodeCapabilities(NodeCapability Criu, NodeCapability Fuse, NodeCapability PidfdGetfd, NodeCapability Userfaultfd)
{
    public Contracts.V1.NodeCapabilities ToContract() => new()
    {
        Criu = Criu.ToContract(),
        Fuse = Fuse.ToContract(),
        PidfdGetfd = PidfdGetfd.ToContract(),
        Userfaultfd = Userfaultfd.ToContract(),
    };
}

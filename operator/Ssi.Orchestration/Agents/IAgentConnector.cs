using Grpc.Net.Client;

namespace Ssi.Orchestration.Agents;

/// <summary>
/// Reaches the agents of one cluster over mutual TLS. Local mode enters the node's network
/// namespace; the operator dials the agent pods. Orchestration code sees only this seam.
/// </summary>
public interface IAgentConnector
{
    /// <summary>Node names of the cluster, in index order.</summary>
    IReadOnlyList<string> Nodes { get; }

    /// <summary>A (cached) channel to the agent of <paramref name="node"/>.</summary>
    GrpcChannel ChannelFor(string node);
}

using Ssi.Api.V1Alpha1;
using Ssi.Orchestration.Agents;

namespace Ssi.Operator.Agents;

/// <summary>The agents of one SsiCluster as the operator reaches them (the seam tests replace).</summary>
internal interface IAgentFleet
{
    /// <summary>Asks every agent of the cluster how it is (Node service); never throws for an unreachable agent.</summary>
    Task<IReadOnlyList<NodeHealth>> ProbeAsync(V1Alpha1SsiCluster cluster, CancellationToken cancellationToken);

    /// <summary>
    /// Asks every agent of the cluster to unmount the shared filesystem and devices, stop relays and
    /// drop its runtime state (Node.Cleanup), all at once; never throws for an unreachable agent.
    /// </summary>
    Task<AgentCleanupReport> CleanupAsync(V1Alpha1SsiCluster cluster, CancellationToken cancellationToken);
}

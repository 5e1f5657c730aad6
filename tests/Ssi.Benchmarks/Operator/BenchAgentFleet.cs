using Ssi.Agent.Contracts.V1;
using Ssi.Api.V1Alpha1;
using Ssi.Operator.Agents;
using Ssi.Orchestration.Agents;

namespace Ssi.Benchmarks.Operator;

/// <summary>Every listed node's agent answers healthy and mounted, at once (the bench measures the operator, not agents).</summary>
internal sealed class BenchAgentFleet : IAgentFleet
{
    public Task<IReadOnlyList<NodeHealth>> ProbeAsync(V1Alpha1SsiCluster cluster, CancellationToken cancellationToken)
    {
        IReadOnlyList<NodeHealth> health = (cluster.Spec.Nodes ?? []).Select(n => new NodeHealth(n.Name, true, true, "", new GetNodeInfoResponse
        {
            AgentVersion = "bench",
            Identity = new NodeIdentity { Node = n.Name },
            Filesystem = new FilesystemStatus { Enabled = true, Mounted = true },
        })).ToList();
        return Task.FromResult(health);
    }

    public Task<AgentCleanupReport> CleanupAsync(V1Alpha1SsiCluster cluster, CancellationToken cancellationToken) =>
        Task.FromResult(new AgentCleanupReport((cluster.Spec.Nodes ?? []).Select(n => n.Name).ToList(), []));
}

using System.Collections.Concurrent;
using Ssi.Agent.Contracts.V1;
using Ssi.Api.V1Alpha1;
using Ssi.Operator.Agents;
using Ssi.Orchestration.Agents;
using Ssi.Orchestration.Processes;

namespace Ssi.Operator.Tests.Integration;

/// <summary>Agents as the tests want them: every listed node healthy and mounted unless marked down.</summary>
internal sealed class FakeAgentFleet : IAgentFleet
{
    public ConcurrentDictionary<string, bool> Down { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<string> Cleanups { get; } = new();

    public Task<IReadOnlyList<NodeHealth>> ProbeAsync(V1Alpha1SsiCluster cluster, CancellationToken cancellationToken)
    {
        var nodes = cluster.Spec.Nodes is { Count: > 0 } listed ? listed.Select(n => n.Name).ToList() : ["node-a", "node-b"];
        IReadOnlyList<NodeHealth> health = nodes.Select(n => Down.ContainsKey(n)
            ? new NodeHealth(n, false, false, "The agent is unreachable.", null)
            : new NodeHealth(n, true, true, "", new GetNodeInfoResponse
            {
                AgentVersion = "0.1.0",
                Identity = new NodeIdentity { Cluster = cluster.Metadata.Name, Node = n, Endpoint = $"10.0.0.{nodes.IndexOf(n) + 1}:7443" },
                Filesystem = new FilesystemStatus { Enabled = true, Mounted = true, MountPath = "/ssi" },
                Capabilities = new NodeCapabilities { Criu = new Capability { Available = true, Version = "4.2.1" } },
            })).ToList();
        return Task.FromResult(health);
    }

    public Task<AgentCleanupReport> CleanupAsync(V1Alpha1SsiCluster cluster, CancellationToken cancellationToken)
    {
        Cleanups.Enqueue(cluster.Metadata.NamespaceProperty + "/" + cluster.Metadata.Name);
        var nodes = (cluster.Spec.Nodes ?? []).Select(n => n.Name).ToList();
        return Task.FromResult(new AgentCleanupReport(
            nodes.Where(n => !Down.ContainsKey(n)).ToList(),
            nodes.Where(Down.ContainsKey).Select(n => new UnreachableNode(n, "unreachable")).ToList()));
    }
}

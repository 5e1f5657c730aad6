using System.Globalization;
using Ssi.Agent.Contracts.Topology;
using Ssi.Api.V1Alpha1;
using Ssi.Api.Validation;

namespace Ssi.Operator.SsiClusters;

/// <summary>
/// The cluster topology the agents read (pure): each node's index, agent endpoint and exports.
/// Listed nodes keep their position in <c>spec.nodes</c> as index, as in local mode. A cluster that
/// selects its nodes by label gets an index for each node an agent pod is scheduled on, kept from the
/// previous topology for as long as it is there: a node keeps its index when its agent restarts or
/// the node is drained, so cluster PIDs minted there (which keep their number when the process moves)
/// never collide with another node's. An index is only given again when all 64 are taken, and then
/// only one whose node has no agent pod.
/// </summary>
internal static class SsiClusterTopologyBuilder
{
    public static ClusterTopology Build(V1Alpha1SsiCluster cluster, ClusterTopology? previous, IReadOnlyList<AgentPod> pods)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(pods);
        var port = cluster.Spec.Agent?.Port ?? SsiAgentSpec.DefaultPort;
        var endpoints = pods
            .Where(p => !p.Deleting && !string.IsNullOrEmpty(p.PodIp))
            .GroupBy(p => p.Node, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => Endpoint(g.OrderBy(p => p.Name, StringComparer.Ordinal).First().PodIp!, port), StringComparer.Ordinal);

        if (cluster.Spec.Nodes is { Count: > 0 } listed)
        {
            return new ClusterTopology(listed
                .Select((n, i) => new TopologyNode(n.Name, i, endpoints.GetValueOrDefault(n.Name), n.Devices ?? []))
                .ToList());
        }

        var indices = (previous?.Nodes ?? []).ToDictionary(n => n.Name, n => n.Index, StringComparer.Ordinal);
        var scheduled = pods.Select(p => p.Node).Where(n => n.Length > 0).ToHashSet(StringComparer.Ordinal);
        foreach (var node in scheduled.Where(n => !indices.ContainsKey(n)).Order(StringComparer.Ordinal))
        {
            var used = indices.Values.ToHashSet();
            var free = Enumerable.Range(0, SsiClusterValidator.MaxNodes).Where(i => !used.Contains(i)).Select(i => (int?)i).FirstOrDefault();
            if (free is null)
            {
                // Every index is taken: give one back from a node that has no agent pod, if there is one.
                var gone = indices.Where(e => !scheduled.Contains(e.Key)).OrderBy(e => e.Value).Select(e => e.Key).FirstOrDefault();
                if (gone is null)
                {
                    continue;
                }

                free = indices[gone];
                indices.Remove(gone);
            }

            indices[node] = free.Value;
        }

        return new ClusterTopology(indices
            .OrderBy(e => e.Value)
            .Select(e => new TopologyNode(e.Key, e.Value, endpoints.GetValueOrDefault(e.Key), []))
            .ToList());
    }

    private static string Endpoint(string ip, int port) =>
        (ip.Contains(':', StringComparison.Ordinal) ? $"[{ip}]" : ip) + ":" + port.ToString(CultureInfo.InvariantCulture);
}

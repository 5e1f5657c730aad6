using System.Text.Json;

namespace Ssi.Agent.Contracts.Topology;

/// <summary>
/// Who is in a cluster, as every agent reads it from one file: each node's name, its index (part of
/// every cluster PID minted there), the endpoint its agent listens on and the devices it exports.
/// The operator writes it into a ConfigMap mounted by every agent pod; local mode writes it into the
/// cluster's state directory. An agent takes its own index once, at start; exports and peers are
/// read again whenever the file changes.
/// </summary>
public sealed record ClusterTopology(IReadOnlyList<TopologyNode> Nodes)
{
    /// <summary>The file's name in the operator's ConfigMap and in local mode's state directory.</summary>
    public const string FileName = "topology.json";

    public static ClusterTopology Empty { get; } = new([]);

    public TopologyNode? Find(string name) => Nodes.FirstOrDefault(n => n.Name == name);

    /// <summary>Parses the file's text; a malformed file throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static ClusterTopology Parse(string json)
    {
        ClusterTopology? topology;
        try
        {
            topology = JsonSerializer.Deserialize(json, TopologyJsonContext.Default.ClusterTopology);
        }
        catch (JsonException e)
        {
            throw new FormatException($"the cluster topology is not valid JSON: {e.Message}", e);
        }

        if (topology?.Nodes is null)
        {
            throw new FormatException("the cluster topology has no \"nodes\" list");
        }

        foreach (var node in topology.Nodes)
        {
            if (string.IsNullOrEmpty(node.Name) || node.Index < 0)
            {
                throw new FormatException("every node of the cluster topology has a name and an index >= 0");
            }
        }

        var duplicate = topology.Nodes.GroupBy(n => n.Index).FirstOrDefault(g => g.Count() > 1)?.First()
            ?? topology.Nodes.GroupBy(n => n.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.First();
        return duplicate is null
            ? topology with { Nodes = topology.Nodes.Select(n => n with { Devices = n.Devices ?? [] }).ToList() }
            : throw new FormatException($"the cluster topology has two nodes named {duplicate.Name} or with index {duplicate.Index}");
    }

    /// <summary>Reads and parses <paramref name="path"/>; null when the file is not there (yet).</summary>
    public static ClusterTopology? TryRead(string path) =>
        File.Exists(path) ? Parse(File.ReadAllText(path)) : null;

    /// <summary>Deterministic text: nodes by index, indented, so that equal topologies are equal files.</summary>
    public string ToJson() =>
        JsonSerializer.Serialize(this with { Nodes = Nodes.OrderBy(n => n.Index).ToList() }, TopologyJsonContext.Default.ClusterTopology) + "\n";
}

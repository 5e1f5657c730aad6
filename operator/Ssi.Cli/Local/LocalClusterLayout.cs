using System.Globalization;
using System.Net;
using Ssi.Agent.Contracts.Topology;
using Ssi.Api.V1Alpha1;

namespace Ssi.Cli.Local;

/// <summary>
/// Everything a local cluster consists of on this machine, derived from its SsiCluster alone
/// (pure: no I/O). Names put '.' between parts, which a DNS-1123 name cannot contain, so that
/// one cluster's names can never be mistaken for another's.
/// </summary>
internal sealed record LocalClusterLayout(
    string Cluster,
    string StateDirectory,
    string SwitchNamespace,
    string BridgeName,
    string Subnet,
    int PrefixLength,
    int AgentPort,
    string LogLevel,
    IReadOnlyList<LocalNodeLayout> Nodes,
    LocalFilesystemLayout Filesystem)
{
    public const string DefaultDataRoot = "/var/lib/ssi-operator";

    public const string DefaultRoot = "/run/ssi-operator";
    public const string NamespacePrefix = "ssi.";

    public string StateFile => Path.Combine(StateDirectory, "state.json");

    public string PkiDirectory => Path.Combine(StateDirectory, "pki");

    public string NamespaceDirectory => Path.Combine(StateDirectory, "ns");

    public string LogDirectory => Path.Combine(StateDirectory, "logs");

    /// <summary>A reference to the host's network namespace, where the kernel delivers process events to agents.</summary>
    public string HostNetworkNamespaceFile => Path.Combine(NamespaceDirectory, "host.net");

    public string ClientCredentialsDirectory => Path.Combine(PkiDirectory, "cli");

    /// <summary>The cluster topology every agent reads (Agent:TopologyFile), as the operator's ConfigMap on Kubernetes.</summary>
    public string TopologyFile => Path.Combine(StateDirectory, ClusterTopology.FileName);

    /// <summary>Each node's index, agent endpoint and exported devices.</summary>
    public ClusterTopology Topology() => new(Nodes
        .Select(n => new TopologyNode(n.Name, n.Index, $"{n.Address}:{AgentPort.ToString(CultureInfo.InvariantCulture)}", n.Devices ?? []))
        .ToList());

    /// <summary>Prefix of every network namespace name of the cluster.</summary>
    public string NamespaceNamePrefix => NamespacePrefix + Cluster + ".";

    public LocalNodeLayout Node(string name) =>
        Nodes.FirstOrDefault(n => n.Name == name) ?? throw new ArgumentException($"cluster {Cluster} has no node \"{name}\"", nameof(name));

    public static string StateDirectoryFor(string root, string cluster) => Path.Combine(root, cluster);

    public static LocalClusterLayout Build(V1Alpha1SsiCluster cluster, string root = DefaultRoot)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var name = cluster.Metadata.Name;
        var state = StateDirectoryFor(root, name);
        var network = IPNetwork.Parse(cluster.Spec.Local?.Subnet ?? SsiLocalSpec.DefaultSubnet);
        var baseAddress = BitConverter.ToUInt32(network.BaseAddress.GetAddressBytes().Reverse().ToArray());
        var nodes = (cluster.Spec.Nodes ?? []).Select((node, index) =>
        {
            var address = new IPAddress(BitConverter.GetBytes(baseAddress + (uint)index + 1).Reverse().ToArray());
            return new LocalNodeLayout(
                node.Name,
                index,
                NamespacePrefix + name + "." + node.Name,
                Path.Combine(state, "ns", node.Name + ".mnt"),
                address,
                $"p{index}",
                Path.Combine(state, "pki", "nodes", node.Name),
                Path.Combine(state, "agents", node.Name),
                Path.Combine(state, "logs", node.Name + ".log"),
                node.Devices ?? []);
        }).ToList();

        var fs = cluster.Spec.Filesystem;
        var home = fs?.Home ?? nodes.FirstOrDefault()?.Name ?? "";
        return new LocalClusterLayout(
            name,
            state,
            NamespacePrefix + name,
            "br0",
            network.ToString(),
            network.PrefixLength,
            cluster.Spec.Agent?.Port ?? SsiAgentSpec.DefaultPort,
            cluster.Spec.Agent?.LogLevel ?? "Information",
            nodes,
            new LocalFilesystemLayout(
                fs?.MountPath ?? SsiFilesystemSpec.DefaultMountPath,
                home,
                fs?.HostPath ?? Path.Combine(DefaultDataRoot, name, "cfs")));
    }
}

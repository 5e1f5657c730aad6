using System.Net;

namespace Ssi.Cli.Local;

/// <summary>Where one node of a local cluster lives: its namespaces, address and files.</summary>
/// <param name="Devices">The character devices the node exports to the others (paths or globs).</param>
internal sealed record LocalNodeLayout(
    string Name,
    int Index,
    string NetworkNamespace,
    string MountNamespaceFile,
    IPAddress Address,
    string SwitchPort,
    string CredentialsDirectory,
    string AgentStateDirectory,
    string LogFile,
    IReadOnlyList<string>? Devices = null)
{
    public string NetworkNamespacePath => $"/run/netns/{NetworkNamespace}";

    /// <summary>
    /// The cgroup beneath which the node's pods live, as a kubelet's --cgroup-root (Agent:PodCgroupRoot):
    /// the nodes of a local cluster share the machine's cgroup tree, so each has a root of its own,
    /// named like its network namespace. Nothing makes pods there but tests that stand in for a kubelet.
    /// </summary>
    public string PodCgroupRoot => "/" + NetworkNamespace;
}

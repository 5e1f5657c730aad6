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
}

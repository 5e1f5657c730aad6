using System.Collections.Concurrent;
using System.Net.Sockets;
using Grpc.Net.Client;
using Ssi.Agent.Contracts.Security;
using Ssi.Agent.Native;
using Ssi.Orchestration.Agents;

namespace Ssi.Cli.Local;

/// <summary>
/// Reaches the agents of a local cluster from the host: each TCP socket is created inside the
/// node's network namespace, so the node addresses never have to exist on the host.
/// </summary>
internal sealed class LocalAgentConnector(LocalClusterLayout layout, AgentCredentials credentials) : IAgentConnector, IDisposable
{
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Nodes { get; } = layout.Nodes.Select(n => n.Name).ToList();

    public static LocalAgentConnector ForCli(LocalClusterLayout layout) =>
        new(layout, AgentCredentials.FromDirectory(layout.ClientCredentialsDirectory, "cli"));

    public GrpcChannel ChannelFor(string node) => _channels.GetOrAdd(node, name =>
    {
        var n = layout.Node(name);
        var address = new Uri($"https://{n.Address}:{layout.AgentPort}");
        return AgentChannelFactory.Create(
            address,
            n.Name,
            credentials,
            AgentChannelFactory.ConnectWith(() => NetworkNamespace.Run(
                n.NetworkNamespacePath,
                () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))));
    });

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        _channels.Clear();
    }
}

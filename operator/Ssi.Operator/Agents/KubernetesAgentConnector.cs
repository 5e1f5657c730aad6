using System.Collections.Concurrent;
using System.Globalization;
using Grpc.Net.Client;
using Ssi.Agent.Contracts.Security;
using Ssi.Orchestration.Agents;

namespace Ssi.Operator.Agents;

/// <summary>
/// Reaches the agent pods of one cluster over mutual TLS: dials each node's agent pod and requires the
/// certificate to name the cluster's headless Service (every agent presents the cluster's agent
/// certificate), with a client certificate from the cluster CA.
/// </summary>
internal sealed class KubernetesAgentConnector(IReadOnlyDictionary<string, string> podAddressByNode, int port, string serviceDns, AgentCredentials credentials) : IAgentConnector, IDisposable
{
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Nodes { get; } = podAddressByNode.Keys.Order(StringComparer.Ordinal).ToList();

    public GrpcChannel ChannelFor(string node) => _channels.GetOrAdd(node, n =>
        AgentChannelFactory.Create(new Uri($"https://{podAddressByNode[n]}:{port.ToString(CultureInfo.InvariantCulture)}"), serviceDns, credentials));

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
    }
}

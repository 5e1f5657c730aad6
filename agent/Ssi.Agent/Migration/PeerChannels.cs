using System.Collections.Concurrent;
using Grpc.Net.Client;
using Ssi.Agent.Contracts.Security;

namespace Ssi.Agent.Migration;

/// <summary>mTLS channels from this agent to the other agents of the cluster, by node and endpoint (cached).</summary>
internal sealed class PeerChannels(AgentCredentials credentials) : IDisposable
{
    private readonly ConcurrentDictionary<(string Node, string Endpoint), GrpcChannel> _channels = new();

    public Contracts.V1.Migration.MigrationClient Migration(string node, string endpoint) => new(Channel(node, endpoint));

    private GrpcChannel Channel(string node, string endpoint) =>
        _channels.GetOrAdd((node, endpoint), key => AgentChannelFactory.Create(new Uri($"https://{key.Endpoint}"), key.Node, credentials));

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
    }
}

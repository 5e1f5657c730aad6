using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using Ssi.Agent.Contracts.Security;

namespace Ssi.Orchestration.Agents;

/// <summary>
/// Reaches the agents of one cluster at known addresses over mutual TLS (the operator dials the agent
/// pods, <c>kubectl ssi</c> the pods or the addresses it was given). Every agent's certificate must name
/// <paramref name="serverName"/>. A node without an address is unreachable: asking for its channel
/// throws <see cref="RpcException"/> with <see cref="StatusCode.Unavailable"/>.
/// <paramref name="connectFor"/> may give a node another way to open each connection to its agent
/// than TCP to its address (<c>kubectl ssi</c>: a port-forward through the API server); TLS still runs
/// end to end with the agent over the stream it returns.
/// </summary>
public sealed class EndpointAgentConnector(
    IReadOnlyList<string> nodes,
    IReadOnlyDictionary<string, string> endpointByNode,
    string serverName,
    AgentCredentials credentials,
    Func<string, Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>>?>? connectFor = null)
    : IAgentConnector, IDisposable
{
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Nodes { get; } = nodes;

    /// <summary><paramref name="host"/>:<paramref name="port"/>, with brackets around an IPv6 address.</summary>
    public static string Endpoint(string host, int port)
    {
        ArgumentNullException.ThrowIfNull(host);
        var literal = IPAddress.TryParse(host, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{host}]" : host;
        return literal + ":" + port.ToString(CultureInfo.InvariantCulture);
    }

    public GrpcChannel ChannelFor(string node) =>
        endpointByNode.TryGetValue(node, out var endpoint)
            ? _channels.GetOrAdd(node, _ => AgentChannelFactory.Create(
                new Uri($"https://{endpoint}"),
                serverName,
                credentials,
                connectFor?.Invoke(node)))
            : throw new RpcException(new Status(StatusCode.Unavailable, $"no agent address is known for node {node}"));

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
    }
}

using Grpc.Core;
using Ssi.Agent.Contracts.V1;

namespace Ssi.Orchestration.Agents;

/// <summary>Asks agents how they are, with a deadline so that an unreachable node never hangs the caller.</summary>
public static class NodeHealthProbe
{
    public static async Task<NodeHealth> ProbeAsync(IAgentConnector connector, string node, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connector);
        try
        {
            var client = new Node.NodeClient(connector.ChannelFor(node));
            var deadline = DateTime.UtcNow + timeout;
            var health = await client.CheckHealthAsync(new CheckHealthRequest(), deadline: deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (health.Status != HealthStatus.Serving)
            {
                return new NodeHealth(node, true, false, health.Message.Length > 0 ? health.Message : "The agent is not serving.", null);
            }

            var info = await client.GetNodeInfoAsync(new GetNodeInfoRequest(), deadline: deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new NodeHealth(node, true, true, "", info);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            return new NodeHealth(node, false, false, Describe(e), null);
        }
    }

    public static Task<NodeHealth[]> ProbeAllAsync(IAgentConnector connector, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connector);
        return Task.WhenAll(connector.Nodes.Select(n => ProbeAsync(connector, n, timeout, cancellationToken)));
    }

    private static string Describe(RpcException e) => e.StatusCode switch
    {
        StatusCode.DeadlineExceeded => "The agent did not answer in time.",
        StatusCode.Unavailable => $"The agent is unreachable: {Innermost(e).Message}",
        _ => $"{e.StatusCode}: {e.Status.Detail}",
    };

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }
}

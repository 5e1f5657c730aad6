using Grpc.Core;
using Ssi.Agent.Contracts.Processes;
using Ssi.Agent.Contracts.V1;
using Ssi.Orchestration.Agents;

namespace Ssi.Orchestration.Processes;

/// <summary>
/// The cluster-wide process space over the agents: list every node's processes at once, find and
/// signal any process by cluster PID from anywhere. A node that does not answer within the deadline
/// is reported as unreachable; it never hangs the caller.
/// </summary>
public sealed class ClusterProcesses(IAgentConnector connector, TimeSpan deadline)
{
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(5);

    public async Task<ClusterProcessList> ListAsync(CancellationToken cancellationToken)
    {
        var answers = await Task.WhenAll(connector.Nodes.Select(async node =>
        {
            try
            {
                var client = new Agent.Contracts.V1.Process.ProcessClient(connector.ChannelFor(node));
                var response = await client.ListProcessesAsync(new ListProcessesRequest(), deadline: DateTime.UtcNow + deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
                return (node, response, (string?)null);
            }
            catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
            {
                return (node, (ListProcessesResponse?)null, Describe(e));
            }
        })).ConfigureAwait(false);

        return new ClusterProcessList(
            answers.Where(a => a.Item2 is not null).SelectMany(a => a.Item2!.Processes).OrderBy(p => p.ClusterPid).ToList(),
            answers.Where(a => a.Item3 is not null).Select(a => new UnreachableNode(a.node, a.Item3!)).ToList());
    }

    /// <summary>
    /// Signals a process (or the group it leads) wherever it runs now: the node where it first
    /// appeared is asked first, then the others (it may have migrated).
    /// </summary>
    public async Task SignalAsync(ClusterPid pid, int signal, bool processGroup, CancellationToken cancellationToken)
    {
        var request = new SignalProcessRequest { ClusterPid = pid.Value, Signal = signal, ProcessGroup = processGroup };
        var origin = pid.OriginNodeIndex < connector.Nodes.Count ? connector.Nodes[pid.OriginNodeIndex] : null;
        var order = origin is null ? connector.Nodes : [origin, .. connector.Nodes.Where(n => n != origin)];
        var unreachable = new List<string>();
        foreach (var node in order)
        {
            try
            {
                var client = new Agent.Contracts.V1.Process.ProcessClient(connector.ChannelFor(node));
                await client.SignalProcessAsync(request, deadline: DateTime.UtcNow + deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound && !e.Status.Detail.Contains("ended before", StringComparison.Ordinal))
            {
                // not on this node
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                unreachable.Add($"{node} ({Describe(e)})");
            }
        }

        var suffix = unreachable.Count > 0 ? $"; unreachable: {string.Join(", ", unreachable)}" : "";
        throw new ProcessNotFoundException($"no process with cluster PID {pid} in the cluster{suffix}");
    }

    private static string Describe(RpcException e) => e.StatusCode switch
    {
        StatusCode.DeadlineExceeded => "did not answer in time",
        StatusCode.Unavailable => "unreachable",
        _ => $"{e.StatusCode}: {e.Status.Detail}",
    };
}

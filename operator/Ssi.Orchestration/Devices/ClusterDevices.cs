using Grpc.Core;
using Ssi.Agent.Contracts.V1;
using Ssi.Orchestration.Agents;
using Ssi.Orchestration.Processes;

namespace Ssi.Orchestration.Devices;

/// <summary>
/// Every node's exported devices, asked of all agents at once. A node that does not answer within
/// the deadline is reported as unreachable; it never hangs the caller.
/// </summary>
public sealed class ClusterDevices(IAgentConnector connector, TimeSpan deadline)
{
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(5);

    public async Task<ClusterDeviceList> ListAsync(CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connector);
        var answers = await Task.WhenAll(connector.Nodes.Select(async node =>
        {
            try
            {
                var client = new Agent.Contracts.V1.Device.DeviceClient(connector.ChannelFor(node));
                var response = await client.ListDevicesAsync(new ListDevicesRequest(), deadline: DateTime.UtcNow + deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
                return (node, response.Devices.Select(d => new ClusterDevice(node, d)).ToList(), (string?)null);
            }
            catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
            {
                return (node, [], AgentCallErrors.Describe(e));
            }
        })).ConfigureAwait(false);

        return new ClusterDeviceList(
            answers.SelectMany(a => a.Item2).ToList(),
            answers.Where(a => a.Item3 is not null).Select(a => new UnreachableNode(a.node, a.Item3!)).ToList());
    }
}

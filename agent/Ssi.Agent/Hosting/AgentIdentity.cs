using System.Reflection;
using Microsoft.Extensions.Options;
using Ssi.Agent.Native;

namespace Ssi.Agent.Hosting;

/// <summary>Who this agent is: cluster, node, index, endpoint, and when it started.</summary>
internal sealed class AgentIdentity(IOptions<AgentOptions> options, TimeProvider time)
{
    public static readonly string Version =
        typeof(AgentIdentity).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public string Cluster => options.Value.Cluster;

    public string Node => options.Value.Node;

    public int NodeIndex => options.Value.NodeIndex;

    public string Endpoint => options.Value.AdvertisedEndpoint ?? $"{options.Value.ListenAddress}:{options.Value.Port}";

    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    public Contracts.V1.NodeIdentity ToContract() => new()
    {
        Cluster = Cluster,
        Node = Node,
        NodeIndex = (uint)NodeIndex,
        Endpoint = Endpoint,
        Hostname = Environment.MachineName,
        KernelRelease = KernelFeatures.KernelRelease(),
    };
}

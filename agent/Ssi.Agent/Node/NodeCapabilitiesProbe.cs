using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ssi.Agent.Hosting;
using Ssi.Agent.Native;

namespace Ssi.Agent.Node;

/// <summary>Probes the node's capabilities once, in the background, and hands out the result.</summary>
internal sealed class NodeCapabilitiesProbe(IOptions<AgentOptions> options, ILogger<NodeCapabilitiesProbe> logger)
{
    private readonly Lazy<Task<NodeCapabilities>> _result = new(() => ProbeAsync(options.Value, logger));

    public Task<NodeCapabilities> GetAsync() => _result.Value;

    private static async Task<NodeCapabilities> ProbeAsync(AgentOptions options, ILogger logger)
    {
        var criu = await CriuProbe.ProbeAsync(options.CriuPath, CancellationToken.None).ConfigureAwait(false);
        var capabilities = new NodeCapabilities(
            criu,
            NodeCapability.From(KernelFeatures.Fuse()),
            NodeCapability.From(Pidfd.Probe()),
            NodeCapability.From(KernelFeatures.Userfaultfd()));
        AgentLog.Capabilities(logger, capabilities.Criu.ToString(), capabilities.Fuse.ToString(), capabilities.PidfdGetfd.ToString(), capabilities.Userfaultfd.ToString());
        return capabilities;
    }
}

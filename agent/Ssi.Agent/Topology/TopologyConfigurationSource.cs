using Microsoft.Extensions.Configuration;

namespace Ssi.Agent.Topology;

/// <summary>Adds the cluster topology file to an agent's configuration (see <see cref="TopologyConfigurationProvider"/>).</summary>
internal sealed class TopologyConfigurationSource(string path, string node, TimeSpan pollInterval) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new TopologyConfigurationProvider(path, node, pollInterval);
}

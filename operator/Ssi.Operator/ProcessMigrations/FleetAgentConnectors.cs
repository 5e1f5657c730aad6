using Ssi.Api.V1Alpha1;
using Ssi.Operator.Agents;
using Ssi.Orchestration.Agents;

namespace Ssi.Operator.ProcessMigrations;

/// <summary>The agent pods of a cluster over mTLS, as <see cref="KubernetesAgentFleet"/> finds them.</summary>
internal sealed class FleetAgentConnectors(KubernetesAgentFleet fleet) : IClusterAgentConnectors
{
    public IAgentConnector? Connect(V1Alpha1SsiCluster cluster) => fleet.CreateConnector(cluster);
}

using Ssi.Api.V1Alpha1;
using Ssi.Orchestration.Agents;

namespace Ssi.Operator.ProcessMigrations;

/// <summary>Reaches the agents of a cluster for a migration (tests replace it with in-process agents).</summary>
internal interface IClusterAgentConnectors
{
    /// <summary>A connector to the cluster's agents (disposed by the caller if disposable), or null while none can be reached.</summary>
    IAgentConnector? Connect(V1Alpha1SsiCluster cluster);
}

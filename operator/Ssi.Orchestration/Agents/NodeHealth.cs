using Ssi.Agent.Contracts.V1;

namespace Ssi.Orchestration.Agents;

/// <summary>What was observed of one node's agent at one moment.</summary>
public sealed record NodeHealth(
    string Node,
    bool Reachable,
    bool Serving,
    string Message,
    GetNodeInfoResponse? Info)
{
    public bool Healthy => Reachable && Serving;
}

using Ssi.Orchestration.Agents;

namespace Ssi.Cli.Local;

/// <summary>One node of a local cluster: layout, agent process and health.</summary>
internal sealed record LocalNodeReport(LocalNodeLayout Layout, int? AgentPid, bool AgentRunning, NodeHealth Health);

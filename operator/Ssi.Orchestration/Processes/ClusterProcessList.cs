using Ssi.Agent.Contracts.V1;

namespace Ssi.Orchestration.Processes;

/// <summary>The cluster's processes as gathered from every node, and the nodes that did not answer.</summary>
public sealed record ClusterProcessList(IReadOnlyList<ProcessInfo> Processes, IReadOnlyList<UnreachableNode> Unreachable);

namespace Ssi.Operator.SsiClusters;

/// <summary>What the topology needs of one agent pod: its node, its IP (null until it has one), whether it is going away.</summary>
internal sealed record AgentPod(string Name, string Node, string? PodIp, bool Deleting);

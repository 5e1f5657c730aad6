namespace Ssi.Agent.Contracts.Topology;

/// <summary>One node of a <see cref="ClusterTopology"/>. <see cref="Endpoint"/> is host:port, null while its agent has no address.</summary>
public sealed record TopologyNode(string Name, int Index, string? Endpoint, IReadOnlyList<string> Devices);

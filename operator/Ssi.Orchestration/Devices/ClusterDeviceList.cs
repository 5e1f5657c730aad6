using Ssi.Orchestration.Processes;

namespace Ssi.Orchestration.Devices;

/// <summary>The cluster's exported devices as gathered from every node, and the nodes that did not answer.</summary>
public sealed record ClusterDeviceList(IReadOnlyList<ClusterDevice> Devices, IReadOnlyList<UnreachableNode> Unreachable);

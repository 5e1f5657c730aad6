using Ssi.Agent.Contracts.V1;

namespace Ssi.Orchestration.Devices;

/// <summary>One exported device and the node that owns it.</summary>
public sealed record ClusterDevice(string Node, ExportedDevice Device);

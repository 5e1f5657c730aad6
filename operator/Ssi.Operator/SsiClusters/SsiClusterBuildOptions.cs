namespace Ssi.Operator.SsiClusters;

/// <summary>Operator-wide inputs of the desired state.</summary>
internal sealed record SsiClusterBuildOptions(string DefaultAgentImage, string ImagePullPolicy = "IfNotPresent");

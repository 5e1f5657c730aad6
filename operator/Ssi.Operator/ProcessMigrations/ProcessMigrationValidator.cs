using Ssi.Api.V1Alpha1;
using Ssi.Api.Validation;
using Ssi.Operator.SsiClusters;

namespace Ssi.Operator.ProcessMigrations;

/// <summary>What the CRD schema cannot check: the cluster exists and is Ready, the target is one of its nodes.</summary>
internal static class ProcessMigrationValidator
{
    public static IReadOnlyList<FieldError> Validate(V1Alpha1ProcessMigration migration, V1Alpha1SsiCluster? cluster)
    {
        var errors = new List<FieldError>();
        var spec = migration.Spec;
        if (string.IsNullOrEmpty(spec.Cluster))
        {
            errors.Add(new("spec.cluster", "is required"));
        }
        else if (cluster is null)
        {
            errors.Add(new("spec.cluster", $"no SsiCluster \"{spec.Cluster}\" in namespace {migration.Metadata.NamespaceProperty}"));
        }

        if (spec.ClusterPid <= 0)
        {
            errors.Add(new("spec.clusterPid", $"{spec.ClusterPid} is not a cluster PID"));
        }

        if (spec.Mode is { } mode && mode is not (ProcessMigrationSpec.ModeStopCopy or ProcessMigrationSpec.ModeLazy or ProcessMigrationSpec.ModeAuto))
        {
            errors.Add(new("spec.mode", $"\"{mode}\" is not one of stop-copy, lazy, auto"));
        }

        if (string.IsNullOrEmpty(spec.TargetNode))
        {
            errors.Add(new("spec.targetNode", "is required"));
        }
        else if (cluster?.Spec.Nodes is { Count: > 0 } nodes && nodes.All(n => n.Name != spec.TargetNode))
        {
            errors.Add(new("spec.targetNode", $"\"{spec.TargetNode}\" is not a node of {spec.Cluster} ({string.Join(", ", nodes.Select(n => n.Name))})"));
        }

        return errors;
    }

    public static bool ClusterReady(V1Alpha1SsiCluster? cluster) => Conditions.IsTrue(cluster?.Status?.Conditions, SsiClusterStatusCalculator.Ready);
}

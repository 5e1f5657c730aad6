using Ssi.Api.V1Alpha1;
using Ssi.Api.Validation;
using Ssi.Operator.SsiClusters;

namespace Ssi.Operator.ProcessMigrations;

/// <summary>What needs the cluster to check: the target is one of its listed nodes (once it exists), it is Ready.</summary>
internal static class ProcessMigrationClusterChecks
{
    public static IReadOnlyList<FieldError> Validate(V1Alpha1ProcessMigration migration, V1Alpha1SsiCluster? cluster)
    {
        var errors = ProcessMigrationValidator.Validate(migration).ToList();
        if (errors.Count > 0)
        {
            return errors;
        }

        // No cluster (yet) is no error: it may be applied with the migration and reach this operator's
        // cache after it; the migration waits Pending for it (ClusterReady is false).
        if (cluster?.Spec.Nodes is { Count: > 0 } nodes && nodes.All(n => n.Name != migration.Spec.TargetNode))
        {
            errors.Add(new("spec.targetNode", $"\"{migration.Spec.TargetNode}\" is not a node of {cluster!.Metadata.Name} ({string.Join(", ", nodes.Select(n => n.Name))})"));
        }

        return errors;
    }

    public static bool ClusterReady(V1Alpha1SsiCluster? cluster) => Conditions.IsTrue(cluster?.Status?.Conditions, SsiClusterStatusCalculator.Ready);
}

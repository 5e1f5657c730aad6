using Ssi.Api.V1Alpha1;
using Ssi.Controller.Runtime.Client;
using Ssi.Controller.Runtime.Rbac;

namespace Ssi.Operator.Hosting;

/// <summary>
/// The one table of what the operator touches in the API: the informers are built from it and the
/// Helm chart's ClusterRole is tested against it.
/// </summary>
internal static class OperatorResources
{
    public static ResourceKind SsiClusters { get; } = new(SsiApiGroup.Group, SsiApiGroup.Version, V1Alpha1SsiCluster.PluralName, V1Alpha1SsiCluster.KindName);

    public static ResourceKind ProcessMigrations { get; } = new(SsiApiGroup.Group, SsiApiGroup.Version, V1Alpha1ProcessMigration.PluralName, V1Alpha1ProcessMigration.KindName);

    /// <summary>Kinds an SsiCluster owns: watched (managed-by label), created and replaced; deleted by garbage collection only.</summary>
    public static IReadOnlyList<ResourceKind> Owned { get; } =
        [ResourceKind.ServiceAccount, ResourceKind.Role, ResourceKind.RoleBinding, ResourceKind.Secret, ResourceKind.ConfigMap, ResourceKind.Service, ResourceKind.DaemonSet];

    public static IReadOnlyList<PolicyRequirement> Requirements { get; } = PolicyRequirement.Merge(
    [
        .. PolicyRequirement.Runtime,
        PolicyRequirement.Informer(SsiClusters.Group, SsiClusters.Plural),
        new(SsiClusters.Group, SsiClusters.Plural, ["patch"]),
        new(SsiClusters.Group, SsiClusters.Plural + "/status", ["update"]),
        PolicyRequirement.Informer(ProcessMigrations.Group, ProcessMigrations.Plural),
        new(ProcessMigrations.Group, ProcessMigrations.Plural + "/status", ["update"]),
        .. Owned.Select(k => PolicyRequirement.Informer(k.Group, k.Plural)),
        .. Owned.Select(k => new PolicyRequirement(k.Group, k.Plural, ["get", "create", "update"])),
        // The agents' Role grants pods get/list/watch; RBAC lets the operator grant only what it holds.
        PolicyRequirement.Informer(ResourceKind.Pod.Group, ResourceKind.Pod.Plural),
        new(ResourceKind.Pod.Group, ResourceKind.Pod.Plural, ["get"]),
        // The home node's agent pod is labelled ssi.io/home=true (what the home Service selects).
        new(ResourceKind.Pod.Group, ResourceKind.Pod.Plural, ["patch"]),
        // Landing pods of ProcessMigrations: made on the target node, deleted when the attempt is undone.
        new(ResourceKind.Pod.Group, ResourceKind.Pod.Plural, ["create", "delete"]),
    ]);
}

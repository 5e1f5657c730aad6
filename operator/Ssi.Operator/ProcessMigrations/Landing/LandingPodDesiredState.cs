using k8s.Models;
using Ssi.Api.V1Alpha1;
using Ssi.Controller.Runtime.Client;
using Ssi.Operator.Apply;
using Ssi.Operator.SsiClusters;

namespace Ssi.Operator.ProcessMigrations.Landing;

/// <summary>
/// The landing pod of a migration whose process lives in a pod (pure): on the target node, in the
/// source pod's namespace, with the source container's image, volumes and mounts, and a placeholder
/// command (the agent's shim, from the node's <c>/run/ssi/bin</c>, keeping the pod's namespaces alive)
/// that the target agent restores the tree beside, on its root file system and with its mounts at the
/// places where the source container had them: so the landing container has the same mounts. Owned by the ProcessMigration when both live in
/// one namespace (Kubernetes allows no owner in another); labelled with the migration's UID always.
/// </summary>
internal static class LandingPodDesiredState
{
    public const string MigrationLabel = "ssi.io/process-migration";
    public const string MigrationUidLabel = "ssi.io/process-migration-uid";
    public const string NodeLabel = "ssi.io/node";
    public const string SourcePodAnnotation = "ssi.io/source-pod";
    public const string ShimDirectory = SsiClusterDesiredState.RunPath + "/bin";
    public const string ShimVolume = "ssi-landing-shim";
    public static readonly IReadOnlyList<string> PlaceholderCommand = [ShimDirectory + "/ssi-shim", "--", "sleep", "infinity"];

    public static string Name(V1Alpha1ProcessMigration migration) => migration.Metadata.Name + "-landing";

    public static string Selector(V1Alpha1ProcessMigration migration) => $"{MigrationUidLabel}={migration.Metadata.Uid}";

    /// <summary>The landing pod for the container <paramref name="containerName"/> of <paramref name="source"/>.</summary>
    public static DesiredObject Build(V1Alpha1ProcessMigration migration, V1Pod source, string containerName)
    {
        var container = source.Spec.Containers.FirstOrDefault(c => c.Name == containerName)
            ?? throw new ArgumentException($"pod {source.Metadata.Name} has no container {containerName}", nameof(containerName));
        var ns = source.Metadata.NamespaceProperty;

        // A container that runs the shim from the node has /run/ssi/bin mounted already: a second mount there would be refused.
        var mountsShim = (container.VolumeMounts ?? []).Any(m => m.MountPath.TrimEnd('/') == ShimDirectory);
        var pod = new V1Pod
        {
            ApiVersion = ResourceKind.Pod.ApiVersion,
            Kind = ResourceKind.Pod.Kind,
            Metadata = new V1ObjectMeta
            {
                Name = Name(migration),
                NamespaceProperty = ns,
                Labels = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    [SsiClusterNames.ManagedByLabel] = SsiClusterNames.ManagedBy,
                    [SsiClusterNames.ClusterLabel] = migration.Spec.Cluster,
                    [NodeLabel] = migration.Spec.TargetNode,
                    [MigrationLabel] = migration.Metadata.Name,
                    [MigrationUidLabel] = migration.Metadata.Uid,
                },
                Annotations = new Dictionary<string, string>(StringComparer.Ordinal) { [SourcePodAnnotation] = $"{ns}/{source.Metadata.Name}" },
                OwnerReferences = ns == migration.Metadata.NamespaceProperty
                    ?
                    [
                        new V1OwnerReference
                        {
                            ApiVersion = SsiApiGroup.ApiVersion,
                            Kind = V1Alpha1ProcessMigration.KindName,
                            Name = migration.Metadata.Name,
                            Uid = migration.Metadata.Uid,
                            Controller = true,
                            BlockOwnerDeletion = true,
                        },
                    ]
                    : null,
            },
            Spec = new V1PodSpec
            {
                NodeName = migration.Spec.TargetNode,
                RestartPolicy = "Never",
                ServiceAccountName = source.Spec.ServiceAccountName,
                SecurityContext = source.Spec.SecurityContext,
                Tolerations = source.Spec.Tolerations,
                ImagePullSecrets = source.Spec.ImagePullSecrets,
                Volumes = [.. source.Spec.Volumes ?? [], .. mountsShim ? Array.Empty<V1Volume>() : [new V1Volume { Name = ShimVolume, HostPath = new V1HostPathVolumeSource { Path = ShimDirectory, Type = "Directory" } }]],
                Containers =
                [
                    new V1Container
                    {
                        Name = container.Name,
                        Image = container.Image,
                        ImagePullPolicy = container.ImagePullPolicy,
                        Command = [.. PlaceholderCommand],
                        WorkingDir = container.WorkingDir,
                        Env = container.Env,
                        Resources = container.Resources,
                        SecurityContext = container.SecurityContext,
                        VolumeMounts = [.. container.VolumeMounts ?? [], .. mountsShim ? Array.Empty<V1VolumeMount>() : [new V1VolumeMount { Name = ShimVolume, MountPath = ShimDirectory, ReadOnlyProperty = true }]],
                    },
                ],
            },
        };
        return new DesiredObject(ResourceKind.Pod, SpecHashing.Stamp(pod));
    }
}

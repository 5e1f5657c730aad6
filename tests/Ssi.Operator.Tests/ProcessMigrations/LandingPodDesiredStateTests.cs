using k8s;
using k8s.Models;
using Ssi.Api.V1Alpha1;
using Ssi.Operator.ProcessMigrations.Landing;
using Ssi.Testing;

namespace Ssi.Operator.Tests.ProcessMigrations;

public sealed class LandingPodDesiredStateTests
{
    public static V1Alpha1ProcessMigration Migration(string ns = "ssi") => new()
    {
        Metadata = new V1ObjectMeta { Name = "move-web", NamespaceProperty = ns, Uid = "7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910" },
        Spec = new ProcessMigrationSpec { Cluster = "demo", ClusterPid = 1000013, TargetNode = "node2" },
    };

    /// <summary>A web server pod on node1: two containers, a claim, a config map, an emptyDir, a toleration.</summary>
    public static V1Pod SourcePod(string ns = "ssi") => new()
    {
        Metadata = new V1ObjectMeta { Name = "web-0", NamespaceProperty = ns, Uid = "1b2c3d4e-5f6a-4b8c-9d0e-1f2a3b4c5d6e", Labels = new Dictionary<string, string> { ["app"] = "web" } },
        Spec = new V1PodSpec
        {
            NodeName = "node1",
            ServiceAccountName = "web",
            Tolerations = [new V1Toleration { Key = "ssi.io/dedicated", OperatorProperty = "Exists", Effect = "NoSchedule" }],
            Volumes =
            [
                new V1Volume { Name = "data", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = "web-data" } },
                new V1Volume { Name = "config", ConfigMap = new V1ConfigMapVolumeSource { Name = "web-config" } },
                new V1Volume { Name = "scratch", EmptyDir = new V1EmptyDirVolumeSource() },
            ],
            Containers =
            [
                new V1Container
                {
                    Name = "web",
                    Image = "registry.example/web:1.4",
                    Command = ["/usr/bin/ssi-shim", "--", "/srv/web"],
                    WorkingDir = "/srv",
                    Env = [new V1EnvVar { Name = "MODE", Value = "prod" }],
                    VolumeMounts = [new V1VolumeMount { Name = "data", MountPath = "/var/lib/web" }, new V1VolumeMount { Name = "config", MountPath = "/etc/web", ReadOnlyProperty = true }],
                },
                new V1Container { Name = "sidecar", Image = "registry.example/logs:2", VolumeMounts = [new V1VolumeMount { Name = "scratch", MountPath = "/tmp" }] },
            ],
        },
    };

    private static string Yaml(V1Alpha1ProcessMigration migration, V1Pod source) =>
        KubernetesYaml.Serialize(LandingPodDesiredState.Build(migration, source, "web").Object).TrimEnd() + "\n";

    [Theory]
    [InlineData("same-namespace", "ssi")]
    [InlineData("other-namespace", "shop")]
    public void Build_matches_the_golden_landing_pod(string name, string podNamespace)
    {
        GoldenFiles.AssertMatches($"tests/Ssi.Operator.Tests/ProcessMigrations/testdata/{name}/landing-pod.yaml", Yaml(Migration(), SourcePod(podNamespace)));
    }

    [Fact]
    public void Build_is_deterministic_and_leaves_the_source_pod_untouched()
    {
        var source = SourcePod();
        var before = KubernetesJson.Serialize(source);

        Assert.Equal(Yaml(Migration(), source), Yaml(Migration(), SourcePod()));
        Assert.Equal(before, KubernetesJson.Serialize(source));
    }

    [Fact]
    public void The_landing_pod_runs_on_the_target_with_the_source_containers_image_and_volumes_and_a_placeholder_command()
    {
        var pod = (V1Pod)LandingPodDesiredState.Build(Migration(), SourcePod(), "web").Object;

        Assert.Equal("node2", pod.Spec.NodeName);
        var container = Assert.Single(pod.Spec.Containers);
        Assert.Equal("registry.example/web:1.4", container.Image);
        Assert.Equal(LandingPodDesiredState.PlaceholderCommand, container.Command);
        Assert.Equal(["data", "config", "scratch", LandingPodDesiredState.ShimVolume], pod.Spec.Volumes.Select(v => v.Name));
        Assert.Equal("7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910", pod.Metadata.Labels[LandingPodDesiredState.MigrationUidLabel]);
        Assert.True(Assert.Single(pod.Metadata.OwnerReferences).Controller);
        Assert.Null(((V1Pod)LandingPodDesiredState.Build(Migration(), SourcePod("shop"), "web").Object).Metadata.OwnerReferences);
    }

    [Fact]
    public void A_source_container_that_mounts_the_nodes_shim_directory_itself_keeps_that_mount_alone()
    {
        var source = SourcePod();
        source.Spec.Volumes.Add(new V1Volume { Name = "ssi-bin", HostPath = new V1HostPathVolumeSource { Path = "/run/ssi/bin" } });
        source.Spec.Containers[0].VolumeMounts.Add(new V1VolumeMount { Name = "ssi-bin", MountPath = "/run/ssi/bin/", ReadOnlyProperty = true });

        var pod = (V1Pod)LandingPodDesiredState.Build(Migration(), source, "web").Object;

        Assert.DoesNotContain(pod.Spec.Volumes, v => v.Name == LandingPodDesiredState.ShimVolume);
        Assert.Equal(["/var/lib/web", "/etc/web", "/run/ssi/bin/"], Assert.Single(pod.Spec.Containers).VolumeMounts.Select(m => m.MountPath));
    }

    [Theory]
    [InlineData("containerd://8f1e2d", "8f1e2d")]
    [InlineData("cri-o://abc", "abc")]
    [InlineData("abc", "abc")]
    [InlineData(null, "")]
    public void A_container_id_loses_its_runtime_scheme(string? status, string expected)
    {
        Assert.Equal(expected, LandingPods.ContainerId(status));
    }
}

using k8s;
using k8s.Models;
using Ssi.Api.V1Alpha1;
using Ssi.Operator.Apply;
using Ssi.Operator.SsiClusters;
using Ssi.Testing;

namespace Ssi.Operator.Tests.SsiClusters;

public sealed class SsiClusterDesiredStateTests
{
    private static readonly SsiClusterBuildOptions Options = new("ghcr.io/ssi-operator/agent:0.1.0");

    private static string Yaml(V1Alpha1SsiCluster cluster) =>
        string.Join("---\n", SsiClusterDesiredState.Build(cluster, TestClusters.Certificates, Options).Select(d => KubernetesYaml.Serialize(d.Object).TrimEnd() + "\n"));

    [Theory]
    [InlineData("cfs-listed-nodes")]
    [InlineData("pvc-node-selector")]
    public void Build_matches_the_golden_objects(string name)
    {
        var cluster = name == "cfs-listed-nodes" ? TestClusters.Cfs() : TestClusters.Pvc();

        GoldenFiles.AssertMatches($"tests/Ssi.Operator.Tests/SsiClusters/testdata/{name}/objects.yaml", Yaml(cluster));
    }

    [Fact]
    public void Build_is_deterministic()
    {
        Assert.Equal(Yaml(TestClusters.Cfs()), Yaml(TestClusters.Cfs()));
    }

    [Fact]
    public void Every_object_is_owned_by_the_cluster_labelled_and_stamped_with_a_spec_hash()
    {
        var cluster = TestClusters.Cfs();

        foreach (var d in SsiClusterDesiredState.Build(cluster, TestClusters.Certificates, Options))
        {
            var owner = Assert.Single(d.Object.Metadata.OwnerReferences);
            Assert.True(owner.Controller);
            Assert.Equal(cluster.Metadata.Uid, owner.Uid);
            Assert.Equal("ssi-operator", d.Object.Metadata.Labels["app.kubernetes.io/managed-by"]);
            Assert.Matches("^[0-9a-f]{16}$", d.SpecHash);
        }
    }

    [Fact]
    public void A_spec_change_changes_the_DaemonSet_hash_and_only_what_depends_on_it()
    {
        var before = SsiClusterDesiredState.Build(TestClusters.Cfs(), TestClusters.Certificates, Options).ToDictionary(d => d.Kind.Kind + "/" + d.Name, d => d.SpecHash);
        var changed = TestClusters.Cfs();
        changed.Spec.Agent!.LogLevel = "Debug";

        var after = SsiClusterDesiredState.Build(changed, TestClusters.Certificates, Options).ToDictionary(d => d.Kind.Kind + "/" + d.Name, d => d.SpecHash);

        Assert.NotEqual(before["DaemonSet/demo-ssi-agent"], after["DaemonSet/demo-ssi-agent"]);
        Assert.Equal(before["Service/demo-ssi-agents"], after["Service/demo-ssi-agents"]);
        Assert.Equal(before["Secret/demo-ssi-ca"], after["Secret/demo-ssi-ca"]);
    }

    [Fact]
    public void The_agent_runs_privileged_with_hostPID_dev_run_ssi_and_the_filesystem_backing()
    {
        var ds = (V1DaemonSet)SsiClusterDesiredState.Build(TestClusters.Pvc(), TestClusters.Certificates, Options).Single(d => d.Kind.Kind == "DaemonSet").Object;
        var pod = ds.Spec.Template.Spec;

        Assert.True(pod.HostPID);
        Assert.True(pod.Containers[0].SecurityContext.Privileged);
        Assert.Equal("compute", pod.NodeSelector["ssi.io/pool"]);
        Assert.Contains(pod.Volumes, v => v.HostPath?.Path == "/dev");
        Assert.Contains(pod.Volumes, v => v.HostPath?.Path == "/run/ssi");
        Assert.Contains(pod.Volumes, v => v.PersistentVolumeClaim?.ClaimName == "cephfs-shared");
        Assert.Equal("registry.example/ssi-agent:1.2.3", pod.Containers[0].Image);
        Assert.Equal(9443, pod.Containers[0].Ports[0].ContainerPort);
    }

    [Fact]
    public void A_new_agent_certificate_rolls_the_agents()
    {
        var before = (V1DaemonSet)SsiClusterDesiredState.Build(TestClusters.Cfs(), TestClusters.Certificates, Options).Single(d => d.Kind.Kind == "DaemonSet").Object;
        var rotated = TestClusters.Certificates with { AgentCertificatePem = "ROTATED" };

        var after = (V1DaemonSet)SsiClusterDesiredState.Build(TestClusters.Cfs(), rotated, Options).Single(d => d.Kind.Kind == "DaemonSet").Object;

        Assert.NotEqual(before.Spec.Template.Metadata.Annotations["ssi.io/tls-hash"], after.Spec.Template.Metadata.Annotations["ssi.io/tls-hash"]);
        Assert.NotEqual(before.Metadata.Annotations[SpecHashing.Annotation], after.Metadata.Annotations[SpecHashing.Annotation]);
    }

    [Theory]
    [InlineData("node1", "0")]
    [InlineData("node3", "2")]
    public async Task The_agent_wrapper_exports_the_node_index_of_its_node(string node, string index)
    {
        var ds = (V1DaemonSet)SsiClusterDesiredState.Build(TestClusters.Cfs(), TestClusters.Certificates, Options).Single(d => d.Kind.Kind == "DaemonSet").Object;
        var container = ds.Spec.Template.Spec.Containers[0];
        var script = container.Command[2].Replace("exec /app/ssi-agent", "echo $Agent__NodeIndex", StringComparison.Ordinal);
        var start = new System.Diagnostics.ProcessStartInfo("/bin/sh", ["-c", script]) { RedirectStandardOutput = true };
        start.Environment["SSI_NODES"] = container.Env.Single(e => e.Name == "SSI_NODES").Value;
        start.Environment["Agent__Node"] = node;

        using var shell = System.Diagnostics.Process.Start(start)!;
        var output = await shell.StandardOutput.ReadToEndAsync();
        await shell.WaitForExitAsync();

        Assert.Equal(index, output.Trim());
    }
}

using k8s;
using k8s.Models;
using Ssi.Api.V1Alpha1;
using Ssi.Operator.Apply;
using Ssi.Operator.Certificates;
using Ssi.Operator.SsiClusters;
using Ssi.Testing;

namespace Ssi.Operator.Tests.SsiClusters;

public sealed class SsiClusterDesiredStateTests
{
    private static readonly SsiClusterBuildOptions Options = new("ghcr.io/ssi-operator/agent:0.1.0");

    /// <summary>Agent pods on two nodes, one of them without an IP yet.</summary>
    private static readonly AgentPod[] Pods = [new("demo-ssi-agent-a", "node1", "10.244.1.7", false), new("demo-ssi-agent-b", "node2", null, false)];

    private static IReadOnlyList<DesiredObject> Build(V1Alpha1SsiCluster cluster, SsiClusterCertificates? certificates = null, IReadOnlyList<AgentPod>? pods = null) =>
        SsiClusterDesiredState.Build(cluster, certificates ?? TestClusters.Certificates, SsiClusterTopologyBuilder.Build(cluster, null, pods ?? Pods), Options);

    private static string Yaml(V1Alpha1SsiCluster cluster) =>
        string.Join("---\n", Build(cluster).Select(d => KubernetesYaml.Serialize(d.Object).TrimEnd() + "\n"));

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

        foreach (var d in Build(cluster))
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
        var before = Build(TestClusters.Cfs()).ToDictionary(d => d.Kind.Kind + "/" + d.Name, d => d.SpecHash);
        var changed = TestClusters.Cfs();
        changed.Spec.Agent!.LogLevel = "Debug";

        var after = Build(changed).ToDictionary(d => d.Kind.Kind + "/" + d.Name, d => d.SpecHash);

        Assert.NotEqual(before["DaemonSet/demo-ssi-agent"], after["DaemonSet/demo-ssi-agent"]);
        Assert.Equal(before["Service/demo-ssi-agents"], after["Service/demo-ssi-agents"]);
        Assert.Equal(before["Secret/demo-ssi-ca"], after["Secret/demo-ssi-ca"]);
    }

    [Fact]
    public void The_agent_runs_privileged_with_hostPID_dev_run_ssi_and_the_filesystem_backing()
    {
        var ds = (V1DaemonSet)Build(TestClusters.Pvc()).Single(d => d.Kind.Kind == "DaemonSet").Object;
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
        var before = (V1DaemonSet)Build(TestClusters.Cfs()).Single(d => d.Kind.Kind == "DaemonSet").Object;
        var rotated = TestClusters.Certificates with { AgentCertificatePem = "ROTATED" };

        var after = (V1DaemonSet)Build(TestClusters.Cfs(), rotated).Single(d => d.Kind.Kind == "DaemonSet").Object;

        Assert.NotEqual(before.Spec.Template.Metadata.Annotations["ssi.io/tls-hash"], after.Spec.Template.Metadata.Annotations["ssi.io/tls-hash"]);
        Assert.NotEqual(before.Metadata.Annotations[SpecHashing.Annotation], after.Metadata.Annotations[SpecHashing.Annotation]);
    }

    [Fact]
    public void A_new_agent_address_changes_the_topology_and_leaves_the_agents_running()
    {
        var before = Build(TestClusters.Cfs()).ToDictionary(d => d.Kind.Kind + "/" + d.Name, d => d.SpecHash);
        var after = Build(TestClusters.Cfs(), pods: [new("demo-ssi-agent-c", "node1", "10.244.1.9", false)]).ToDictionary(d => d.Kind.Kind + "/" + d.Name, d => d.SpecHash);

        Assert.NotEqual(before["ConfigMap/demo-ssi-topology"], after["ConfigMap/demo-ssi-topology"]);
        Assert.Equal(before["DaemonSet/demo-ssi-agent"], after["DaemonSet/demo-ssi-agent"]);
    }

    [Fact]
    public void Every_agent_reads_the_topology_ConfigMap_and_waits_for_it_under_a_startup_probe()
    {
        var objects = Build(TestClusters.Cfs());
        var map = (V1ConfigMap)objects.Single(d => d.Kind.Kind == "ConfigMap").Object;
        var pod = ((V1DaemonSet)objects.Single(d => d.Kind.Kind == "DaemonSet").Object).Spec.Template.Spec;
        var container = pod.Containers[0];

        var topology = Ssi.Agent.Contracts.Topology.ClusterTopology.Parse(map.Data["topology.json"]);
        Assert.Equal(["node1", "node2", "node3"], topology.Nodes.Select(n => n.Name));
        Assert.Equal("10.244.1.7:7443", topology.Find("node1")!.Endpoint);
        Assert.Contains(pod.Volumes, v => v.ConfigMap?.Name == "demo-ssi-topology");
        Assert.Contains(container.VolumeMounts, m => m.Name == "topology" && m.MountPath == "/etc/ssi/topology");
        Assert.Equal("/etc/ssi/topology/topology.json", container.Env.Single(e => e.Name == "Agent__TopologyFile").Value);
        Assert.Null(container.Command);
        Assert.True(container.StartupProbe.FailureThreshold * container.StartupProbe.PeriodSeconds >= 180);
    }
}

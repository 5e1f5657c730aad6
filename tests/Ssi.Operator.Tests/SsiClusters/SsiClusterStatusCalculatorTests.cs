using k8s.Models;
using Ssi.Agent.Contracts.V1;
using Ssi.Api.Validation;
using Ssi.Operator.SsiClusters;
using Ssi.Orchestration.Agents;

namespace Ssi.Operator.Tests.SsiClusters;

public sealed class SsiClusterStatusCalculatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 6, 0, 0, TimeSpan.Zero);

    private static V1DaemonSet DaemonSet(int desired, int ready) => new()
    {
        Metadata = new V1ObjectMeta { Generation = 1 },
        Status = new V1DaemonSetStatus { DesiredNumberScheduled = desired, NumberReady = ready, ObservedGeneration = 1 },
    };

    private static NodeHealth Healthy(string node, bool mounted = true) => new(node, true, true, "", new GetNodeInfoResponse
    {
        AgentVersion = "0.1.0",
        Identity = new NodeIdentity { Node = node, Endpoint = node + ":7443" },
        Filesystem = new FilesystemStatus { Enabled = true, Mounted = mounted },
        Capabilities = new NodeCapabilities { Criu = new Capability { Available = true, Version = "4.2.1" } },
    });

    private static readonly NodeHealth[] AllHealthy = [Healthy("node1"), Healthy("node2"), Healthy("node3")];

    [Fact]
    public void All_agents_ready_and_mounted_make_the_cluster_Ready()
    {
        var status = SsiClusterStatusCalculator.Compute(TestClusters.Cfs(), new([], DaemonSet(3, 3), AllHealthy), T0);

        Assert.All(status.Conditions!, c => Assert.Equal("True", c.Status));
        Assert.Equal(3, status.ReadyNodes);
        Assert.Equal(3, status.ObservedGeneration);
        Assert.Equal("4.2.1", status.Nodes![0].CriuVersion);
    }

    [Fact]
    public void Agents_not_ready_make_AgentsAvailable_and_Ready_false_with_the_count()
    {
        var status = SsiClusterStatusCalculator.Compute(TestClusters.Cfs(), new([], DaemonSet(3, 1), AllHealthy), T0);

        var ready = status.Conditions!.Single(c => c.Type == "Ready");
        Assert.Equal("False", ready.Status);
        Assert.Equal("AgentsNotReady", ready.Reason);
        Assert.Equal("1 of 3 agents are ready.", ready.Message);
    }

    [Fact]
    public void An_unreachable_home_node_makes_the_filesystem_not_ready()
    {
        var nodes = new[] { new NodeHealth("node1", false, false, "The agent is unreachable.", null), Healthy("node2"), Healthy("node3") };

        var status = SsiClusterStatusCalculator.Compute(TestClusters.Cfs(), new([], DaemonSet(3, 3), nodes), T0);

        Assert.Equal("HomeUnreachable", status.Conditions!.Single(c => c.Type == "FilesystemReady").Reason);
        Assert.False(status.Nodes!.Single(n => n.Name == "node1").Healthy);
    }

    [Fact]
    public void An_invalid_spec_is_Ready_false_with_the_field_errors()
    {
        var status = SsiClusterStatusCalculator.Compute(TestClusters.Cfs(), SsiClusterObservations.Invalid([new FieldError("spec.filesystem.home", "\"x\" is not one of the nodes")]), T0);

        var ready = status.Conditions!.Single(c => c.Type == "Ready");
        Assert.Equal("InvalidSpec", ready.Reason);
        Assert.Contains("spec.filesystem.home", ready.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LastTransitionTime_moves_only_when_a_condition_flips()
    {
        var cluster = TestClusters.Cfs();
        cluster.Status = SsiClusterStatusCalculator.Compute(cluster, new([], DaemonSet(3, 1), AllHealthy), T0);

        var same = SsiClusterStatusCalculator.Compute(cluster, new([], DaemonSet(3, 2), AllHealthy), T0.AddMinutes(5));
        var flipped = SsiClusterStatusCalculator.Compute(cluster, new([], DaemonSet(3, 3), AllHealthy), T0.AddMinutes(9));

        Assert.Equal(T0.UtcDateTime, same.Conditions!.Single(c => c.Type == "Ready").LastTransitionTime);
        Assert.Equal(T0.AddMinutes(9).UtcDateTime, flipped.Conditions!.Single(c => c.Type == "Ready").LastTransitionTime);
        Assert.Equal(T0.UtcDateTime, flipped.Conditions!.Single(c => c.Type == "FilesystemReady").LastTransitionTime);
    }
}

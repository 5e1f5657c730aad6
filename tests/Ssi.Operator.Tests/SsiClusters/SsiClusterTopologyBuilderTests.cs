using Ssi.Agent.Contracts.Topology;
using Ssi.Api.V1Alpha1;
using Ssi.Operator.SsiClusters;

namespace Ssi.Operator.Tests.SsiClusters;

/// <summary>Node indices, agent endpoints and exports as the agents read them.</summary>
public sealed class SsiClusterTopologyBuilderTests
{
    private static AgentPod Pod(string node, string? ip = null, bool deleting = false, string? name = null) =>
        new(name ?? "agent-" + node, node, ip, deleting);

    private static Dictionary<string, int> Indices(ClusterTopology topology) => topology.Nodes.ToDictionary(n => n.Name, n => n.Index);

    [Fact]
    public void Listed_nodes_are_indexed_by_their_position_and_carry_their_devices()
    {
        var cluster = TestClusters.Cfs();
        cluster.Spec.Nodes![2].Devices = ["/dev/ttyS0"];

        var topology = SsiClusterTopologyBuilder.Build(cluster, null, [Pod("node3", "10.0.0.3")]);

        Assert.Equal(new Dictionary<string, int> { ["node1"] = 0, ["node2"] = 1, ["node3"] = 2 }, Indices(topology));
        Assert.Equal(["/dev/ttyS0"], topology.Find("node3")!.Devices);
        Assert.Equal("10.0.0.3:7443", topology.Find("node3")!.Endpoint);
        Assert.Null(topology.Find("node1")!.Endpoint);
    }

    [Fact]
    public void Selected_nodes_get_the_lowest_free_index_in_name_order()
    {
        var topology = SsiClusterTopologyBuilder.Build(TestClusters.Pvc(), null, [Pod("w2", "10.0.0.2"), Pod("w1", "10.0.0.1")]);

        Assert.Equal(new Dictionary<string, int> { ["w1"] = 0, ["w2"] = 1 }, Indices(topology));
        Assert.Equal("10.0.0.2:9443", topology.Find("w2")!.Endpoint);
    }

    [Fact]
    public void A_node_keeps_its_index_when_its_agent_goes_and_a_joining_node_never_takes_it()
    {
        var cluster = TestClusters.Pvc();
        var first = SsiClusterTopologyBuilder.Build(cluster, null, [Pod("w1", "10.0.0.1"), Pod("w2", "10.0.0.2"), Pod("w3", "10.0.0.3")]);

        // w2's agent is gone (node drained), then a new node joins.
        var second = SsiClusterTopologyBuilder.Build(cluster, first, [Pod("w1", "10.0.0.1"), Pod("w3", "10.0.0.3"), Pod("a0", "10.0.0.9")]);

        Assert.Equal(new Dictionary<string, int> { ["w1"] = 0, ["w2"] = 1, ["w3"] = 2, ["a0"] = 3 }, Indices(second));
        Assert.Null(second.Find("w2")!.Endpoint);
    }

    [Fact]
    public void An_index_is_given_again_only_when_all_are_taken_and_then_one_of_a_node_without_an_agent()
    {
        var cluster = TestClusters.Pvc();
        var full = new ClusterTopology(Enumerable.Range(0, 64).Select(i => new TopologyNode($"n{i:D2}", i, null, [])).ToList());
        var pods = Enumerable.Range(0, 64).Where(i => i != 5).Select(i => Pod($"n{i:D2}")).Append(Pod("late")).ToList();

        var topology = SsiClusterTopologyBuilder.Build(cluster, full, pods);

        Assert.Equal(5, topology.Find("late")!.Index);
        Assert.Null(topology.Find("n05"));
        Assert.Equal(64, topology.Nodes.Count);
    }

    [Fact]
    public void A_node_with_no_index_left_is_not_listed_and_its_agent_waits()
    {
        var full = new ClusterTopology(Enumerable.Range(0, 64).Select(i => new TopologyNode($"n{i:D2}", i, null, [])).ToList());
        var pods = Enumerable.Range(0, 64).Select(i => Pod($"n{i:D2}")).Append(Pod("late")).ToList();

        var topology = SsiClusterTopologyBuilder.Build(TestClusters.Pvc(), full, pods);

        Assert.Null(topology.Find("late"));
    }

    [Fact]
    public void A_deleting_pod_gives_no_endpoint_and_IPv6_addresses_are_bracketed()
    {
        var topology = SsiClusterTopologyBuilder.Build(TestClusters.Pvc(), null,
        [
            Pod("w1", "10.0.0.1", deleting: true, name: "old"),
            Pod("w1", "fd00::7", name: "new"),
            Pod("w2", "10.0.0.2", deleting: true),
        ]);

        Assert.Equal("[fd00::7]:9443", topology.Find("w1")!.Endpoint);
        Assert.Null(topology.Find("w2")!.Endpoint);
        Assert.Equal(1, topology.Find("w2")!.Index);
    }

    [Fact]
    public void The_same_world_gives_the_same_topology()
    {
        var cluster = TestClusters.Pvc();
        AgentPod[] pods = [Pod("b", "10.0.0.2"), Pod("a", "10.0.0.1")];

        Assert.Equal(
            SsiClusterTopologyBuilder.Build(cluster, null, pods).ToJson(),
            SsiClusterTopologyBuilder.Build(cluster, null, [.. pods.Reverse()]).ToJson());
    }
}

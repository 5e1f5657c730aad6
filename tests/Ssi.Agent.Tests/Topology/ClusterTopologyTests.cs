using Ssi.Agent.Contracts.Topology;
using Ssi.Agent.Topology;

namespace Ssi.Agent.Tests.Topology;

/// <summary>The cluster topology file: its format, and the configuration an agent takes from it.</summary>
public sealed class ClusterTopologyTests
{
    private static readonly ClusterTopology Three = new(
    [
        new TopologyNode("node2", 1, "10.0.0.2:7443", []),
        new TopologyNode("node1", 0, "10.0.0.1:7443", ["/dev/ttyS*", "/dev/kmsg"]),
        new TopologyNode("node3", 2, null, []),
    ]);

    [Fact]
    public void A_topology_survives_its_own_text_with_nodes_in_index_order()
    {
        var text = Three.ToJson();
        var back = ClusterTopology.Parse(text);

        Assert.Equal(["node1", "node2", "node3"], back.Nodes.Select(n => n.Name));
        Assert.Equal(["/dev/ttyS*", "/dev/kmsg"], back.Find("node1")!.Devices);
        Assert.Null(back.Find("node3")!.Endpoint);
        Assert.Equal(text, back.ToJson());
        Assert.DoesNotContain("\"endpoint\": null", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_node_without_a_device_list_exports_nothing()
    {
        var topology = ClusterTopology.Parse("""{"nodes":[{"name":"a","index":4}]}""");

        Assert.Empty(topology.Find("a")!.Devices);
        Assert.Equal(4, topology.Find("a")!.Index);
    }

    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("{}", "no \"nodes\" list")]
    [InlineData("""{"nodes":[{"index":1}]}""", "a name and an index")]
    [InlineData("""{"nodes":[{"name":"a","index":-1}]}""", "a name and an index")]
    [InlineData("""{"nodes":[{"name":"a","index":1},{"name":"b","index":1}]}""", "two nodes named a or with index 1")]
    [InlineData("""{"nodes":[{"name":"a","index":1},{"name":"a","index":2}]}""", "two nodes named a")]
    public void A_malformed_topology_is_refused_with_what_is_wrong(string text, string reason)
    {
        var e = Assert.Throws<FormatException>(() => ClusterTopology.Parse(text));

        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_agent_takes_its_index_and_exports_and_every_other_node_with_an_endpoint_as_a_peer()
    {
        var keys = TopologyConfigurationProvider.KeysFor(Three, "node1");

        Assert.Equal(
            new Dictionary<string, string?>
            {
                ["Agent:NodeIndex"] = "0",
                ["Devices:Exports:0"] = "/dev/ttyS*",
                ["Devices:Exports:1"] = "/dev/kmsg",
                ["Devices:Peers:0"] = "node2=10.0.0.2:7443",
            },
            keys.OrderBy(k => k.Key, StringComparer.Ordinal).ToDictionary());
    }

    [Fact]
    public void A_node_the_topology_does_not_name_gets_only_peers()
    {
        var keys = TopologyConfigurationProvider.KeysFor(Three, "node9");

        Assert.Equal(["Devices:Peers:0", "Devices:Peers:1"], keys.Keys.Order(StringComparer.Ordinal));
    }
}

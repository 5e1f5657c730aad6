using Ssi.Cli.Local;
using Ssi.Orchestration.Manifests;

namespace Ssi.Cli.Tests.Local;

public sealed class LocalClusterLayoutTests
{
    private static LocalClusterLayout Layout(string extra = "") => LocalClusterLayout.Build(
        SsiClusterManifest.Parse(
            """
            apiVersion: ssi.io/v1alpha1
            kind: SsiCluster
            metadata: {name: demo}
            spec:
              nodes: [{name: node1}, {name: node2}, {name: node3}]
            """ + extra,
            "test.yaml",
            localMode: true),
        "/run/test-root");

    [Fact]
    public void Nodes_get_consecutive_addresses_from_the_default_subnet()
    {
        var layout = Layout();

        Assert.Equal(["10.250.0.1", "10.250.0.2", "10.250.0.3"], layout.Nodes.Select(n => n.Address.ToString()));
        Assert.Equal(24, layout.PrefixLength);
        Assert.Equal([0, 1, 2], layout.Nodes.Select(n => n.Index));
        Assert.Equal(7443, layout.AgentPort);
    }

    [Fact]
    public void Subnet_and_port_come_from_the_spec()
    {
        var layout = Layout("\n  local: {subnet: 192.168.77.0/28}\n  agent: {port: 9000}\n");

        Assert.Equal("192.168.77.3", layout.Node("node3").Address.ToString());
        Assert.Equal(28, layout.PrefixLength);
        Assert.Equal(9000, layout.AgentPort);
    }

    [Fact]
    public void Names_and_paths_are_derived_from_cluster_and_node_names()
    {
        var node = Layout().Node("node2");

        Assert.Equal("ssi.demo.node2", node.NetworkNamespace);
        Assert.Equal("/run/netns/ssi.demo.node2", node.NetworkNamespacePath);
        Assert.Equal("/run/test-root/demo/ns/node2.mnt", node.MountNamespaceFile);
        Assert.Equal("/run/test-root/demo/pki/nodes/node2", node.CredentialsDirectory);
        Assert.Equal("p1", node.SwitchPort);
        Assert.Equal("ssi.demo", Layout().SwitchNamespace);
    }

    [Fact]
    public void A_cluster_whose_name_extends_another_cannot_share_its_namespace_prefix()
    {
        // "ssi.demo." never prefixes a namespace of cluster "demo-2" ("ssi.demo-2.") since names cannot contain '.'.
        Assert.False("ssi.demo-2.node1".StartsWith(Layout().NamespaceNamePrefix, StringComparison.Ordinal));
    }

    [Fact]
    public void The_shared_filesystem_defaults_to_ssi_with_its_home_on_the_first_node()
    {
        var fs = Layout().Filesystem;

        Assert.Equal("/ssi", fs.MountPath);
        Assert.Equal("node1", fs.HomeNode);
        Assert.Equal("/var/lib/ssi-operator/demo/cfs", fs.BackingDirectory);
    }

    [Fact]
    public void The_shared_filesystem_follows_the_spec()
    {
        var fs = Layout("\n  filesystem: {mountPath: /cluster, home: node3, hostPath: /srv/data}\n").Filesystem;

        Assert.Equal(new LocalFilesystemLayout("/cluster", "node3", "/srv/data"), fs);
    }

    [Fact]
    public void Unknown_node_is_an_argument_error()
    {
        Assert.Throws<ArgumentException>(() => Layout().Node("node9"));
    }
}

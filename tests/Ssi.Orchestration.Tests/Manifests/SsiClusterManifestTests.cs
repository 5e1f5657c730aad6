using Ssi.Api.V1Alpha1;
using Ssi.Orchestration.Manifests;
using Ssi.Testing;

namespace Ssi.Orchestration.Tests.Manifests;

public sealed class SsiClusterManifestTests
{
    private const string Valid = """
        apiVersion: ssi.io/v1alpha1
        kind: SsiCluster
        metadata:
          name: demo
        spec:
          nodes:
            - name: node1
            - name: node2
          agent:
            port: 7443
        """;

    private static ManifestException Invalid(string yaml, bool localMode = true) =>
        Assert.Throws<ManifestException>(() => SsiClusterManifest.Parse(yaml, "test.yaml", localMode));

    [Fact]
    public void Parse_reads_nodes_port_and_defaults()
    {
        var cluster = SsiClusterManifest.Parse(Valid, "test.yaml", localMode: true);

        Assert.Equal("demo", cluster.Metadata.Name);
        Assert.Equal(["node1", "node2"], cluster.Spec.Nodes!.Select(n => n.Name));
        Assert.Equal(7443, cluster.Spec.Agent!.Port);
        Assert.Null(cluster.Spec.Local);
    }

    [Fact]
    public void Every_sample_in_crds_samples_is_valid()
    {
        var samples = Directory.GetFiles(RepositoryPaths.Samples, "ssicluster*.yaml");
        Assert.NotEmpty(samples);
        foreach (var sample in samples)
        {
            var cluster = SsiClusterManifest.Load(sample, localMode: true);
            Assert.NotEmpty(cluster.Spec.Nodes!);
        }
    }

    [Fact]
    public void Unknown_field_is_named_with_its_path_line_and_a_suggestion()
    {
        var e = Invalid(Valid.Replace("  agent:\n    port: 7443", "  agent:\n    prot: 7443", StringComparison.Ordinal));

        var error = Assert.Single(e.Errors);
        Assert.Equal("spec.agent.prot", error.Path);
        Assert.Contains("unknown field \"prot\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("did you mean \"port\"", error.Message, StringComparison.Ordinal);
        Assert.Equal(10, error.Location!.Value.Line);
        Assert.Contains("test.yaml:10:5: spec.agent.prot", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Value_of_the_wrong_kind_is_named()
    {
        var e = Invalid(Valid.Replace("port: 7443", "port: seven", StringComparison.Ordinal));

        var error = Assert.Single(e.Errors);
        Assert.Equal("spec.agent.port", error.Path);
        Assert.Contains("expected an integer, found the string \"seven\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nodes_given_as_a_mapping_instead_of_a_list_is_named()
    {
        var e = Invalid("""
            apiVersion: ssi.io/v1alpha1
            kind: SsiCluster
            metadata: {name: demo}
            spec:
              nodes:
                node1: {}
            """);

        Assert.Equal("spec.nodes", Assert.Single(e.Errors).Path);
        Assert.Contains("expected a list", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Node_1", "spec.nodes[1].name", "not a DNS-1123 label")]
    [InlineData("node1", "spec.nodes[1].name", "listed more than once")]
    [InlineData("\"\"", "spec.nodes[1].name", "is required")]
    public void Bad_node_names_are_named(string name, string path, string message)
    {
        var e = Invalid(Valid.Replace("- name: node2", $"- name: {name}", StringComparison.Ordinal));

        var error = Assert.Single(e.Errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(8, error.Location!.Value.Line);
    }

    [Fact]
    public void Device_allowlist_of_a_node_is_read()
    {
        var cluster = SsiClusterManifest.Parse(Valid.Replace("- name: node2", "- name: node2\n      devices: [/dev/null, \"/dev/ttyS*\"]", StringComparison.Ordinal), "test.yaml", localMode: true);

        Assert.Null(cluster.Spec.Nodes![0].Devices);
        Assert.Equal(["/dev/null", "/dev/ttyS*"], cluster.Spec.Nodes[1].Devices!);
    }

    [Theory]
    [InlineData("ttyS0", "spec.nodes[1].devices[0]", "not a path under /dev/")]
    [InlineData("/etc/passwd", "spec.nodes[1].devices[0]", "not a path under /dev/")]
    [InlineData("/dev/../etc/shadow", "spec.nodes[1].devices[0]", "must not contain . or ..")]
    [InlineData("/dev/net/", "spec.nodes[1].devices[0]", "must name a device")]
    public void Bad_device_paths_are_named(string device, string path, string message)
    {
        var e = Invalid(Valid.Replace("- name: node2", $"- name: node2\n      devices: [\"{device}\"]", StringComparison.Ordinal));

        var error = Assert.Single(e.Errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Local_mode_needs_nodes_but_the_operator_does_not()
    {
        const string noNodes = """
            apiVersion: ssi.io/v1alpha1
            kind: SsiCluster
            metadata: {name: demo}
            spec:
              nodeSelector: {ssi.io/node: "true"}
            """;

        Assert.Equal("spec.nodes", Assert.Single(Invalid(noNodes).Errors).Path);
        Assert.Empty(SsiClusterManifest.Parse(noNodes, "test.yaml", localMode: false).Spec.Nodes ?? []);
    }

    [Theory]
    [InlineData("70000", "not a TCP port")]
    [InlineData("0", "not a TCP port")]
    [InlineData("65534", "they also take port + 1 and port + 2")]
    public void Bad_port_is_named(string port, string message)
    {
        var e = Invalid(Valid.Replace("port: 7443", $"port: {port}", StringComparison.Ordinal));

        Assert.Equal("spec.agent.port", Assert.Single(e.Errors).Path);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.0.0.0/33", "not an IPv4 network")]
    [InlineData("banana", "not an IPv4 network")]
    [InlineData("10.0.0.0/31", "room for 0 nodes")]
    [InlineData("10.0.0.5/24", "has host bits set; did you mean 10.0.0.0/24")]
    public void Bad_local_subnet_is_named(string subnet, string message)
    {
        var e = Invalid(Valid + $"\n  local:\n    subnet: {subnet}\n");

        Assert.Equal("spec.local.subnet", Assert.Single(e.Errors).Path);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mountPath: relative", "spec.filesystem.mountPath", "not an absolute path")]
    [InlineData("mountPath: /a/../b", "spec.filesystem.mountPath", "must not contain . or ..")]
    [InlineData("mountPath: /etc", "spec.filesystem.mountPath", "is a system directory")]
    [InlineData("home: node9", "spec.filesystem.home", "\"node9\" is not one of the nodes (node1, node2)")]
    [InlineData("mode: nfs", "spec.filesystem.mode", "is not one of cfs, pvc")]
    [InlineData("mode: pvc", "spec.filesystem.mode", "local mode supports cfs")]
    [InlineData("hostPath: data", "spec.filesystem.hostPath", "not an absolute path")]
    public void Bad_filesystem_settings_are_named(string setting, string path, string message)
    {
        var e = Invalid(Valid + $"\n  filesystem:\n    {setting}\n");

        Assert.Equal(path, Assert.Single(e.Errors).Path);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pvc_mode_needs_a_claim_on_kubernetes()
    {
        var e = Invalid(Valid + "\n  filesystem:\n    mode: pvc\n", localMode: false);

        Assert.Equal("spec.filesystem.claimName", Assert.Single(e.Errors).Path);
    }

    [Fact]
    public void Several_problems_are_all_reported()
    {
        var e = Invalid("""
            apiVersion: ssi.io/v1
            kind: SsiCluster
            metadata: {name: Demo}
            spec:
              nodes: [{name: a}, {name: a}]
            """);

        Assert.Equal(["apiVersion", "metadata.name", "spec.nodes[1].name"], e.Errors.Select(x => x.Path));
    }

    [Fact]
    public void Broken_yaml_reports_line_and_column()
    {
        var e = Invalid("apiVersion: ssi.io/v1alpha1\nkind: SsiCluster\nspec:\n  nodes: [a, b\n");

        var error = Assert.Single(e.Errors);
        Assert.Contains("not valid YAML", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.Location);
        Assert.StartsWith("test.yaml:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_keys_are_refused()
    {
        var e = Invalid(Valid + "\n  agent:\n    port: 1\n");

        Assert.Contains("Duplicate key", e.Message, StringComparison.Ordinal);
        Assert.Equal(11, Assert.Single(e.Errors).Location!.Value.Line);
    }

    [Fact]
    public void A_file_without_an_SsiCluster_says_what_it_found()
    {
        var e = Invalid("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");

        Assert.Contains("no SsiCluster in the file (found: ConfigMap)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_SsiCluster_is_found_among_several_documents()
    {
        var cluster = SsiClusterManifest.Parse("apiVersion: v1\nkind: Namespace\nmetadata: {name: ssi}\n---\n" + Valid, "test.yaml", localMode: true);

        Assert.Equal(SsiApiGroup.ApiVersion, cluster.ApiVersion);
        Assert.Equal(2, cluster.Spec.Nodes!.Count);
    }

    [Fact]
    public void Quoted_numbers_stay_strings_and_plain_ones_are_numbers()
    {
        var e = Invalid(Valid.Replace("port: 7443", "port: \"7443\"", StringComparison.Ordinal));

        Assert.Contains("expected an integer, found the string \"7443\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_a_clear_error()
    {
        var e = Assert.Throws<ManifestException>(() => SsiClusterManifest.Load("/nonexistent/cluster.yaml", localMode: true));

        Assert.Contains("cannot read /nonexistent/cluster.yaml", e.Message, StringComparison.Ordinal);
    }
}

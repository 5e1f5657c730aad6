using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Ssi.Agent.Native;
using Ssi.Testing;

namespace Ssi.Cli.Tests.Local;

/// <summary>
/// `ssi local up/status/down` for real: network and mount namespaces, veth links, agents with
/// mTLS. Run one at a time: each brings up agents on a 2-core machine.
/// </summary>
[Collection(LocalClusterCollection.Name)]
public sealed class LocalClusterIntegrationTests
{
    [Fact]
    public async Task Up_status_and_down_of_the_three_node_sample_leave_the_machine_as_it_was()
    {
        await using var cluster = TestCluster.FromSample();
        var before = HostSnapshot.Take(cluster.Name);

        var up = await cluster.UpAsync();
        Assert.True(up.ExitCode == 0, up.ToString());
        Assert.Contains($"Cluster {cluster.Name} is up", up.StandardOutput, StringComparison.Ordinal);

        var status = await cluster.StatusJsonAsync();
        Assert.Equal("Up", status.GetProperty("phase").GetString());
        Assert.True(status.GetProperty("healthy").GetBoolean(), status.ToString());
        var nodes = status.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(["node1", "node2", "node3"], nodes.Select(n => n.GetProperty("name").GetString()));
        foreach (var node in nodes)
        {
            Assert.Equal("4.2.1", node.GetProperty("criu").GetString());
            Assert.True(node.GetProperty("fuse").GetBoolean());
            AssertAgentRunsInItsNode(node);
        }

        var during = HostSnapshot.Take(cluster.Name);
        Assert.Equal(4, during.NetworkNamespaces.Count); // three nodes and the switch
        Assert.Equal(before.HostLinks, during.HostLinks); // nothing on the host's network

        var table = await CliRun.RunAsync(["local", "status", "-n", cluster.Name]);
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("Healthy", table.StandardOutput, StringComparison.Ordinal);

        var down = await cluster.DownAsync();
        Assert.True(down.ExitCode == 0, down.ToString());
        AssertNothingLeft(cluster, before);
    }

    [Fact]
    public async Task Nodes_reach_each_other_over_the_cluster_network_but_the_host_does_not_see_it()
    {
        await using var cluster = TestCluster.FromSample();
        Assert.Equal(0, (await cluster.UpAsync()).ExitCode);

        // node1 -> node3's agent port, on a socket made inside node1's namespace.
        using var fromNode1 = NetworkNamespace.Run($"/run/netns/ssi.{cluster.Name}.node1", () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        await fromNode1.ConnectAsync(IPAddress.Parse("10.250.0.3"), 7443);
        Assert.True(fromNode1.Connected);

        // The host has no route into the cluster network (and may use the subnet for something else).
        Assert.DoesNotContain(
            NetworkInterface(),
            a => a.StartsWith("10.250.0.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Status_tells_when_an_agent_has_died()
    {
        await using var cluster = TestCluster.FromSample();
        Assert.Equal(0, (await cluster.UpAsync()).ExitCode);
        var victim = (await cluster.StatusJsonAsync()).GetProperty("nodes")[1];
        ProcessSignals.Send(victim.GetProperty("agentPid").GetInt32(), ProcessSignals.SIGKILL);
        await WaitUntilGoneAsync(victim.GetProperty("agentPid").GetInt32());

        var status = await cluster.StatusJsonAsync();
        var result = await CliRun.RunAsync(["local", "status", "-n", cluster.Name]);

        Assert.False(status.GetProperty("healthy").GetBoolean());
        var node2 = status.GetProperty("nodes")[1];
        Assert.False(node2.GetProperty("reachable").GetBoolean());
        Assert.False(node2.GetProperty("agentRunning").GetBoolean());
        Assert.True(status.GetProperty("nodes")[0].GetProperty("healthy").GetBoolean());
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("Unreachable", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ps_shows_a_node_whose_agent_is_down_as_unreachable_instead_of_hanging()
    {
        await using var cluster = TestCluster.FromSample();
        Assert.Equal(0, (await cluster.UpAsync()).ExitCode);
        var victim = (await cluster.StatusJsonAsync()).GetProperty("nodes")[0].GetProperty("agentPid").GetInt32();
        ProcessSignals.Send(victim, ProcessSignals.SIGKILL);
        await WaitUntilGoneAsync(victim);

        var ps = await CliRun.RunAsync(["ps", "-c", cluster.Name], timeout: TimeSpan.FromSeconds(20));
        var json = await CliRun.RunAsync(["ps", "-c", cluster.Name, "-o", "json"], timeout: TimeSpan.FromSeconds(20));

        Assert.Equal(3, ps.ExitCode);
        Assert.Contains("node node1 is unreachable", ps.Output, StringComparison.Ordinal);
        var unreachable = JsonDocument.Parse(json.StandardOutput).RootElement.GetProperty("unreachable");
        Assert.Equal("node1", Assert.Single(unreachable.EnumerateArray()).GetProperty("node").GetString());
    }

    [Theory]
    [InlineData("local-up:after-node:node2")]
    [InlineData("local-up:after-agents")]
    public async Task Down_after_up_crashed_midway_leaves_nothing_behind(string crashPoint)
    {
        await using var cluster = TestCluster.FromSample();
        var before = HostSnapshot.Take(cluster.Name);

        var up = await cluster.UpAsync(new Dictionary<string, string> { ["SSI_FAULT"] = crashPoint });
        Assert.Equal(137, up.ExitCode); // SIGKILL
        Assert.NotEmpty(HostSnapshot.Take(cluster.Name).NetworkNamespaces);

        var again = await cluster.UpAsync();
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("leftovers of an earlier `up`", again.Output, StringComparison.Ordinal);

        var down = await cluster.DownAsync();
        Assert.True(down.ExitCode == 0, down.ToString());
        AssertNothingLeft(cluster, before);
    }

    [Fact]
    public async Task Up_that_fails_rolls_back_everything_it_made()
    {
        await using var cluster = TestCluster.FromSample();
        var before = HostSnapshot.Take(cluster.Name);

        var up = await cluster.UpAsync(new Dictionary<string, string> { ["SSI_AGENT_PATH"] = "/bin/false" });

        Assert.Equal(1, up.ExitCode);
        Assert.Contains("exited during start-up", up.Output, StringComparison.Ordinal);
        AssertNothingLeft(cluster, before);
    }

    [Fact]
    public async Task Two_clusters_with_different_names_run_side_by_side_on_the_same_subnet()
    {
        await using var first = TestCluster.FromSample("a");
        await using var second = TestCluster.FromSample("b");

        Assert.Equal(0, (await first.UpAsync()).ExitCode);
        Assert.Equal(0, (await second.UpAsync()).ExitCode);
        Assert.True((await first.StatusJsonAsync()).GetProperty("healthy").GetBoolean());
        Assert.True((await second.StatusJsonAsync()).GetProperty("healthy").GetBoolean());

        Assert.Equal(0, (await first.DownAsync()).ExitCode);
        Assert.True((await second.StatusJsonAsync()).GetProperty("healthy").GetBoolean());
    }

    [Fact]
    public async Task Up_of_a_cluster_that_is_already_up_is_refused()
    {
        await using var cluster = TestCluster.FromSample();
        Assert.Equal(0, (await cluster.UpAsync()).ExitCode);

        var again = await cluster.UpAsync();

        Assert.Equal(1, again.ExitCode);
        Assert.Contains("is already up", again.Output, StringComparison.Ordinal);
        Assert.True((await cluster.StatusJsonAsync()).GetProperty("healthy").GetBoolean());
    }

    [Fact]
    public async Task Up_with_an_invalid_manifest_exits_2_and_names_the_field()
    {
        Prerequisites.RequireNetworkNamespaces();
        var path = Path.Combine(Path.GetTempPath(), $"bad-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, "apiVersion: ssi.io/v1alpha1\nkind: SsiCluster\nmetadata: {name: bad}\nspec:\n  nodes: [{name: Node_1}]\n");
        try
        {
            var up = await CliRun.RunAsync(["local", "up", "-f", path]);

            Assert.Equal(2, up.ExitCode);
            Assert.Contains("spec.nodes[0].name", up.Output, StringComparison.Ordinal);
            Assert.Contains($"{path}:5:", up.Output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Down_of_an_unknown_cluster_says_there_is_nothing_to_remove()
    {
        Prerequisites.RequireNetworkNamespaces();

        var down = await CliRun.RunAsync(["local", "down", "-n", $"none-{Guid.NewGuid():N}"[..13]]);

        Assert.Equal(0, down.ExitCode);
        Assert.Contains("nothing to remove", down.Output, StringComparison.Ordinal);
    }

    /// <summary>Namespaces, host links, mounts, processes as before; no state, lock or data directory.</summary>
    private static void AssertNothingLeft(TestCluster cluster, HostSnapshot before)
    {
        HostSnapshot.Take(cluster.Name).AssertSameAs(before);
        Assert.False(Directory.Exists($"/run/ssi-operator/{cluster.Name}"));
        Assert.False(File.Exists($"/run/ssi-operator/.{cluster.Name}.lock"));
        Assert.False(Directory.Exists($"/var/lib/ssi-operator/{cluster.Name}"));
    }

    private static void AssertAgentRunsInItsNode(JsonElement node)
    {
        var pid = node.GetProperty("agentPid").GetInt32();
        var expected = Inode($"/run/netns/{node.GetProperty("networkNamespace").GetString()}");
        Assert.Equal(expected, Inode($"/proc/{pid}/ns/net"));
        Assert.NotEqual(Inode("/proc/self/ns/net"), expected);
    }

    private static ulong Inode(string path) => NamespaceInode.Of(path);

    private static IEnumerable<string> NetworkInterface() =>
        System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address.ToString());

    private static async Task WaitUntilGoneAsync(int pid)
    {
        for (var i = 0; i < 200 && Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z", StringComparison.Ordinal); i++)
        {
            await Task.Delay(25);
        }
    }
}

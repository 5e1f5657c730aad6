using Ssi.Agent.Contracts.Topology;
using Ssi.Agent.Contracts.V1;
using Ssi.Orchestration.Certificates;
using Ssi.Testing;

namespace Ssi.Agent.Tests.Topology;

/// <summary>Real agents that read the cluster topology file, as agent pods read the operator's ConfigMap.</summary>
public sealed class TopologyAgentTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ssi-topology-test").FullName;
    private readonly ClusterCertificateAuthority _authority = ClusterCertificateAuthority.Create("test", DateTimeOffset.UtcNow);

    private string TopologyFile => Path.Combine(_directory, ClusterTopology.FileName);

    public void Dispose()
    {
        _authority.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task An_agent_waits_until_the_topology_names_its_node_and_takes_its_index_from_it()
    {
        Write(new TopologyNode("other", 0, null, []));
        var starting = Task.Run(() => InProcessAgent.StartAsync(_authority, "node7", $"--Agent:TopologyFile={TopologyFile}", "--Agent:TopologyPollSeconds=1"));
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(starting.IsCompleted, $"the agent started before the topology named its node: {starting.Exception}");

        Write(new TopologyNode("other", 0, null, []), new TopologyNode("node7", 5, null, []));
        await using var agent = await starting.WaitAsync(TimeSpan.FromSeconds(30));

        using var channel = agent.Channel("node7");
        var info = await new Contracts.V1.Node.NodeClient(channel).GetNodeInfoAsync(new GetNodeInfoRequest());
        Assert.Equal(5u, info.Identity.NodeIndex);
    }

    [Fact]
    public async Task Remote_devices_follow_the_topology_as_nodes_join_move_and_leave()
    {
        Prerequisites.RequireRoot();
        Prerequisites.RequireFuse();
        var mount = Path.Combine(_directory, "dev");
        var zero = Path.Combine(mount, "owner", "zero");
        var full = Path.Combine(mount, "owner", "full");
        Write(new TopologyNode("reader", 0, null, []));
        await using var reader = await InProcessAgent.StartAsync(_authority, "reader", $"--Agent:TopologyFile={TopologyFile}", "--Agent:TopologyPollSeconds=1", $"--Devices:MountPath={mount}");
        Assert.False(Directory.Exists(Path.Combine(mount, "owner")));

        // The owner joins: its devices appear on the reader.
        await using (var owner = await InProcessAgent.StartAsync(_authority, "owner", "--Devices:Exports:0=/dev/zero"))
        {
            Write(new TopologyNode("reader", 0, null, []), new TopologyNode("owner", 1, Endpoint(owner), ["/dev/zero"]));
            await Eventually(() => File.Exists(zero), "owner's zero appears");
            Assert.Equal(new byte[8], await ReadAsync(zero, 8));
        }

        // The owner's agent comes back elsewhere (a new pod, a new address) exporting something else: the reader follows.
        await using (var moved = await InProcessAgent.StartAsync(_authority, "owner", "--Devices:Exports:0=/dev/full"))
        {
            Write(new TopologyNode("reader", 0, null, []), new TopologyNode("owner", 1, Endpoint(moved), ["/dev/full"]));
            await Eventually(() => File.Exists(full) && !File.Exists(zero), "owner's full replaces zero");
            Assert.Equal(new byte[8], await ReadAsync(full, 8));
        }

        // The owner leaves the cluster: its directory goes.
        Write(new TopologyNode("reader", 0, null, []));
        await Eventually(() => !Directory.Exists(Path.Combine(mount, "owner")), "owner's directory goes");
    }

    private static string Endpoint(InProcessAgent agent) => $"127.0.0.1:{agent.Address.Port}";

    private static async Task<byte[]> ReadAsync(string path, int count)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer);
        return buffer;
    }

    private static async Task Eventually(Func<bool> condition, string what)
    {
        // The agents read the file every second, and cache a peer's listing for a second.
        for (var i = 0; i < 150 && !condition(); i++)
        {
            await Task.Delay(100);
        }

        Assert.True(condition(), $"not within 15 s: {what}");
    }

    private void Write(params TopologyNode[] nodes)
    {
        var temporary = TopologyFile + ".new";
        File.WriteAllText(temporary, new ClusterTopology(nodes).ToJson());
        File.Move(temporary, TopologyFile, overwrite: true);
    }
}

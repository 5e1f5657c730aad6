using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Tests.Filesystem;
using Ssi.Testing;

namespace Ssi.Agent.Tests.Node;

/// <summary>Node.Cleanup on a real agent that serves the shared filesystem from a real FUSE mount.</summary>
public sealed class NodeCleanupTests : IDisposable
{
    private readonly MountScratch _scratch = new();

    private string MountPath => _scratch.MountPoint("mnt");

    private string Backing => _scratch.MountPoint("backing");

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task Cleanup_unmounts_the_shared_filesystem_removes_the_state_and_leaves_the_agent_not_serving()
    {
        Prerequisites.RequireRoot();
        Prerequisites.RequireFuse();
        Directory.CreateDirectory(Backing);
        await using var agent = await InProcessAgent.StartAsync(
            "node1",
            "--Filesystem:Enabled=true",
            $"--Filesystem:MountPath={MountPath}",
            "--Filesystem:HomeNode=node1",
            $"--Filesystem:BackingDirectory={Backing}");
        using var channel = agent.Channel();
        var client = new Contracts.V1.Node.NodeClient(channel);
        await agent.FilesystemStatusAsync(s => s.Mounted);
        await File.WriteAllTextAsync(Path.Combine(MountPath, "kept.txt"), "data");
        var state = Path.Combine(agent.Directory, "state");
        Directory.CreateDirectory(state);
        await File.WriteAllTextAsync(Path.Combine(state, "leftover"), "x");

        var cleanup = await client.CleanupAsync(new CleanupRequest(), deadline: DateTime.UtcNow.AddSeconds(30));
        var health = await client.CheckHealthAsync(new CheckHealthRequest());
        var info = await client.GetNodeInfoAsync(new GetNodeInfoRequest());
        var again = await client.CleanupAsync(new CleanupRequest());

        Assert.Empty(cleanup.Failures);
        Assert.Contains($"Unmounted the shared filesystem at {MountPath}.", cleanup.Actions);
        Assert.Contains($"Removed {state}.", cleanup.Actions);
        Assert.DoesNotContain(File.ReadAllLines("/proc/self/mountinfo"), l => l.Split(' ')[4] == MountPath);
        Assert.False(Directory.Exists(state));
        Assert.Equal("data", await File.ReadAllTextAsync(Path.Combine(Backing, "kept.txt")));
        Assert.Equal(HealthStatus.NotServing, health.Status);
        Assert.Contains("cleaned up", health.Message, StringComparison.Ordinal);
        Assert.False(info.Filesystem.Mounted);
        Assert.Equal(["Already cleaned up."], again.Actions);
    }
}

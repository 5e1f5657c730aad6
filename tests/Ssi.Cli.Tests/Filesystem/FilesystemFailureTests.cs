using System.Diagnostics;
using System.Text.Json;
using Ssi.Agent.Native;
using Ssi.Cli.Tests.Local;
using Ssi.Testing;

namespace Ssi.Cli.Tests.Filesystem;

/// <summary>What the shared filesystem does when the home is cut off, and when a forwarding agent dies.</summary>
[Collection(LocalClusterCollection.Name)]
public sealed class FilesystemFailureTests
{
    [Fact]
    public async Task A_node_cut_off_from_the_home_gets_an_error_promptly_and_recovers_when_the_link_returns()
    {
        await using var cluster = TestCluster.FromSample("f");
        Assert.Equal(0, (await cluster.UpAsync()).ExitCode);
        using var reader = FsDriver.Start(cluster.Name, "node3");
        using (var writer = FsDriver.Start(cluster.Name, "node2"))
        {
            writer.Do(new { op = "write", path = "/ssi/survivor", data = "kept" });
        }

        Assert.Equal("kept", reader.Read("/ssi/survivor"));

        // Cut node1 (the home) off the cluster network.
        await Ip("-n", $"ssi.{cluster.Name}", "link", "set", "p0", "down");
        try
        {
            // No hang: the forward timeout is 5 s; a call still blocked after 30 s fails the test.
            var failed = reader.Try(new { op = "stat", path = "/ssi/new-name" }, deadline: TimeSpan.FromSeconds(30));
            Assert.False(failed.GetProperty("ok").GetBoolean(), failed.ToString());
            Assert.Contains(failed.GetProperty("errno").GetInt32(), new[] { 5 /* EIO */, 107 /* ENOTCONN */ });
        }
        finally
        {
            await Ip("-n", $"ssi.{cluster.Name}", "link", "set", "p0", "up");
        }

        var back = await reader.EventuallyAsync(new { op = "read", path = "/ssi/survivor" });
        Assert.Equal("kept", back.GetProperty("data").GetString());
    }

    [Fact]
    public async Task Writes_acknowledged_on_a_node_survive_the_death_of_its_agent()
    {
        await using var cluster = TestCluster.FromSample("f");
        Assert.Equal(0, (await cluster.UpAsync()).ExitCode);
        using (var writer = FsDriver.Start(cluster.Name, "node2"))
        {
            writer.Do(new { op = "write", path = "/ssi/acknowledged", data = "every byte" });
            writer.Do(new { op = "open", path = "/ssi/acknowledged", id = "w", flags = "O_RDWR" });
            writer.Do(new { op = "pwrite", id = "w", data = "EVERY", offset = 0 });
        }

        var agent = (await cluster.StatusJsonAsync()).GetProperty("nodes")[1].GetProperty("agentPid").GetInt32();
        ProcessSignals.Send(agent, ProcessSignals.SIGKILL);

        using var home = FsDriver.Start(cluster.Name, "node1");
        Assert.Equal("EVERY byte", home.Read("/ssi/acknowledged"));
    }

    [Fact]
    public async Task The_locks_of_a_node_whose_agent_died_are_released_and_a_waiter_elsewhere_gets_them()
    {
        await using var cluster = TestCluster.FromSample("f");
        Assert.Equal(0, (await cluster.UpAsync()).ExitCode);
        using var holder = FsDriver.Start(cluster.Name, "node2");
        using var waiter = FsDriver.Start(cluster.Name, "node3");
        holder.Do(new { op = "write", path = "/ssi/locked", data = "x" });
        holder.Do(new { op = "open", path = "/ssi/locked", id = "f", flags = "O_RDWR" });
        holder.Do(new { op = "lock", id = "f", type = "w" });
        waiter.Do(new { op = "open", path = "/ssi/locked", id = "f", flags = "O_RDWR" });
        var pending = waiter.Start(new { op = "lock", id = "f", type = "w", wait = true });
        waiter.WaitUntilBlockedInFuse();

        var agent = (await cluster.StatusJsonAsync()).GetProperty("nodes")[1].GetProperty("agentPid").GetInt32();
        ProcessSignals.Send(agent, ProcessSignals.SIGKILL);

        // The home waits out the grace period (10 s) for node2 to come back, then lets its locks go.
        var granted = await pending.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True(granted.GetProperty("ok").GetBoolean(), granted.ToString());
    }

    private static async Task Ip(params string[] arguments)
    {
        using var process = Process.Start("ip", arguments);
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
    }
}

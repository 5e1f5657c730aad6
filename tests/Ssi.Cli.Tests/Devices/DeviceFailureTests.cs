using Ssi.Agent.Native;
using Ssi.Cli.Tests.Filesystem;
using Ssi.Cli.Tests.Local;
using Ssi.Testing;

namespace Ssi.Cli.Tests.Devices;

/// <summary>What a process using another node's device sees when that node's agent dies.</summary>
[Collection(LocalClusterCollection.Name)]
public sealed class DeviceFailureTests
{
    private const int EIO = 5;

    [Fact]
    public async Task When_the_owning_agent_dies_a_blocked_read_and_later_calls_get_EIO_not_a_hang()
    {
        using var host = FsDriver.Start(null, null, "devdriver.py");
        var pty = host.Do(new { op = "openpty", master = "m", slave = "s" }).GetProperty("path").GetString()!;
        await using var cluster = TestCluster.FromSample("e", yaml => yaml.Replace("/dev/urandom]", $"/dev/urandom, {pty}]", StringComparison.Ordinal));
        Assert.Equal(0, (await cluster.UpAsync()).ExitCode);
        using var node3 = FsDriver.Start(cluster.Name, "node3", "devdriver.py");
        node3.Do(new { op = "open", id = "null", path = "/run/ssi/dev/node1/null" });
        node3.Do(new { op = "open", id = "t", path = $"/run/ssi/dev/node1/{pty[5..].Replace('/', '-')}" });
        var blocked = Task.Run(() => node3.Try(new { op = "read", id = "t", size = 8 }, TimeSpan.FromSeconds(30)));
        await Task.Delay(500);
        Assert.False(blocked.IsCompleted, "the read did not block");

        var agent = (await cluster.StatusJsonAsync()).GetProperty("nodes")[0].GetProperty("agentPid").GetInt32();
        ProcessSignals.Send(agent, ProcessSignals.SIGKILL);

        // No hang: a call still blocked after 30 s fails the test.
        var read = await blocked;
        Assert.False(read.GetProperty("ok").GetBoolean(), read.ToString());
        Assert.Equal(EIO, read.GetProperty("errno").GetInt32());
        var write = node3.Try(new { op = "write", id = "null", data = "x" }, TimeSpan.FromSeconds(30));
        Assert.Equal(EIO, write.GetProperty("errno").GetInt32());
        var reopen = node3.Try(new { op = "open", id = "again", path = "/run/ssi/dev/node1/zero" }, TimeSpan.FromSeconds(30));
        Assert.False(reopen.GetProperty("ok").GetBoolean(), reopen.ToString());

        // ssi dev ls names the node it could not ask instead of hanging.
        var ls = await CliRun.RunAsync(["dev", "ls", "-c", cluster.Name]);
        Assert.Equal(3, ls.ExitCode);
        Assert.Contains("node node1 is unreachable", ls.StandardOutput, StringComparison.Ordinal);
    }
}

using System.Text.Json;
using Xunit.Abstractions;
using Ssi.Cli.Tests.Local;

namespace Ssi.Cli.Tests.Filesystem;

/// <summary>The home's agent restarts (killed, as in a crash): other nodes keep the files they had open, and coherency holds.</summary>
[Collection(LocalClusterCollection.Name)]
public sealed class FilesystemRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Files_open_on_other_nodes_keep_working_across_a_restart_of_the_home_agent()
    {
        await using var cluster = TestCluster.FromSample("f");
        Assert.Equal(0, (await cluster.UpAsync()).ExitCode);
        using var writer = FsDriver.Start(cluster.Name, "node2");
        using var reader = FsDriver.Start(cluster.Name, "node3");
        writer.Do(new { op = "mkdir", path = "/ssi/kept" });
        writer.Do(new { op = "write", path = "/ssi/kept/file", data = "before the restart" });
        writer.Do(new { op = "open", path = "/ssi/kept/file", id = "w", flags = "O_RDWR" });
        reader.Do(new { op = "open", path = "/ssi/kept/file", id = "r", flags = "O_RDONLY" });
        Assert.Equal("before the restart", reader.Do(new { op = "pread", id = "r", size = 64 }).GetProperty("data").GetString());
        Assert.Equal(18, reader.Do(new { op = "stat", path = "/ssi/kept/file" }).GetProperty("size").GetInt32());

        var restart = await cluster.RestartAgentAsync("node1");
        Assert.True(restart.ExitCode == 0, restart.ToString());

        // Both descriptors were opened before the restart: the new agent reopens them from their handles.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await writer.EventuallyAsync(new { op = "pwrite", id = "w", data = "AFTER!", offset = 0 });
        var read = await reader.EventuallyAsync(new { op = "pread", id = "r", size = 64 });
        output.WriteLine($"node2 and node3 served again {clock.ElapsedMilliseconds} ms after the restart command returned");
        Assert.Equal("AFTER! the restart", read.GetProperty("data").GetString());

        // Coherency holds with the new agent: a write on node2 reaches node3's cache through the still open descriptors.
        writer.Do(new { op = "pwrite", id = "w", data = ", again", offset = 18 });
        Assert.Equal("AFTER! the restart, again", reader.Do(new { op = "pread", id = "r", size = 64 }).GetProperty("data").GetString());
        Assert.Equal(25, reader.Do(new { op = "stat", path = "/ssi/kept/file" }).GetProperty("size").GetInt32());
        writer.Do(new { op = "write", path = "/ssi/kept/new", data = "made after" });
        Assert.Equal(["file", "new"], reader.Do(new { op = "listdir", path = "/ssi/kept" }).GetProperty("names").EnumerateArray().Select(n => n.GetString()));
        writer.Do(new { op = "close", id = "w" });
        reader.Do(new { op = "close", id = "r" });

        using var home = FsDriver.Start(cluster.Name, "node1");
        Assert.Equal("AFTER! the restart, again", home.Read("/ssi/kept/file"));
    }
}

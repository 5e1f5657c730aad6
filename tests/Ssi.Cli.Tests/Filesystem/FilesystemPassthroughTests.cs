using System.Text.Json;
using Ssi.Cli.Tests.Local;

namespace Ssi.Cli.Tests.Filesystem;

/// <summary>
/// Passthrough on the home (node1) with strict coherency: the home's kernel reads and writes a file
/// itself only while no other node has it open, and other nodes' opens meanwhile go to the home
/// for every read and write (direct I/O) with attributes that are never cached. node3 forwards.
/// </summary>
[Collection(LocalClusterCollection.Name)]
public sealed class FilesystemPassthroughTests(RunningCluster cluster) : IClassFixture<RunningCluster>
{
    private const int ENODEV = 19;

    private (FsDriver Home, FsDriver Remote, string Path) Start(string test)
    {
        var home = FsDriver.Start(cluster.Name, "node1");
        var remote = FsDriver.Start(cluster.Name, "node3");
        var path = $"/ssi/pt-{test}-{Guid.NewGuid().ToString("N")[..6]}";
        home.Do(new { op = "write", path, data = "aaaaaaaa" });
        return (home, remote, path);
    }

    private static string Pread(FsDriver driver, string id, int size, int offset = 0) =>
        driver.Do(new { op = "pread", id, size, offset }).GetProperty("data").GetString()!;

    private static int Errno(JsonElement result)
    {
        Assert.False(result.GetProperty("ok").GetBoolean(), result.ToString());
        return result.GetProperty("errno").GetInt32();
    }

    [Fact]
    public void Writes_through_a_home_passthrough_file_are_seen_by_the_next_read_on_another_node()
    {
        var (home, remote, path) = Start("write");
        using var _ = home;
        using var __ = remote;
        home.Do(new { op = "open", path, id = "w", flags = "O_RDWR" }); // passthrough: nobody else has it open
        remote.Do(new { op = "open", path, id = "r", flags = "O_RDONLY" });
        Assert.Equal("aaaaaaaa", Pread(remote, "r", 8));

        home.Do(new { op = "pwrite", id = "w", data = "bbbb", offset = 2 });
        Assert.Equal("aabbbbaa", Pread(remote, "r", 8)); // the descriptor that was already open
        Assert.Equal("aabbbbaa", remote.Read(path));     // a new open

        home.Do(new { op = "pwrite", id = "w", data = "cccc", offset = 8 }); // grows the file
        Assert.Equal(12, remote.Do(new { op = "stat", path }).GetProperty("size").GetInt32());
        Assert.Equal("aabbbbaacccc", Pread(remote, "r", 64));
    }

    [Fact]
    public void A_home_mapping_of_a_passthrough_file_sees_a_write_from_another_node()
    {
        var (home, remote, path) = Start("hmmap");
        using var _ = home;
        using var __ = remote;
        home.Do(new { op = "write", path, data = new string('1', 4096) });
        home.Do(new { op = "open", path, id = "m", flags = "O_RDWR" });
        home.Do(new { op = "mmap", id = "m", size = 4096 });
        Assert.Equal("1111", home.Do(new { op = "mread", id = "m", size = 4, offset = 100 }).GetProperty("data").GetString());

        remote.Do(new { op = "open", path, id = "w", flags = "O_RDWR" });
        remote.Do(new { op = "pwrite", id = "w", data = "2222", offset = 100 });

        Assert.Equal("2222", home.Do(new { op = "mread", id = "m", size = 4, offset = 100 }).GetProperty("data").GetString());
    }

    [Fact]
    public void Another_node_cannot_map_shared_a_file_the_home_passes_through_and_can_once_the_home_closed_it()
    {
        var (home, remote, path) = Start("rmmap");
        using var _ = home;
        using var __ = remote;
        home.Do(new { op = "write", path, data = new string('1', 4096) });
        home.Do(new { op = "open", path, id = "w", flags = "O_RDWR" });
        remote.Do(new { op = "open", path, id = "direct", flags = "O_RDWR" });

        // A shared mapping would be a cache the home's passthrough writes never invalidate.
        Assert.Equal(ENODEV, Errno(remote.Try(new { op = "mmap", id = "direct", size = 4096 })));

        home.Do(new { op = "close", id = "w" });
        // The home's kernel sends RELEASE after close() returned (FUSE releases are asynchronous):
        // until its agent has it, the file is still passed through there and a new open stays direct.
        for (var attempt = 0; ; attempt++)
        {
            remote.Do(new { op = "open", path, id = "m", flags = "O_RDWR" });
            var mapped = remote.Try(new { op = "mmap", id = "m", size = 4096 });
            if (mapped.GetProperty("ok").GetBoolean())
            {
                break;
            }

            Assert.Equal(ENODEV, Errno(mapped));
            Assert.True(attempt < 100, "the home's release never arrived: a new open on node3 stays direct after 2 s");
            remote.Do(new { op = "close", id = "m" });
            Thread.Sleep(20);
        }

        home.Do(new { op = "open", path, id = "w2", flags = "O_RDWR" }); // cached now: node3 has it open
        home.Do(new { op = "pwrite", id = "w2", data = "3333", offset = 100 });
        Assert.Equal("3333", remote.Do(new { op = "mread", id = "m", size = 4, offset = 100 }).GetProperty("data").GetString());
    }

    [Fact]
    public void A_file_another_node_holds_is_not_passed_through_so_the_pages_it_keeps_see_the_homes_writes()
    {
        var (home, remote, path) = Start("held");
        using var _ = home;
        using var __ = remote;
        Assert.Equal("aaaaaaaa", remote.Read(path)); // node3 holds it now and keeps its pages across opens
        remote.Do(new { op = "open", path, id = "r", flags = "O_RDONLY" }); // answered by node3 itself: the home does not see it
        Assert.Equal("aaaaaaaa", Pread(remote, "r", 8));

        home.Do(new { op = "open", path, id = "w", flags = "O_RDWR" }); // cached: node3 holds the file
        home.Do(new { op = "pwrite", id = "w", data = "bbbb", offset = 2 });

        Assert.Equal("aabbbbaa", Pread(remote, "r", 8));
        Assert.Equal("aabbbbaa", remote.Read(path));
        remote.Do(new { op = "open", path, id = "m", flags = "O_RDWR" });
        remote.Do(new { op = "mmap", id = "m", size = 8 }); // a shared mapping: the home's open is not passthrough
        home.Do(new { op = "pwrite", id = "w", data = "cc", offset = 0 });
        Assert.Equal("ccbbbbaa", remote.Do(new { op = "mread", id = "m", size = 8 }).GetProperty("data").GetString());
    }

    [Fact]
    public void Opens_closes_and_reopens_on_both_nodes_in_every_order_never_fail()
    {
        var (home, remote, path) = Start("seq");
        using var _ = home;
        using var __ = remote;
        var steps = new (FsDriver Driver, string Op, string Id)[]
        {
            (home, "open", "h1"),    // passthrough
            (remote, "open", "r1"),  // direct
            (home, "open", "h2"),    // passthrough again: the kernel demands it
            (home, "close", "h1"),
            (home, "open", "h3"),
            (remote, "close", "r1"),
            (home, "close", "h2"),
            (home, "close", "h3"),   // passthrough over
            (remote, "open", "r2"),  // cached
            (home, "open", "h4"),    // cached: node3 has it open
            (remote, "close", "r2"),
            (home, "open", "h5"),    // cached: h4 is a cached open in the home's kernel
            (home, "close", "h4"),
            (home, "close", "h5"),
            (home, "open", "h6"),    // passthrough again
            (remote, "open", "r3"),
        };
        var version = 0;
        foreach (var (driver, op, id) in steps)
        {
            driver.Do(op == "open" ? new { op, path, id, flags = "O_RDWR" } : (object)new { op, id });
            if (op == "open")
            {
                var data = $"v{++version:D7}";
                driver.Do(new { op = "pwrite", id, data, offset = 0 });
                Assert.Equal(data, home.Read(path));
                Assert.Equal(data, remote.Read(path));
            }
        }
    }
}

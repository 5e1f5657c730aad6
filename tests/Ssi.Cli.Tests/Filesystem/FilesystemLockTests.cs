using System.Text.Json;
using Ssi.Agent.Native;
using Ssi.Cli.Tests.Local;

namespace Ssi.Cli.Tests.Filesystem;

/// <summary>
/// POSIX (fcntl) and BSD (flock) locks are cluster-wide: one lock manager on the home (node1)
/// answers every node's kernel. Holders and waiters are separate processes on node1, node2 and node3.
/// </summary>
[Collection(LocalClusterCollection.Name)]
public sealed class FilesystemLockTests(RunningCluster cluster) : IClassFixture<RunningCluster>
{
    private const int EINTR = 4;
    private const int EAGAIN = 11;
    private const int EDEADLK = 35;

    public static TheoryData<string> Waiters => ["node3", "node1"];

    /// <summary>A fresh file, and a driver on each node named with it open read-write (as "f").</summary>
    private (string Path, FsDriver[] Drivers) Open(string test, params string[] nodes)
    {
        var path = $"/ssi/lock-{test}-{Guid.NewGuid().ToString("N")[..6]}";
        var drivers = nodes.Select(n => FsDriver.Start(cluster.Name, n)).ToArray();
        drivers[0].Do(new { op = "write", path, data = new string('x', 100) });
        foreach (var driver in drivers)
        {
            driver.Do(new { op = "open", path, id = "f", flags = "O_RDWR" });
        }

        return (path, drivers);
    }

    private static void Dispose(FsDriver[] drivers)
    {
        foreach (var driver in drivers)
        {
            driver.Dispose();
        }
    }

    private static int Errno(JsonElement result)
    {
        Assert.False(result.GetProperty("ok").GetBoolean(), result.ToString());
        return result.GetProperty("errno").GetInt32();
    }

    private static JsonElement Done(Task<JsonElement> pending)
    {
        Assert.True(pending.Wait(TimeSpan.FromMinutes(1)), "the lock request never returned");
        return pending.Result;
    }

    [Fact]
    public void A_lock_held_on_one_node_makes_SETLK_fail_on_the_other_nodes_and_on_the_home()
    {
        var (_, d) = Open("setlk", "node2", "node3", "node1");
        try
        {
            d[0].Do(new { op = "lock", id = "f", type = "w" });

            Assert.Equal(EAGAIN, Errno(d[1].Try(new { op = "lock", id = "f", type = "r" })));
            Assert.Equal(EAGAIN, Errno(d[2].Try(new { op = "lock", id = "f", type = "w" })));

            d[0].Do(new { op = "lock", id = "f", type = "u" });
            d[1].Do(new { op = "lock", id = "f", type = "r" });
            d[2].Do(new { op = "lock", id = "f", type = "r" }); // readers share
        }
        finally
        {
            Dispose(d);
        }
    }

    [Fact]
    public void GETLK_reports_the_conflicting_lock_with_the_holder_pid_on_its_node_and_none_elsewhere()
    {
        var (_, d) = Open("getlk", "node2", "node3", "node2");
        try
        {
            var holder = d[0].Do(new { op = "pid" }).GetProperty("pid").GetInt32();
            d[0].Do(new { op = "lock", id = "f", type = "w", start = 10, len = 20 });

            var remote = d[1].Do(new { op = "getlk", id = "f", type = "w", start = 0, len = 0 });
            var local = d[2].Do(new { op = "getlk", id = "f", type = "r", start = 25, len = 1 });
            var free = d[1].Do(new { op = "getlk", id = "f", type = "w", start = 30, len = 5 });

            Assert.Equal(("w", 10, 20, 0), (remote.GetProperty("type").GetString(), remote.GetProperty("start").GetInt32(), remote.GetProperty("len").GetInt32(), remote.GetProperty("pid").GetInt32()));
            Assert.Equal(("w", 10, 20, holder), (local.GetProperty("type").GetString(), local.GetProperty("start").GetInt32(), local.GetProperty("len").GetInt32(), local.GetProperty("pid").GetInt32()));
            Assert.Equal("u", free.GetProperty("type").GetString());
        }
        finally
        {
            Dispose(d);
        }
    }

    [Fact]
    public void Byte_ranges_lock_independently_and_a_partial_unlock_frees_only_its_part()
    {
        var (_, d) = Open("ranges", "node2", "node3");
        try
        {
            d[0].Do(new { op = "lock", id = "f", type = "w", start = 0, len = 10 });
            d[1].Do(new { op = "lock", id = "f", type = "w", start = 10, len = 10 });
            Assert.Equal(EAGAIN, Errno(d[1].Try(new { op = "lock", id = "f", type = "w", start = 5, len = 10 })));

            d[0].Do(new { op = "lock", id = "f", type = "u", start = 0, len = 5 }); // node2 keeps 5..9

            d[1].Do(new { op = "lock", id = "f", type = "w", start = 0, len = 5 });
            Assert.Equal(EAGAIN, Errno(d[1].Try(new { op = "lock", id = "f", type = "w", start = 9, len = 1 })));
        }
        finally
        {
            Dispose(d);
        }
    }

    [Theory]
    [InlineData("node2", "node3", "unlock")]
    [InlineData("node2", "node3", "close")]
    [InlineData("node2", "node3", "exit")]
    [InlineData("node2", "node1", "unlock")]
    [InlineData("node2", "node1", "exit")]
    [InlineData("node1", "node3", "close")]
    [InlineData("node1", "node2", "exit")]
    public void SETLKW_waits_until_the_holder_lets_go(string holder, string waiter, string how)
    {
        var (path, d) = Open($"setlkw-{how}", holder, waiter);
        try
        {
            d[0].Do(new { op = "lock", id = "f", type = "w" });
            var pending = d[1].Start(new { op = "lock", id = "f", type = "w", wait = true });
            d[1].WaitUntilBlockedInFuse();
            Assert.False(pending.IsCompleted);

            switch (how)
            {
                case "unlock":
                    d[0].Do(new { op = "lock", id = "f", type = "u" });
                    break;
                case "close":
                    d[0].Do(new { op = "close", id = "f" }); // POSIX: any close of the file drops the process's locks
                    break;
                default:
                    d[0].Dispose();
                    break;
            }

            Assert.True(Done(pending).GetProperty("ok").GetBoolean());
            using var third = FsDriver.Start(cluster.Name, holder);
            third.Do(new { op = "open", path, id = "f", flags = "O_RDWR" });
            Assert.Equal(EAGAIN, Errno(third.Try(new { op = "lock", id = "f", type = "r" })));
        }
        finally
        {
            Dispose(d);
        }
    }

    [Theory]
    [MemberData(nameof(Waiters))]
    public void A_signal_ends_a_waiting_SETLKW_with_EINTR_and_the_waiter_gets_nothing(string waiter)
    {
        var (_, d) = Open("eintr", "node2", waiter, "node3");
        try
        {
            d[0].Do(new { op = "lock", id = "f", type = "w" });
            var pending = d[1].Start(new { op = "lock", id = "f", type = "w", wait = true });
            d[1].WaitUntilBlockedInFuse();

            ProcessSignals.Send(d[1].Process.Id, ProcessSignals.SIGUSR1);

            Assert.Equal(EINTR, Errno(Done(pending)));
            d[0].Do(new { op = "lock", id = "f", type = "u" });
            d[2].Do(new { op = "lock", id = "f", type = "w" }); // the interrupted waiter did not take it
        }
        finally
        {
            Dispose(d);
        }
    }

    [Fact]
    public void Flock_is_exclusive_across_nodes_and_released_by_the_last_close()
    {
        var (path, d) = Open("flock", "node2", "node3", "node1");
        try
        {
            d[0].Do(new { op = "flock", id = "f", how = "ex" });
            Assert.Equal(EAGAIN, Errno(d[1].Try(new { op = "flock", id = "f", how = "sh", nb = true })));
            d[1].Do(new { op = "lock", id = "f", type = "w" }); // fcntl locks do not see flocks
            var pending = d[2].Start(new { op = "flock", id = "f", how = "sh" });
            d[2].WaitUntilBlockedInFuse();

            d[0].Do(new { op = "close", id = "f" });

            Assert.True(Done(pending).GetProperty("ok").GetBoolean());
            d[1].Do(new { op = "flock", id = "f", how = "sh", nb = true });
            d[0].Do(new { op = "open", path, id = "g", flags = "O_RDWR" });
            Assert.Equal(EAGAIN, Errno(d[0].Try(new { op = "flock", id = "g", how = "ex", nb = true })));
        }
        finally
        {
            Dispose(d);
        }
    }

    [Fact]
    public void Waiting_lock_requests_hold_no_request_thread_on_any_node()
    {
        // More waiters on each node than a mount has request threads (4).
        var (path, d) = Open("many", ["node2", .. Enumerable.Repeat("node3", 6), .. Enumerable.Repeat("node1", 6)]);
        try
        {
            d[0].Do(new { op = "lock", id = "f", type = "w" });
            var pending = d[1..].Select(w => w.Start(new { op = "lock", id = "f", type = "r", wait = true })).ToList();
            foreach (var waiter in d[1..])
            {
                waiter.WaitUntilBlockedInFuse();
            }

            using (var node3 = FsDriver.Start(cluster.Name, "node3"))
            using (var node1 = FsDriver.Start(cluster.Name, "node1"))
            {
                node3.Do(new { op = "write", path = path + "-other", data = "still served" });
                Assert.Equal("still served", node1.Read(path + "-other"));
            }

            Assert.All(pending, p => Assert.False(p.IsCompleted));
            d[0].Do(new { op = "lock", id = "f", type = "u" });
            Assert.All(pending, p => Assert.True(Done(p).GetProperty("ok").GetBoolean()));
        }
        finally
        {
            Dispose(d);
        }
    }

    [Fact]
    public void Open_file_description_locks_belong_to_the_open_file_and_go_with_its_last_close()
    {
        var (path, d) = Open("ofd", "node2", "node3");
        try
        {
            d[0].Do(new { op = "lock", id = "f", type = "w", ofd = true });
            d[0].Do(new { op = "open", path, id = "g", flags = "O_RDWR" });

            Assert.Equal(EAGAIN, Errno(d[0].Try(new { op = "lock", id = "g", type = "w", ofd = true }))); // same process, another open file
            Assert.Equal(EAGAIN, Errno(d[1].Try(new { op = "lock", id = "f", type = "r", ofd = true })));
            Assert.Equal(EAGAIN, Errno(d[1].Try(new { op = "lock", id = "f", type = "r" }))); // POSIX locks see them too

            d[0].Do(new { op = "close", id = "f" });

            // The kernel sends the release of the last close after close() has returned: the lock
            // goes a moment later (as on any FUSE filesystem), not necessarily before the next call.
            var locked = false;
            for (var i = 0; i < 50 && !locked; i++)
            {
                locked = d[1].Try(new { op = "lock", id = "f", type = "w", ofd = true }).GetProperty("ok").GetBoolean();
                if (!locked)
                {
                    Thread.Sleep(100);
                }
            }

            Assert.True(locked, "the open file description lock outlived the last close by 5 s");
        }
        finally
        {
            Dispose(d);
        }
    }

    [Fact]
    public async Task Two_nodes_each_waiting_for_the_other_get_EDEADLK()
    {
        var (_, d) = Open("deadlock", "node2", "node3");
        try
        {
            d[0].Do(new { op = "lock", id = "f", type = "w", start = 0, len = 1 });
            d[1].Do(new { op = "lock", id = "f", type = "w", start = 1, len = 1 });
            var waits = new[]
            {
                d[0].Start(new { op = "lock", id = "f", type = "w", start = 1, len = 1, wait = true }),
                d[1].Start(new { op = "lock", id = "f", type = "w", start = 0, len = 1, wait = true }),
            };

            // Whichever request reaches the home second closes the cycle and fails; the other waits on.
            var failed = Array.IndexOf(waits, await Task.WhenAny(waits).WaitAsync(TimeSpan.FromMinutes(1)));
            Assert.Equal(EDEADLK, Errno(await waits[failed]));
            Assert.False(waits[1 - failed].IsCompleted);

            d[failed].Do(new { op = "lock", id = "f", type = "u", start = failed, len = 1 });
            Assert.True(Done(waits[1 - failed]).GetProperty("ok").GetBoolean());
        }
        finally
        {
            Dispose(d);
        }
    }
}

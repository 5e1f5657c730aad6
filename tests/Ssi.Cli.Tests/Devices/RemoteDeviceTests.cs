using System.Text.Json;
using Ssi.Cli.Tests.Local;
using Ssi.Testing;

namespace Ssi.Cli.Tests.Devices;

/// <summary>node1's devices used from node3 through /run/ssi/dev/node1: real devices, real FUSE, real netns nodes.</summary>
[Collection(LocalClusterCollection.Name)]
public sealed class RemoteDeviceTests(DeviceCluster cluster) : IClassFixture<DeviceCluster>
{
    private const int EAGAIN = 11;
    private const int ENOENT = 2;
    private const int ENOTTY = 25;
    private const int ENOSPC = 28;
    private const int EBADF = 9;
    private const int EINTR = 4;
    private const int ECHO = 0x8;
    private const uint LoopCtlGetFree = 0x4C82;

    private string Pty => $"/run/ssi/dev/node1/{cluster.PtyName}";

    [Fact]
    public void Dev_null_zero_and_urandom_of_another_node_read_and_write_as_they_do_locally()
    {
        using var node3 = cluster.OnNode("node3");
        node3.Do(new { op = "open", id = "null", path = "/run/ssi/dev/node1/null" });
        node3.Do(new { op = "open", id = "zero", path = "/run/ssi/dev/node1/zero", flags = new[] { "O_RDONLY" } });
        node3.Do(new { op = "open", id = "random", path = "/run/ssi/dev/node1/urandom", flags = new[] { "O_RDONLY" } });

        Assert.Equal(5, node3.Do(new { op = "write", id = "null", data = "hello" }).GetProperty("written").GetInt32());
        Assert.Equal(0, node3.Do(new { op = "read", id = "null", size = 100 }).GetProperty("length").GetInt32());
        var zeros = node3.Do(new { op = "read", id = "zero", size = 65536 });
        Assert.Equal(65536, zeros.GetProperty("length").GetInt32());
        Assert.Equal(65536, zeros.GetProperty("zeros").GetInt32());
        var first = node3.Do(new { op = "read", id = "random", size = 32 }).GetProperty("hex").GetString();
        var second = node3.Do(new { op = "read", id = "random", size = 32 }).GetProperty("hex").GetString();
        Assert.Equal(64, first!.Length);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Errno_values_of_the_owning_node_come_back_unchanged()
    {
        using var node3 = cluster.OnNode("node3");
        node3.Do(new { op = "open", id = "full", path = "/run/ssi/dev/node1/full" });
        node3.Do(new { op = "open", id = "ro", path = "/run/ssi/dev/node1/null", flags = new[] { "O_RDONLY" } });

        Assert.Equal(ENOSPC, node3.Try(new { op = "write", id = "full", data = "x" }).GetProperty("errno").GetInt32());
        Assert.Equal(EBADF, node3.Try(new { op = "write", id = "ro", data = "x" }).GetProperty("errno").GetInt32());
        Assert.Equal(ENOTTY, node3.Try(new { op = "tcgets", id = "full" }).GetProperty("errno").GetInt32());
        Assert.Equal(16, node3.Do(new { op = "read", id = "full", size = 16 }).GetProperty("zeros").GetInt32());
    }

    [Fact]
    public void A_signal_interrupts_a_blocked_remote_read()
    {
        using var node3 = cluster.OnNode("node3");
        node3.Do(new { op = "open", id = "t", path = Pty });

        var result = node3.Try(new { op = "read_alarm", id = "t", size = 100, after = 0.5 }, TimeSpan.FromSeconds(30));

        Assert.False(result.GetProperty("ok").GetBoolean(), result.ToString());
        Assert.Equal(EINTR, result.GetProperty("errno").GetInt32());

        // The interrupted read consumed nothing: what is written next is read next.
        cluster.Host.Do(new { op = "write", id = "m", data = "after\n" });
        Assert.Equal(Convert.ToHexString("after\n"u8).ToLowerInvariant(), node3.Do(new { op = "read", id = "t", size = 100 }).GetProperty("hex").GetString());
    }

    [Fact]
    public async Task A_process_killed_while_blocked_in_a_remote_read_goes_away()
    {
        var node3 = cluster.OnNode("node3");
        node3.Do(new { op = "open", id = "t", path = Pty });
        var read = Task.Run(() => node3.Try(new { op = "read", id = "t", size = 100 }, TimeSpan.FromSeconds(60)));
        await Task.Delay(500);
        Assert.False(read.IsCompleted, "the read did not block");

        node3.Process.Kill();

        Assert.True(node3.Process.WaitForExit(30_000), "the killed process hangs in the remote read");
        await Assert.ThrowsAnyAsync<Exception>(() => read);
        node3.Process.Dispose();
    }

    [Fact]
    public void Terminal_ioctls_on_the_remote_pty_equal_the_same_ioctls_done_on_its_node()
    {
        using var node3 = cluster.OnNode("node3");
        node3.Do(new { op = "open", id = "t", path = Pty });

        // TCGETS: the same termios as the slave read locally.
        var local = cluster.Host.Do(new { op = "tcgets", id = "s" }).GetProperty("termios").GetString()!;
        Assert.Equal(local, node3.Do(new { op = "tcgets", id = "t" }).GetProperty("termios").GetString());

        // TCSETS (and TCSETSW, TCSETSF) from node3: the change is on the real terminal.
        var bytes = Convert.FromHexString(local);
        var lflag = BitConverter.ToUInt32(bytes, 12);
        foreach (var request in new[] { 0x5402, 0x5403, 0x5404 })
        {
            lflag ^= ECHO;
            BitConverter.TryWriteBytes(bytes.AsSpan(12), lflag);
            node3.Do(new { op = "tcsets", id = "t", termios = Convert.ToHexString(bytes), request });
            var after = cluster.Host.Do(new { op = "tcgets", id = "s" }).GetProperty("termios").GetString()!;
            Assert.Equal(lflag, BitConverter.ToUInt32(Convert.FromHexString(after), 12));
            Assert.Equal(after, node3.Do(new { op = "tcgets", id = "t" }).GetProperty("termios").GetString());
        }

        // TIOCSWINSZ from node3, TIOCGWINSZ on both sides.
        node3.Do(new { op = "setwinsz", id = "t", rows = 33, cols = 99 });
        var winsize = cluster.Host.Do(new { op = "getwinsz", id = "s" });
        Assert.Equal((33, 99), (winsize.GetProperty("rows").GetInt32(), winsize.GetProperty("cols").GetInt32()));
        cluster.Host.Do(new { op = "setwinsz", id = "s", rows = 24, cols = 80 });
        var remote = node3.Do(new { op = "getwinsz", id = "t" });
        Assert.Equal((24, 80), (remote.GetProperty("rows").GetInt32(), remote.GetProperty("cols").GetInt32()));
    }

    [Fact]
    public void Loop_control_answers_a_value_ioctl_from_another_node_as_it_does_locally()
    {
        using var node3 = cluster.OnNode("node3");
        node3.Do(new { op = "open", id = "lc", path = "/run/ssi/dev/node1/loop-control" });
        cluster.Host.Do(new { op = "open", id = "lc", path = DeviceCluster.LoopControl });

        var local = cluster.Host.Do(new { op = "ioctl", id = "lc", request = LoopCtlGetFree }).GetProperty("result").GetInt32();
        var remote = node3.Do(new { op = "ioctl", id = "lc", request = LoopCtlGetFree }).GetProperty("result").GetInt32();

        Assert.Equal(local, remote);
        cluster.Host.Do(new { op = "close", id = "lc" });
    }

    [Fact]
    public async Task A_blocking_read_waits_for_data_written_on_the_owning_node()
    {
        using var node3 = cluster.OnNode("node3");
        node3.Do(new { op = "open", id = "t", path = Pty });

        var read = Task.Run(() => node3.Try(new { op = "read", id = "t", size = 100 }, TimeSpan.FromSeconds(60)));
        await Task.Delay(500);
        Assert.False(read.IsCompleted, "the read returned before anything was written");
        cluster.Host.Do(new { op = "write", id = "m", data = "late\n" });

        var result = await read;
        Assert.True(result.GetProperty("ok").GetBoolean(), result.ToString());
        Assert.Equal(Convert.ToHexString("late\n"u8).ToLowerInvariant(), result.GetProperty("hex").GetString());
    }

    [Fact]
    public void A_non_blocking_read_with_nothing_to_read_gets_EAGAIN()
    {
        using var node3 = cluster.OnNode("node3");
        node3.Do(new { op = "open", id = "t", path = Pty, flags = new[] { "O_RDWR", "O_NONBLOCK" } });

        var result = node3.Try(new { op = "read", id = "t", size = 100 });

        Assert.Equal(EAGAIN, result.GetProperty("errno").GetInt32());
    }

    [Fact]
    public async Task Epoll_wait_on_a_remote_device_wakes_when_the_owning_node_makes_it_readable()
    {
        using var node3 = cluster.OnNode("node3");
        node3.Do(new { op = "open", id = "t", path = Pty });
        node3.Do(new { op = "epoll_add", id = "t" });
        Assert.Empty(node3.Do(new { op = "epoll_wait", id = "t", timeout = 0 }).GetProperty("events").EnumerateArray());

        var wait = Task.Run(() => node3.Try(new { op = "epoll_wait", id = "t", timeout = 60 }, TimeSpan.FromSeconds(90)));
        await Task.Delay(500);
        Assert.False(wait.IsCompleted, "epoll_wait returned before the device was readable");
        cluster.Host.Do(new { op = "write", id = "m", data = "wake\n" });

        var events = (await wait).GetProperty("events").EnumerateArray().Select(e => e.GetInt32()).ToList();
        Assert.Contains(events, e => (e & 1) != 0); // EPOLLIN
        Assert.Equal(5, node3.Do(new { op = "read", id = "t", size = 100 }).GetProperty("length").GetInt32());
    }

    [Fact]
    public async Task Poll_on_a_remote_device_wakes_when_the_owning_node_makes_it_readable()
    {
        using var node3 = cluster.OnNode("node3");
        node3.Do(new { op = "open", id = "t", path = Pty });
        Assert.Empty(node3.Do(new { op = "poll", id = "t", timeout = 0 }).GetProperty("events").EnumerateArray());

        var wait = Task.Run(() => node3.Try(new { op = "poll", id = "t", timeout = 60_000 }, TimeSpan.FromSeconds(90)));
        await Task.Delay(500);
        Assert.False(wait.IsCompleted, "poll returned before the device was readable");
        cluster.Host.Do(new { op = "write", id = "m", data = "poll\n" });

        var events = (await wait).GetProperty("events").EnumerateArray().Select(e => e.GetInt32()).ToList();
        Assert.Contains(events, e => (e & 1) != 0); // POLLIN
        Assert.Equal(5, node3.Do(new { op = "read", id = "t", size = 100 }).GetProperty("length").GetInt32());
    }

    [Fact]
    public async Task Devices_outside_the_allowlist_are_not_reachable_from_another_node()
    {
        using var node3 = cluster.OnNode("node3");

        var names = node3.Do(new { op = "listdir", path = "/run/ssi/dev/node1" }).GetProperty("names").EnumerateArray().Select(n => n.GetString()).ToList();
        Assert.Equal(new[] { "full", "kmsg", "loop-control", "null", cluster.PtyName, "urandom", "zero" }.Order(StringComparer.Ordinal), names);
        foreach (var name in new[] { "random", "tty", "net-tun", "mem", "pts-ptmx", "pts" })
        {
            var open = node3.Try(new { op = "open", id = "x", path = $"/run/ssi/dev/node1/{name}" });
            Assert.False(open.GetProperty("ok").GetBoolean(), $"{name}: {open}");
            Assert.Equal(ENOENT, open.GetProperty("errno").GetInt32());
        }

        // Nothing is exported by default: node2 and node3 list no devices.
        var ls = await CliRun.RunAsync(["dev", "ls", "-c", cluster.Name, "-o", "json"]);
        Assert.Equal(0, ls.ExitCode);
        var nodes = JsonDocument.Parse(ls.StandardOutput).RootElement.GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("node").GetString()).Distinct();
        Assert.Equal(["node1"], nodes);
    }

    [Fact]
    public void An_unknown_ioctl_gets_ENOTTY_and_a_log_line_naming_the_command()
    {
        using var node3 = cluster.OnNode("node3");
        node3.Do(new { op = "open", id = "t", path = Pty });

        var result = node3.Try(new { op = "ioctl", id = "t", request = 0x5499 });

        Assert.Equal(ENOTTY, result.GetProperty("errno").GetInt32());

        // The console logger writes from a queue of its own: give the line a moment to reach the file.
        var log = "";
        for (var i = 0; i < 100 && !log.Contains("ioctl command 0x00005499", StringComparison.Ordinal); i++)
        {
            Thread.Sleep(100);
            log = File.ReadAllText($"/run/ssi-operator/{cluster.Name}/logs/node3.log");
        }

        Assert.Contains("ioctl command 0x00005499", log, StringComparison.Ordinal);
    }

    [Fact]
    public void A_huge_read_is_served_in_bounded_pieces_and_the_device_keeps_working()
    {
        using var node3 = cluster.OnNode("node3");
        node3.Do(new { op = "open", id = "zero", path = "/run/ssi/dev/node1/zero", flags = new[] { "O_RDONLY" } });

        var huge = node3.Do(new { op = "read", id = "zero", size = 256 * 1024 * 1024, show = 0 });
        Assert.InRange(huge.GetProperty("length").GetInt32(), 1, 256 * 1024 * 1024);
        Assert.Equal(huge.GetProperty("length").GetInt32(), huge.GetProperty("zeros").GetInt32());

        Assert.Equal(16, node3.Do(new { op = "read", id = "zero", size = 16 }).GetProperty("length").GetInt32());
    }

    [Fact]
    public async Task Dev_ls_lists_every_device_with_its_node_and_who_has_it_open()
    {
        using var node3 = cluster.OnNode("node3");
        node3.Do(new { op = "open", id = "zero", path = "/run/ssi/dev/node1/zero", flags = new[] { "O_RDONLY" } });
        var pid = node3.Do(new { op = "pid" }).GetProperty("pid").GetInt32();

        var ls = await CliRun.RunAsync(["dev", "ls", "-c", cluster.Name, "-o", "json"]);

        Assert.Equal(0, ls.ExitCode);
        var zero = JsonDocument.Parse(ls.StandardOutput).RootElement.GetProperty("devices").EnumerateArray().Single(d => d.GetProperty("name").GetString() == "zero");
        Assert.Equal("node1", zero.GetProperty("node").GetString());
        Assert.Equal("/dev/zero", zero.GetProperty("path").GetString());
        Assert.Contains(zero.GetProperty("openedBy").EnumerateArray(), o => o.GetProperty("node").GetString() == "node3" && o.GetProperty("pid").GetInt32() == pid);
        var table = await CliRun.RunAsync(["dev", "ls", "-c", cluster.Name]);
        Assert.Contains($"node3:{pid}", table.StandardOutput, StringComparison.Ordinal);
    }
}

using Ssi.Agent.Migration.Planning;

namespace Ssi.Agent.Tests.Migration;

/// <summary>Descriptor classification from recorded /proc observations (no root, no CRIU).</summary>
public sealed class DescriptorClassifierTests
{
    private const uint Reg = OpenDescriptor.S_IFREG | 0x1A4;
    private const uint Fifo = OpenDescriptor.S_IFIFO | 0x180;
    private const uint Chr = OpenDescriptor.S_IFCHR | 0x1B6;
    private const uint Sock = OpenDescriptor.S_IFSOCK | 0x1FF;
    private const uint Dir = OpenDescriptor.S_IFDIR | 0x1ED;

    private static OpenDescriptor Fd(int fd, string link, uint mode, int flags = 2, ulong rdev = 0, ulong ino = 0, int pid = 10) =>
        new(pid, pid - 9, fd, link, flags, 0, mode, rdev, 0x1a, ino);

    private static PlannedFd One(OpenDescriptor d, IReadOnlyDictionary<ulong, SocketInfo>? sockets = null) =>
        DescriptorClassifier.Classify([d], "/ssi", sockets ?? new Dictionary<ulong, SocketInfo>()).Single();

    [Theory]
    [InlineData("/ssi/data/x.log", "reopen", "shared filesystem")]
    [InlineData("/var/log/x.log", "reopen", "must exist on the target")]
    [InlineData("/ssi/gone (deleted)", "reopen", "unlinked")]
    public void Regular_files_are_reopened_by_path(string link, string action, string reason)
    {
        var planned = One(Fd(3, link, Reg));

        Assert.Equal("file", planned.Kind);
        Assert.Equal(action, planned.Action);
        Assert.Contains(reason, planned.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_on_the_shared_filesystem_is_reopened()
    {
        Assert.Equal(("directory", "reopen"), (One(Fd(3, "/ssi", Dir)).Kind, One(Fd(3, "/ssi", Dir)).Action));
    }

    [Fact]
    public void A_pipe_with_both_ends_in_the_tree_is_recreated_and_one_with_an_outside_end_stays_home()
    {
        var planned = DescriptorClassifier.Classify(
            [Fd(3, "pipe:[100]", Fifo, flags: 0), Fd(4, "pipe:[100]", Fifo, flags: 1, pid: 11), Fd(0, "pipe:[200]", Fifo, flags: 0), Fd(1, "pipe:[300]", Fifo, flags: 1)],
            "/ssi",
            new Dictionary<ulong, SocketInfo>());

        Assert.All(planned.Take(2), p => Assert.Equal("recreate", p.Action));
        Assert.Equal(("stay-home", "pipe:[200]", "read"), (planned[2].Action, planned[2].Key, planned[2].Direction));
        Assert.Equal(("stay-home", "pipe:[300]", "write"), (planned[3].Action, planned[3].Key, planned[3].Direction));
    }

    [Fact]
    public void A_pty_slave_whose_master_is_outside_stays_home_keyed_by_rdev_and_dev()
    {
        var planned = One(Fd(0, "/dev/pts/3", Chr, rdev: (136 << 8) | 3));

        Assert.Equal(("tty", "stay-home", "tty[8803:1a]"), (planned.Kind, planned.Action, planned.Key));
    }

    [Fact]
    public void Dev_tty_held_open_without_its_terminal_is_a_named_blocker()
    {
        var planned = One(Fd(10, "/dev/tty", Chr, rdev: 0x500));

        Assert.True(planned.IsBlocker);
        Assert.Contains("/dev/tty", planned.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Dev_tty_with_the_one_relayed_terminal_it_names_stays_home_as_an_alias_of_it()
    {
        var planned = DescriptorClassifier.Classify([Fd(0, "/dev/pts/3", Chr, rdev: (136 << 8) | 3), Fd(10, "/dev/tty", Chr, rdev: 0x500)], "/ssi", new Dictionary<ulong, SocketInfo>());

        Assert.Equal(("tty", "stay-home", "tty[500:1a]"), (planned[1].Kind, planned[1].Action, planned[1].Key));
        Assert.True(DescriptorClassifier.IsTerminalAlias(planned[1].Key));
        Assert.False(DescriptorClassifier.IsTerminalAlias(planned[0].Key));
    }

    [Fact]
    public void Dev_tty_with_two_relayed_terminals_is_a_named_blocker()
    {
        var planned = DescriptorClassifier.Classify(
            [Fd(0, "/dev/pts/3", Chr, rdev: (136 << 8) | 3), Fd(1, "/dev/pts/4", Chr, rdev: (136 << 8) | 4), Fd(10, "/dev/tty", Chr, rdev: 0x500)], "/ssi", new Dictionary<ulong, SocketInfo>());

        Assert.True(planned[2].IsBlocker);
        Assert.Contains("several terminals", planned[2].Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/dev/null", "reopen")]
    [InlineData("/dev/urandom", "reopen")]
    [InlineData("/dev/ttyS0", "blocked")]
    public void Character_devices_are_reopened_when_every_node_has_them(string path, string action)
    {
        Assert.Equal(action, One(Fd(3, path, Chr, rdev: path == "/dev/ttyS0" ? (4UL << 8) | 64 : (1UL << 8) | 3)).Action);
    }

    [Fact]
    public void An_exported_device_stays_home_keyed_by_its_mount_and_inode()
    {
        var devices = new DeviceContext(new HashSet<string> { "/dev/kmsg" }, "/run/ssi/dev");
        var d = new OpenDescriptor(10, 1, 5, "/dev/kmsg", 0x800, 0, Chr, (1UL << 8) | 11, 0x6, 0x41, MountId: 0x1c);

        var planned = DescriptorClassifier.Classify([d], "/ssi", new Dictionary<ulong, SocketInfo>(), devices).Single();

        Assert.Equal(("device", "stay-home", "file[1c:41]"), (planned.Kind, planned.Action, planned.Key));
    }

    [Fact]
    public void A_remote_device_file_is_opened_again_on_the_target()
    {
        var d = new OpenDescriptor(10, 1, 5, "/run/ssi/dev/node1/zero", 2, 0, Reg, 0, 0x30, 0x7, MountId: 0x2a);

        var planned = DescriptorClassifier.Classify([d], "/ssi", new Dictionary<ulong, SocketInfo>(), DeviceContext.None).Single();

        Assert.Equal(("device", "stay-home", "file[2a:7]"), (planned.Kind, planned.Action, planned.Key));
    }

    [Theory]
    [InlineData("anon_inode:[eventfd]", "eventfd", "recreate")]
    [InlineData("anon_inode:[eventpoll]", "epoll", "recreate")]
    [InlineData("anon_inode:[timerfd]", "timerfd", "recreate")]
    [InlineData("anon_inode:[signalfd]", "signalfd", "recreate")]
    [InlineData("anon_inode:inotify", "inotify", "recreate")]
    [InlineData("anon_inode:[pidfd]", "other", "blocked")]
    [InlineData("anon_inode:[io_uring]", "other", "blocked")]
    public void Kernel_objects_are_recreated_by_criu_or_named_as_blockers(string link, string kind, string action)
    {
        var planned = One(Fd(5, link, 0));

        Assert.Equal((kind, action), (planned.Kind, planned.Action));
    }

    [Fact]
    public void Sockets_follow_their_state_and_peer()
    {
        var sockets = new Dictionary<ulong, SocketInfo>
        {
            [1] = new(1, "u_str", "ESTAB", "*", 2),
            [2] = new(2, "u_str", "ESTAB", "*", 1),
            [3] = new(3, "u_str", "ESTAB", "*", 99),
            [4] = new(4, "u_dgr", "ESTAB", "*", 98),
            [5] = new(5, "tcp", "LISTEN", "0.0.0.0:8080", 0),
            [6] = new(6, "tcp", "LISTEN", "10.250.0.1:8080", 0),
            [7] = new(7, "tcp", "ESTAB", "10.250.0.1:40000", 0, "10.250.0.2:80"),
            [8] = new(8, "u_str", "LISTEN", "/ssi/s.sock", 0),
        };
        var planned = DescriptorClassifier.Classify(
            Enumerable.Range(1, 8).Select(i => Fd(i + 2, $"socket:[{i}]", Sock, ino: (ulong)i)).Append(Fd(20, "socket:[77]", Sock, ino: 77)).ToList(),
            "/ssi",
            sockets);

        Assert.Equal(
            ["recreate", "recreate", "stay-home", "blocked", "recreate", "blocked", "stay-home", "recreate", "blocked"],
            planned.Select(p => p.Action));
        Assert.Equal(("tcp-socket", "socket:[7]", "both"), (planned[6].Kind, planned[6].Key, planned[6].Direction));
        Assert.Contains("10.250.0.1:40000 -> 10.250.0.2:80", planned[6].Reason, StringComparison.Ordinal);
        Assert.Contains("family", planned[8].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Tcp_connections_inside_the_workload_move_over_loopback_and_block_on_a_node_address()
    {
        var sockets = new Dictionary<ulong, SocketInfo>
        {
            [1] = new(1, "tcp", "ESTAB", "127.0.0.1:40000", 0, "127.0.0.1:8080"),
            [2] = new(2, "tcp", "ESTAB", "127.0.0.1:8080", 0, "127.0.0.1:40000"),
            [3] = new(3, "tcp", "ESTAB", "10.250.0.1:40001", 0, "10.250.0.1:9090"),
            [4] = new(4, "tcp", "ESTAB", "10.250.0.1:9090", 0, "10.250.0.1:40001"),
            [5] = new(5, "tcp", "SYN-SENT", "10.250.0.1:40002", 0, "10.250.0.9:80"),
            [6] = new(6, "tcp", "ESTAB", "[::1]:40003", 0, "[::1]:7070"),
            [7] = new(7, "tcp", "ESTAB", "[::1]:7070", 0, "[::1]:40003"),
            [8] = new(8, "tcp", "LISTEN", "127.0.0.1:8080", 0),
            [9] = new(9, "udp", "UNCONN", "[::1]:5353", 0, "*:*"),
        };
        var planned = DescriptorClassifier.Classify(
            Enumerable.Range(1, 9).Select(i => Fd(i + 2, $"socket:[{i}]", Sock, ino: (ulong)i)).ToList(),
            "/ssi",
            sockets);

        Assert.Equal(["recreate", "recreate", "blocked", "blocked", "blocked", "recreate", "recreate", "recreate", "recreate"], planned.Select(p => p.Action));
        Assert.False(planned[7].TcpRepair);
        Assert.All(new[] { 0, 1, 5, 6 }, i => Assert.True(planned[i].TcpRepair));
        Assert.Contains("over loopback", planned[0].Reason, StringComparison.Ordinal);
        Assert.Contains("an address of this node", planned[2].Reason, StringComparison.Ordinal);
        Assert.Contains("SYN-SENT", planned[4].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_workload_holding_relayed_and_loopback_TCP_connections_keeps_the_relayed_ones_and_blocks_the_others()
    {
        var sockets = new Dictionary<ulong, SocketInfo>
        {
            [1] = new(1, "tcp", "ESTAB", "127.0.0.1:40000", 0, "127.0.0.1:8080"),
            [2] = new(2, "tcp", "ESTAB", "127.0.0.1:8080", 0, "127.0.0.1:40000"),
            [3] = new(3, "tcp", "CLOSE-WAIT", "10.250.0.1:40001", 0, "10.250.0.2:80"),
        };
        var planned = DescriptorClassifier.Classify(
            Enumerable.Range(1, 3).Select(i => Fd(i + 2, $"socket:[{i}]", Sock, ino: (ulong)i)).ToList(),
            "/ssi",
            sockets);

        Assert.Equal(["blocked", "blocked", "stay-home"], planned.Select(p => p.Action));
        Assert.Contains("criu cannot repair some connections of a dump and close others", planned[0].Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("moved with it", planned[0].Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:80", true)]
    [InlineData("127.1.2.3:80", true)]
    [InlineData("[::1]:80", true)]
    [InlineData("[::ffff:127.0.0.1]:80", true)]
    [InlineData("10.0.0.1:80", false)]
    [InlineData("[fe80::1%eth0]:80", false)]
    [InlineData("*:*", false)]
    public void Loopback_addresses_are_recognised_as_ss_prints_them(string endpoint, bool loopback)
    {
        Assert.Equal(loopback, DescriptorClassifier.IsLoopback(endpoint));
    }

    [Fact]
    public void Paths_beneath_the_mount_are_recognised_exactly()
    {
        Assert.True(DescriptorClassifier.IsBeneath("/ssi/a", "/ssi"));
        Assert.True(DescriptorClassifier.IsBeneath("/ssi", "/ssi/"));
        Assert.False(DescriptorClassifier.IsBeneath("/ssi2/a", "/ssi"));
        Assert.False(DescriptorClassifier.IsBeneath("/x", "/"));
    }
}

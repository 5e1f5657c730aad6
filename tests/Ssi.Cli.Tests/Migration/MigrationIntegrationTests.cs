using System.Globalization;
using System.Text;
using System.Text.Json;
using Ssi.Agent.Native;
using Ssi.Agent.Native.Processes;
using Ssi.Agent.Native.Spawn;
using Ssi.Agent.Native.Terminals;
using Ssi.Cli.Tests.Local;
using Ssi.Testing;

namespace Ssi.Cli.Tests.Migration;

/// <summary>Live migration with real CRIU between netns nodes of a local cluster: every descriptor keeps working.</summary>
[Collection(LocalClusterCollection.Name)]
public sealed class MigrationIntegrationTests(MigratingCluster cluster) : IClassFixture<MigratingCluster>
{
    private readonly string _c = cluster.Name;

    private static string Marker() => "mk" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task A_workload_writing_a_shared_file_moves_n1_n2_n3_n1_keeps_its_cluster_pid_and_its_offset()
    {
        var marker = Marker();
        var file = $"/ssi/{marker}.log";
        var start = await CliRun.RunAsync(["run", "-d", "-c", _c, "--node", "node1", "--", "sh", "-c", $"exec 3>>{file}; i=0; while true; do echo {marker} $i >&3; i=$((i+1)); sleep 0.05; done"]);
        Assert.Equal(0, start.ExitCode);
        var (cpid, node, _) = await cluster.WaitForAsync(marker);
        Assert.Equal("node1", node);

        foreach (var target in new[] { "node2", "node3", "node1" })
        {
            var status = await cluster.MigrateAsync(cpid, target);
            Assert.Equal("Succeeded", status.GetProperty("phase").GetString());
            var (after, now, state) = await cluster.WaitForAsync(marker);
            Assert.Equal(cpid, after);
            Assert.Equal(target, now);
            Assert.NotEqual("T", state);
            Assert.Single(await MigratingCluster.CopiesSettledAsync(marker));
        }

        await Task.Delay(500);
        await CliRun.RunAsync(["kill", "-c", _c, cpid.ToString(CultureInfo.InvariantCulture)]);
        var lines = File.ReadAllLines(Path.Combine($"/var/lib/ssi-operator/{_c}/cfs", $"{marker}.log"));
        // One writer through every move: the counter never skips, repeats or interleaves.
        var numbers = lines.Select(l => int.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(0, numbers.Count), numbers);
    }

    [Fact]
    public async Task Pipes_to_the_caller_stay_home_across_moves_with_order_eof_and_exit_status_kept()
    {
        var marker = Marker();
        using var run = new InteractiveRun(["run", "-c", _c, "--node", "node1", "--", "sh", "-c", $"# {marker}\nwhile read l; do echo \"got $l\"; echo \"err $l\" >&2; done; echo bye; exit 7"]);
        await run.SendAsync("one");
        await run.WaitForOutputAsync("got one");
        var (cpid, _, _) = await cluster.WaitForAsync(marker);

        var moved = await cluster.MigrateAsync(cpid, "node2");
        Assert.Contains(moved.GetProperty("plan").EnumerateArray(), p => p.GetProperty("kind").GetString() == "pipe" && p.GetProperty("action").GetString() == "stay-home");
        await run.SendAsync("two");
        await run.WaitForOutputAsync("got two");
        await run.WaitForOutputAsync("err two");

        await cluster.MigrateAsync(cpid, "node3");
        for (var i = 0; i < 50; i++)
        {
            await run.SendAsync($"line{i}");
        }

        await run.WaitForOutputAsync("got line49");
        run.CloseInput();
        Assert.Equal(7, await run.WaitForExitAsync());
        var got = run.Output.Split('\n').Where(l => l.StartsWith("got line", StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"got line{i}"), got);
        Assert.Contains("bye", run.Output, StringComparison.Ordinal);
        Assert.Empty(MigratingCluster.Copies(marker));
    }

    [Fact]
    public async Task A_pipeline_of_a_parent_and_children_joined_by_pipes_moves_whole()
    {
        var marker = Marker();
        var file = $"/ssi/{marker}.out";
        await CliRun.RunAsync(["run", "-d", "-c", _c, "--node", "node2", "--", "sh", "-c", $"# {marker}\n(i=0; while true; do echo $i; i=$((i+1)); sleep 0.05; done) | cat | while read n; do echo \"$n\" >> {file}; done"]);
        var (cpid, _, _) = await cluster.WaitForAsync(marker);
        await Task.Delay(300);

        var status = await cluster.MigrateAsync(cpid, "node1");
        Assert.Contains(status.GetProperty("plan").EnumerateArray(), p => p.GetProperty("kind").GetString() == "pipe" && p.GetProperty("action").GetString() == "recreate");
        await Task.Delay(500);
        var before = File.ReadAllLines(Path.Combine($"/var/lib/ssi-operator/{_c}/cfs", $"{marker}.out")).Length;
        await Task.Delay(500);
        var lines = File.ReadAllLines(Path.Combine($"/var/lib/ssi-operator/{_c}/cfs", $"{marker}.out"));
        Assert.True(lines.Length > before, "the pipeline stopped producing after the move");
        Assert.Equal(Enumerable.Range(0, lines.Length).Select(i => i.ToString(CultureInfo.InvariantCulture)), lines);
        await CliRun.RunAsync(["kill", "-c", _c, cpid.ToString(CultureInfo.InvariantCulture)]);
    }

    [Fact]
    public async Task A_terminal_stays_home_with_window_size_and_line_discipline_across_moves()
    {
        var marker = Marker();
        await TerminalMovesAsync(
            marker,
            ["sh", "-c", $"# {marker}\nwhile read l; do echo \"got $l size $(stty size)\"; [ \"$l\" = quit ] && exit 4; done"],
            "got",
            p => p.GetProperty("kind").GetString() == "tty",
            4);
    }

    [Fact]
    public async Task A_program_reading_dev_tty_keeps_its_terminal_across_moves()
    {
        var marker = Marker();
        var program = $"# {marker}\nimport fcntl, struct, sys, termios\nt = open('/dev/tty', 'r+b', buffering=0)\n" +
            "while True:\n  l = b''\n  while not l.endswith(b'\\n'): l += t.read(1)\n  l = l.strip().decode()\n" +
            "  rows, cols = struct.unpack('hh', fcntl.ioctl(t, termios.TIOCGWINSZ, b'1234'))\n" +
            "  t.write(('tty got %s size %d %d\\n' % (l, rows, cols)).encode())\n  if l == 'quit': sys.exit(5)\n";
        await TerminalMovesAsync(marker, ["python3", "-c", program], "tty got", p => p.GetProperty("target").GetString() == "/dev/tty", 5);
    }

    /// <summary>
    /// A program answering "PREFIX LINE size ROWS COLS" for each line typed on its terminal is moved
    /// node1 -> node2 -> node3 and resized in between: line discipline, window size and exit status hold.
    /// </summary>
    private async Task TerminalMovesAsync(string marker, string[] program, string prefix, Func<JsonElement, bool> relayed, int exitCode)
    {
        using var run = new TerminalRun(["run", "-c", _c, "--node", "node1", "--", .. program], 30, 100);

        await Task.Delay(1500);
        run.Type("one\n"u8);
        await run.ExpectAsync($"{prefix} one size 30 100");
        var (cpid, _, _) = await cluster.WaitForAsync(marker);

        var status = await cluster.MigrateAsync(cpid, "node2");
        Assert.Contains(status.GetProperty("plan").EnumerateArray(), p => relayed(p) && p.GetProperty("action").GetString() == "stay-home");
        run.Type("two\n"u8);
        await run.ExpectAsync($"{prefix} two size 30 100");

        await cluster.MigrateAsync(cpid, "node3");
        run.Resize(40, 120);
        await Task.Delay(1000);
        run.Type("three\n"u8);
        await run.ExpectAsync($"{prefix} three size 40 120");

        run.Type("quit\n"u8);
        var exit = await run.WaitForExitAsync();
        Assert.Equal(exitCode, exit.Code);
    }

    [Fact]
    public async Task A_unix_stream_socket_to_a_server_left_on_node1_stays_home_with_eof_kept()
    {
        var marker = Marker();
        var socket = $"/tmp/{marker}.sock";
        var done = $"/tmp/{marker}.done";
        var log = $"/ssi/{marker}.log";
        await CliRun.RunAsync(["run", "-d", "-c", _c, "--node", "node1", "--", "python3", "-c",
            $"import socket\ns=socket.socket(socket.AF_UNIX); s.bind('{socket}'); s.listen()\nc,_=s.accept()\nwhile True:\n  d=c.recv(4096)\n  if not d: break\n  c.sendall(d.upper())\nopen('{done}','w').write('eof')"]);
        for (var i = 0; i < 50 && !File.Exists(socket); i++)
        {
            await Task.Delay(100);
        }

        await CliRun.RunAsync(["run", "-d", "-c", _c, "--node", "node1", "--", "python3", "-c",
            $"import socket,time\nc=socket.socket(socket.AF_UNIX); c.connect('{socket}')\nfor i in range(60):\n  c.sendall(b'hello %d' % i); open('{log}','a').write(c.recv(100).decode()+chr(10)); time.sleep(0.1)\nc.close()"]);
        var (cpid, _, _) = await cluster.WaitForAsync(log);

        var status = await cluster.MigrateAsync(cpid, "node2");

        Assert.Contains(status.GetProperty("plan").EnumerateArray(), p => p.GetProperty("kind").GetString() == "unix-socket" && p.GetProperty("action").GetString() == "stay-home");
        for (var i = 0; i < 100 && !File.Exists(done); i++)
        {
            await Task.Delay(100);
        }

        Assert.True(File.Exists(done), "the server on node1 never saw the end of the connection");
        var lines = File.ReadAllLines(Path.Combine($"/var/lib/ssi-operator/{_c}/cfs", $"{marker}.log"));
        Assert.Equal(Enumerable.Range(0, 60).Select(i => $"HELLO {i}"), lines);
        File.Delete(socket);
        File.Delete(done);
    }

    [Fact]
    public async Task A_tcp_connection_to_a_server_left_on_node1_stays_home_over_two_moves_with_half_close_and_eof_kept()
    {
        var marker = Marker();
        var port = 20000 + Random.Shared.Next(20000);
        var ready = $"/tmp/{marker}.ready";
        var done = $"/tmp/{marker}.done";
        var log = $"/ssi/{marker}.log";
        await CliRun.RunAsync(["run", "-d", "-c", _c, "--node", "node1", "--", "python3", "-c",
            $"import socket\ns=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', {port})); s.listen()\nopen('{ready}','w').write('up')\nc,_=s.accept()\nn=0\nwhile True:\n  d=c.recv(4096)\n  if not d: break\n  n+=len(d); c.sendall(d.upper())\nc.sendall(b'BYE %d' % n); c.close()\nopen('{done}','w').write(str(n))"]);
        for (var i = 0; i < 50 && !File.Exists(ready); i++)
        {
            await Task.Delay(100);
        }

        await CliRun.RunAsync(["run", "-d", "-c", _c, "--node", "node1", "--", "python3", "-c",
            $"import socket,time\nc=socket.create_connection(('127.0.0.1', {port}))\nfor i in range(80):\n  m=b'hello %02d' % i; c.sendall(m); r=b''\n  while len(r) < len(m): r+=c.recv(100)\n  open('{log}','a').write(r.decode()+chr(10)); time.sleep(0.1)\nc.shutdown(socket.SHUT_WR); r=b''\nwhile True:\n  d=c.recv(100)\n  if not d: break\n  r+=d\nopen('{log}','a').write(r.decode()+chr(10))"]);
        var (cpid, _, _) = await cluster.WaitForAsync(log);

        var first = await cluster.MigrateAsync(cpid, "node2");
        Assert.Contains(first.GetProperty("plan").EnumerateArray(), p => p.GetProperty("kind").GetString() == "tcp-socket" && p.GetProperty("action").GetString() == "stay-home");
        await cluster.MigrateAsync(cpid, "node3");
        Assert.Equal("node3", await cluster.NodeOfAsync(cpid));
        for (var i = 0; i < 150 && !File.Exists(done); i++)
        {
            await Task.Delay(100);
        }

        Assert.True(File.Exists(done), "the server on node1 never saw the end of the connection");
        Assert.Equal("640", File.ReadAllText(done));
        var path = Path.Combine($"/var/lib/ssi-operator/{_c}/cfs", $"{marker}.log");
        for (var i = 0; i < 100 && !File.ReadAllText(path).Contains("BYE", StringComparison.Ordinal); i++)
        {
            await Task.Delay(100); // the client writes the server's last answer after the server is done
        }

        var lines = File.ReadAllLines(path);
        // The client half-closed (shutdown SHUT_WR) and still read the server's answer to end of file.
        Assert.Equal(Enumerable.Range(0, 80).Select(i => $"HELLO {i:00}").Append("BYE 640"), lines);
        File.Delete(ready);
        File.Delete(done);
    }

    [Fact]
    public async Task Lazy_mode_restores_first_and_pulls_memory_afterwards_with_contents_intact()
    {
        var marker = Marker();
        var log = $"/ssi/{marker}.log";
        await CliRun.RunAsync(["run", "-d", "-c", _c, "--node", "node3", "--", "python3", "-c",
            $"import time,zlib\nb=bytearray(range(256))*(96<<12)\nc=zlib.crc32(b)\nwhile True:\n  open('{log}','a').write('%d\\n' % (zlib.crc32(b)==c)); time.sleep(0.1)"]);
        var (cpid, _, _) = await cluster.WaitForAsync(log);
        await Task.Delay(1500);

        var result = await CliRun.RunAsync(["migrate", cpid.ToString(CultureInfo.InvariantCulture), "--to", "node1", "--mode", "lazy", "-c", _c, "-o", "json"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("\"mode\": \"lazy\"", result.StandardOutput, StringComparison.Ordinal);
        Assert.Equal("node1", await cluster.NodeOfAsync(cpid));
        var path = Path.Combine($"/var/lib/ssi-operator/{_c}/cfs", $"{marker}.log");
        var before = File.ReadAllLines(path).Length;
        // Its first pass over the 96 MiB faults every page in from node3: give it time.
        for (var i = 0; i < 300 && File.ReadAllLines(path).Length <= before + 2; i++)
        {
            await Task.Delay(100);
        }

        var lines = File.ReadAllLines(path);
        // Still running on node1, and every checksum of its 96 MiB, pulled page by page, matches.
        Assert.True(lines.Length > before, $"no progress after the move ({before} lines)");
        Assert.All(lines, l => Assert.Equal("1", l));
        await CliRun.RunAsync(["kill", "-c", _c, cpid.ToString(CultureInfo.InvariantCulture)]);
    }

    [Fact]
    public async Task Eventfd_timerfd_signalfd_and_epoll_are_rebuilt_and_keep_working()
    {
        var marker = Marker();
        var log = $"/ssi/{marker}.log";
        // One loop waits in epoll on a signalfd (SIGUSR1 blocked), an eventfd it feeds from the
        // signals, and a periodic timerfd (every 50 ms, counted).
        var program = string.Join('\n',
            "import ctypes, os, select, signal, struct",
            "libc = ctypes.CDLL('libc.so.6', use_errno=True)",
            "ev = os.eventfd(0)",
            "tfd = libc.timerfd_create(1, 0)",
            "spec = struct.pack('qqqq', 0, 50000000, 0, 50000000)",
            "assert libc.timerfd_settime(tfd, 0, ctypes.c_char_p(spec), None) == 0",
            "signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])",
            "mask = ctypes.create_string_buffer(128); libc.sigemptyset(mask); libc.sigaddset(mask, 10)",
            "sfd = libc.signalfd(-1, mask, 0)",
            "ep = select.epoll(); [ep.register(fd, select.EPOLLIN) for fd in (ev, tfd, sfd)]",
            "ticks = 0",
            "open('" + log + "', 'a').write('ready\\n')",
            "while True:",
            "  for fd, _ in ep.poll():",
            "    if fd == tfd: os.read(tfd, 8); ticks += 1",
            "    elif fd == sfd: os.read(sfd, 128); os.eventfd_write(ev, 1)",
            "    elif fd == ev: os.eventfd_read(ev); open('" + log + "', 'a').write('signal\\n')");
        await CliRun.RunAsync(["run", "-d", "-c", _c, "--node", "node2", "--", "python3", "-c", program]);
        var (cpid, _, _) = await cluster.WaitForAsync(log);
        await Task.Delay(500);

        var status = await cluster.MigrateAsync(cpid, "node3");

        var kinds = status.GetProperty("plan").EnumerateArray().Select(p => (p.GetProperty("kind").GetString(), p.GetProperty("action").GetString())).ToList();
        Assert.Contains(("eventfd", "recreate"), kinds);
        Assert.Contains(("timerfd", "recreate"), kinds);
        Assert.Contains(("signalfd", "recreate"), kinds);
        Assert.Contains(("epoll", "recreate"), kinds);
        var path = Path.Combine($"/var/lib/ssi-operator/{_c}/cfs", $"{marker}.log");
        for (var n = 1; n <= 3; n++)
        {
            await CliRun.RunAsync(["kill", "-c", _c, "-USR1", cpid.ToString(CultureInfo.InvariantCulture)]);
            for (var i = 0; i < 50 && File.ReadAllLines(path).Count(l => l == "signal") < n; i++)
            {
                await Task.Delay(100);
            }
        }

        // signalfd -> eventfd -> epoll, all rebuilt on node3, carried each signal through.
        Assert.Equal(3, File.ReadAllLines(path).Count(l => l == "signal"));
        var restored = MigratingCluster.HostPidsOf(log).Single();
        var timer = File.ReadAllText($"/proc/{restored}/fdinfo/4");
        Assert.Contains("clockid: 1", timer, StringComparison.Ordinal);
        Assert.Contains("it_interval: (0, 50000000)", timer, StringComparison.Ordinal);
        await CliRun.RunAsync(["kill", "-c", _c, cpid.ToString(CultureInfo.InvariantCulture)]);
    }

    [Fact]
    public async Task A_TCP_conversation_between_two_processes_of_the_workload_over_loopback_moves_with_it()
    {
        var marker = Marker();
        await CliRun.RunAsync(["run", "-d", "-c", _c, "--node", "node1", "--", .. LoopbackConversation.Command(marker)]);
        var (cpid, _, _) = await cluster.WaitForAsync(marker);
        var count = await LoopbackConversation.ProgressAsync(_c, marker, 0);

        foreach (var node in new[] { "node2", "node3" })
        {
            var status = await cluster.MigrateAsync(cpid, node);

            var tcp = status.GetProperty("plan").EnumerateArray().Where(p => p.GetProperty("kind").GetString() == "tcp-socket").ToList();
            Assert.Contains(tcp, p => p.GetProperty("reason").GetString()!.Contains("over loopback", StringComparison.Ordinal));
            Assert.All(tcp, p => Assert.Equal("recreate", p.GetProperty("action").GetString()));
            count = await LoopbackConversation.ProgressAsync(_c, marker, count);
            Assert.Equal(node, await cluster.NodeOfAsync(cpid));
        }

        LoopbackConversation.AssertUnbroken(_c, marker);
        await CliRun.RunAsync(["kill", "-c", _c, cpid.ToString(CultureInfo.InvariantCulture)]);
    }

    [Fact]
    public async Task A_periodic_timerfd_that_expired_unread_keeps_ticking_after_the_move()
    {
        var marker = Marker();
        var log = $"/ssi/{marker}.log";
        var go = $"/ssi/{marker}.go";
        // The timer expires 20 ms after it is armed and is not read until after the move: the kernel
        // then reports it_value (0, 0), which a restore taken as it is would turn into a disarmed timer.
        var program = string.Join('\n',
            "import ctypes, os, struct, time",
            "libc = ctypes.CDLL('libc.so.6', use_errno=True)",
            "tfd = libc.timerfd_create(1, 0)",
            "assert libc.timerfd_settime(tfd, 0, ctypes.c_char_p(struct.pack('qqqq', 0, 100000000, 0, 20000000)), None) == 0",
            "open('" + log + "', 'a').write('ready\\n')",
            "while not os.path.exists('" + go + "'): time.sleep(0.05)",
            "for n in range(5): os.read(tfd, 8); open('" + log + "', 'a').write('tick\\n')");
        await CliRun.RunAsync(["run", "-d", "-c", _c, "--node", "node2", "--", "python3", "-c", program]);
        var (cpid, _, _) = await cluster.WaitForAsync(log);
        var path = Path.Combine($"/var/lib/ssi-operator/{_c}/cfs", $"{marker}.log");
        var original = MigratingCluster.HostPidsOf(log).Single();
        var timer = Directory.GetFiles($"/proc/{original}/fd").Single(f => new FileInfo(f).LinkTarget == "anon_inode:[timerfd]").Replace("/fd/", "/fdinfo/", StringComparison.Ordinal);
        for (var i = 0; i < 50 && !File.ReadAllText(timer).Contains("it_value: (0, 0)", StringComparison.Ordinal); i++)
        {
            await Task.Delay(50);
        }

        await cluster.MigrateAsync(cpid, "node3");
        // Through the shared filesystem (node1 is its home), not into the backing directory behind its
        // back: a forwarding node that knows every name of /ssi answers "no such file" by itself until
        // the home tells it of a new name.
        Assert.Equal(0, (await CliRun.RunAsync(["run", "-c", _c, "--node", "node1", "--", "touch", go])).ExitCode);

        // The pending expiry, then four more periods: the restored timer is armed.
        for (var i = 0; i < 100 && File.ReadAllLines(path).Count(l => l == "tick") < 5; i++)
        {
            await Task.Delay(100);
        }

        Assert.Equal(5, File.ReadAllLines(path).Count(l => l == "tick"));
    }

    [Fact]
    public async Task A_device_of_node1_is_used_through_its_remote_device_file_after_the_move_and_directly_back_home()
    {
        Assert.True(File.Exists("/dev/kmsg"), "this test needs /dev/kmsg, which the sample's node1 exports");
        var marker = Marker();
        var log = $"/ssi/{marker}.log";
        await CliRun.RunAsync(["run", "-d", "-c", _c, "--node", "node1", "--", "python3", "-c",
            $"import os,time\nfd=os.open('/dev/kmsg', os.O_RDONLY|os.O_NONBLOCK)\nwhile True:\n  try: r=os.read(fd,8192).decode(errors='replace').split(',')[1]\n  except BlockingIOError: r='EAGAIN'\n  open('{log}','a').write(os.readlink('/proc/self/fd/%d' % fd)+' '+r+chr(10)); time.sleep(0.05)"]);
        var (cpid, _, _) = await cluster.WaitForAsync(log);
        var path = Path.Combine($"/var/lib/ssi-operator/{_c}/cfs", $"{marker}.log");

        foreach (var (node, expected) in new[] { ("node2", "/run/ssi/dev/node1/kmsg"), ("node3", "/run/ssi/dev/node1/kmsg"), ("node1", "/dev/kmsg") })
        {
            var status = await cluster.MigrateAsync(cpid, node);
            Assert.Contains(status.GetProperty("plan").EnumerateArray(), p => p.GetProperty("kind").GetString() == "device" && p.GetProperty("action").GetString() == "stay-home");
            for (var i = 0; i < 50 && !File.ReadAllLines(path).Last().StartsWith(expected + " ", StringComparison.Ordinal); i++)
            {
                await Task.Delay(100);
            }

            // Reads keep coming (kernel log records, or EAGAIN once at the end), through the device's file on this node.
            var last = File.ReadAllLines(path).Last();
            Assert.StartsWith(expected + " ", last, StringComparison.Ordinal);
            Assert.Matches(@" (\d+|EAGAIN)$", last);
        }

        await CliRun.RunAsync(["kill", "-c", _c, cpid.ToString(CultureInfo.InvariantCulture)]);
    }

    [Fact]
    public async Task A_workload_with_a_blocker_gets_a_plan_that_names_it_and_is_not_frozen()
    {
        var marker = Marker();
        // A named FIFO outside the shared filesystem: its other users are on this node only.
        var fifo = $"/tmp/{marker}.fifo";
        await CliRun.RunAsync(["run", "-d", "-c", _c, "--node", "node1", "--", "sh", "-c", $"# {marker}\nexec python3 -c 'import os,time; os.mkfifo(\"{fifo}\"); fd=os.open(\"{fifo}\", os.O_RDWR); time.sleep(600)'"]);
        var (cpid, _, _) = await cluster.WaitForAsync("import os,time");
        // Listed as soon as python runs; the FIFO is open a moment later (the CLI is faster than that).
        for (var i = 0; i < 100 && !MigratingCluster.HostPidsOf(marker).Any(pid => HoldsOpen(pid, fifo)); i++)
        {
            await Task.Delay(50);
        }

        var result = await CliRun.RunAsync(["migrate", cpid.ToString(CultureInfo.InvariantCulture), "--to", "node2", "-c", _c]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("blocked", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains(fifo, result.StandardOutput, StringComparison.Ordinal);
        var (_, node, state) = (await cluster.FindAsync("import os,time"))!.Value;
        Assert.Equal("node1", node);
        Assert.NotEqual("T", state);
        await CliRun.RunAsync(["kill", "-c", _c, cpid.ToString(CultureInfo.InvariantCulture)]);
        File.Delete(fifo);
    }

    [Fact]
    public async Task Dry_run_prints_the_plan_and_moves_nothing()
    {
        var marker = Marker();
        await CliRun.RunAsync(["run", "-d", "-c", _c, "--node", "node3", "--", "sh", "-c", $"# {marker}\nsleep 600"]);
        var (cpid, _, _) = await cluster.WaitForAsync(marker);

        var result = await CliRun.RunAsync(["migrate", cpid.ToString(CultureInfo.InvariantCulture), "--to", "node1", "--dry-run", "-c", _c]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Planned", result.StandardOutput, StringComparison.Ordinal);
        Assert.Equal("node3", (await cluster.FindAsync(marker))!.Value.Node);
        await CliRun.RunAsync(["kill", "-c", _c, cpid.ToString(CultureInfo.InvariantCulture)]);
    }

    [Theory]
    [InlineData("999999999", "node2", "no process with cluster PID 999999999")]
    [InlineData("SELF", "node9", "there is no node 'node9'")]
    [InlineData("SELF", "node1", "already runs on node1")]
    public async Task Bad_requests_get_a_clear_error_and_touch_nothing(string cpidText, string node, string error)
    {
        var marker = Marker();
        await CliRun.RunAsync(["run", "-d", "-c", _c, "--node", "node1", "--", "sh", "-c", $"# {marker}\nsleep 600"]);
        var (cpid, _, _) = await cluster.WaitForAsync(marker);
        var target = cpidText == "SELF" ? cpid.ToString(CultureInfo.InvariantCulture) : cpidText;

        var result = await CliRun.RunAsync(["migrate", target, "--to", node, "-c", _c]);

        Assert.Equal(2, result.ExitCode);
        var printed = string.Join(' ', (result.StandardOutput + result.StandardError).Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(error, printed, StringComparison.Ordinal);
        Assert.Equal("node1", (await cluster.FindAsync(marker))!.Value.Node);
        await CliRun.RunAsync(["kill", "-c", _c, cpid.ToString(CultureInfo.InvariantCulture)]);
    }

    [Fact]
    public async Task A_moved_workload_s_shim_reports_its_end_to_the_agent_of_the_node_it_moved_to()
    {
        var marker = Marker();
        // Waits for a go file, leaves an orphan for the shim to reap, then ends with 5.
        var script = $"# {marker}\nwhile [ ! -e /ssi/{marker}.go ]; do sleep 0.05; done; sh -c 'sleep 0.1 &'; sleep 0.5; exit 5";
        var start = await CliRun.RunAsync(["run", "-d", "-c", _c, "--node", "node1", "--", "sh", "-c", script]);
        Assert.True(start.ExitCode == 0, start.ToString());
        var (cpid, _, _) = await cluster.WaitForAsync(marker);
        Assert.Equal("Succeeded", (await cluster.MigrateAsync(cpid, "node2")).GetProperty("phase").GetString());
        using var connector = cluster.Connector();
        using var node2 = new WorkloadEnds(new Agent.Contracts.V1.Process.ProcessClient(connector.ChannelFor("node2")));
        await Task.Delay(200);

        Assert.Equal(0, (await CliRun.RunAsync(["run", "-c", _c, "--node", "node3", "--", "touch", $"/ssi/{marker}.go"])).ExitCode);
        var end = await node2.OfAsync(cpid);

        Assert.Equal("node2", end.Node);
        Assert.Equal(5, end.ExitCode);
        Assert.True(end.ReportedByShim);
        Assert.Equal(1, end.OrphansReaped);
    }

    [Fact]
    public async Task Apply_of_a_ProcessMigration_file_moves_the_process()
    {
        var marker = Marker();
        await CliRun.RunAsync(["run", "-d", "-c", _c, "--node", "node2", "--", "sh", "-c", $"# {marker}\nsleep 600"]);
        var (cpid, _, _) = await cluster.WaitForAsync(marker);
        var yaml = File.ReadAllText(Path.Combine(RepositoryPaths.Samples, "processmigration-local.yaml"))
            .Replace("cluster: demo", $"cluster: {_c}", StringComparison.Ordinal)
            .Replace("clusterPid: 1000001", $"clusterPid: {cpid}", StringComparison.Ordinal)
            .Replace("targetNode: node2", "targetNode: node3", StringComparison.Ordinal);
        var path = Path.Combine(Path.GetTempPath(), $"{marker}.yaml");
        await File.WriteAllTextAsync(path, yaml);

        var result = await CliRun.RunAsync(["apply", "-f", path]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("node3", (await cluster.FindAsync(marker))!.Value.Node);
        await CliRun.RunAsync(["kill", "-c", _c, cpid.ToString(CultureInfo.InvariantCulture)]);
    }

    private static bool HoldsOpen(int pid, string path)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Any(fd => File.ResolveLinkTarget(fd, false)?.ToString() == path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // it ended
        }
    }
}

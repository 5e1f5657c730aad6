using Grpc.Core;
using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Processes;
using Ssi.Testing;

namespace Ssi.Agent.Tests.Processes;

/// <summary>The Process service for real: workloads under the NativeAOT shim, kernel process events, signals.</summary>
public sealed class ProcessServiceTests
{
    [Fact]
    public async Task Run_returns_stdout_stderr_and_the_exit_code()
    {
        var (agent, client) = await ProcessAgent.StartAsync();
        await using var _ = agent;

        var result = await RunResult.RunAsync(client, ["sh", "-c", "echo out; echo err >&2; echo $SSI_NODE; exit 7"]);

        Assert.Equal("out\nnode1\n", result.Stdout);
        Assert.Equal("err\n", result.Stderr);
        Assert.Equal(7, result.ExitCode);
        Assert.Equal(1, result.ClusterPid / 1_000_000);
    }

    [Fact]
    public async Task Run_relays_stdin_until_end_of_file()
    {
        var (agent, client) = await ProcessAgent.StartAsync();
        await using var _ = agent;

        var result = await RunResult.RunAsync(client, ["sh", "-c", "cat; echo done"], stdin: "line one\nline two\n");

        Assert.Equal("line one\nline two\ndone\n", result.Stdout);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Workload_runs_in_its_own_pid_namespace_under_the_shim()
    {
        var (agent, client) = await ProcessAgent.StartAsync();
        await using var _ = agent;

        await RunResult.RunAsync(client, ["sleep", "2"], whileRunning: async root =>
        {
            var process = (await ProcessAgent.WaitForAsync(client, l => l.Processes.Any(p => p.ClusterPid == root))).Processes.Single(p => p.ClusterPid == root);
            var shim = ProcStat.Read(process.HostPid)!.ParentPid;

            Assert.InRange(process.NamespacePid, 2, 9);
            Assert.Equal("ssi-shim", ProcStat.Read(shim)!.Command);
            Assert.Equal(1, ProcFiles.NamespacePid(shim));
            Assert.NotEqual(
                File.ResolveLinkTarget("/proc/self/ns/pid", false)!.ToString(),
                File.ResolveLinkTarget($"/proc/{process.HostPid}/ns/pid", false)!.ToString());
            await client.SignalProcessAsync(new SignalProcessRequest { ClusterPid = root, Signal = 9 });
        });
    }

    [Fact]
    public async Task A_workload_on_a_terminal_sees_a_tty_with_the_window_size()
    {
        var (agent, client) = await ProcessAgent.StartAsync();
        await using var _ = agent;

        var result = await RunResult.RunAsync(client, ["sh", "-c", "test -t 0 && test -t 1 && echo TTY; stty size"], tty: true);

        Assert.Contains("TTY", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("33 111", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task A_detached_workload_keeps_running_without_the_caller_and_logs_its_output()
    {
        var (agent, client) = await ProcessAgent.StartAsync();
        await using var _ = agent;
        var start = new RunStart { Detach = true };
        start.Argv.AddRange(["sh", "-c", "echo to-the-log; sleep 30"]);
        RunStarted started;
        using (var call = client.Run())
        {
            await call.RequestStream.WriteAsync(new RunRequest { Start = start });
            await call.RequestStream.CompleteAsync();
            Assert.True(await call.ResponseStream.MoveNext());
            started = call.ResponseStream.Current.Started;
            Assert.False(await call.ResponseStream.MoveNext());
        }

        var listed = await ProcessAgent.WaitForAsync(client, l => l.Processes.Any(p => p.ClusterPid == started.ClusterPid && p.Command == "sh" && p.State == "S"));
        Assert.Contains(listed.Processes, p => p.ClusterPid == started.ClusterPid && p.Command == "sh" && p.State == "S");
        for (var i = 0; i < 100 && !File.ReadAllText(started.LogPath).Contains("to-the-log", StringComparison.Ordinal); i++)
        {
            await Task.Delay(20);
        }

        Assert.Equal("to-the-log\n", await File.ReadAllTextAsync(started.LogPath));
        await client.SignalProcessAsync(new SignalProcessRequest { ClusterPid = started.ClusterPid, Signal = 9 });
        await ProcessAgent.WaitForAsync(client, l => l.Processes.All(p => p.ClusterPid != started.ClusterPid));
    }

    [Fact]
    public async Task An_unknown_program_exits_127()
    {
        var (agent, client) = await ProcessAgent.StartAsync();
        await using var _ = agent;

        var result = await RunResult.RunAsync(client, ["/nonexistent/program"]);

        Assert.Equal(127, result.ExitCode);
        Assert.Contains("cannot start /nonexistent/program", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_table_lists_the_tree_with_parents_and_follows_exits()
    {
        var (agent, client) = await ProcessAgent.StartAsync();
        await using var _ = agent;

        var result = await RunResult.RunAsync(client, ["sh", "-c", "sleep 30 & sleep 30 & echo started; wait"], whileRunning: async root =>
        {
            var listed = await ProcessAgent.WaitForAsync(client, l => l.Processes.Count(p => p.WorkloadClusterPid == root && (p.ClusterPid == root || (p.Command == "sleep" && p.State == "S"))) == 3);
            var tree = listed.Processes.Where(p => p.WorkloadClusterPid == root).ToList();
            var sh = Assert.Single(tree, p => p.ClusterPid == root);
            Assert.Equal("sh", sh.Command);
            Assert.Equal(0, sh.ParentClusterPid);
            Assert.All(tree.Where(p => p.ClusterPid != root), p =>
            {
                Assert.Equal("sleep", p.Command);
                Assert.Equal(root, p.ParentClusterPid);
                Assert.Equal("S", p.State);
                Assert.Equal(root, p.ProcessGroupClusterPid);
            });

            await client.SignalProcessAsync(new SignalProcessRequest { ClusterPid = root, Signal = 15, ProcessGroup = true });
        });

        Assert.Equal(143, result.ExitCode);
        var after = await ProcessAgent.WaitForAsync(client, l => l.Processes.All(p => p.WorkloadClusterPid != result.ClusterPid));
        Assert.DoesNotContain(after.Processes, p => p.WorkloadClusterPid == result.ClusterPid);
    }

    [Fact]
    public async Task Orphans_are_reaped_by_the_shim()
    {
        var (agent, client) = await ProcessAgent.StartAsync();
        await using var _ = agent;

        // The inner sh exits at once: its sleep is orphaned to the shim (PID 1), which must reap it.
        var result = await RunResult.RunAsync(client, ["sh", "-c", "sh -c 'sleep 0.3 &'; sleep 1.5"], whileRunning: async root =>
        {
            var process = (await ProcessAgent.WaitForAsync(client, l => l.Processes.Any(p => p.ClusterPid == root))).Processes.Single(p => p.ClusterPid == root);
            var shim = ProcStat.Read(process.HostPid)!.ParentPid;
            await Task.Delay(1000);

            var children = ProcFiles.Children(shim).Select(ProcStat.Read).OfType<ProcStat>().ToList();
            Assert.DoesNotContain(children, c => c.State == 'Z');
            Assert.Equal([process.HostPid], children.Select(c => c.Pid));
        });

        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Signals_sent_to_the_shim_are_forwarded_to_the_command()
    {
        var (agent, client) = await ProcessAgent.StartAsync();
        await using var _ = agent;

        // As a container runtime stops a container: a signal to PID 1, which passes it on.
        var result = await RunResult.RunAsync(client, ["sh", "-c", "trap 'echo got USR1' USR1; trap 'echo got TERM; exit 7' TERM; echo ready; while :; do sleep 0.05; done"], whileRunning: async root =>
        {
            var process = (await ProcessAgent.WaitForAsync(client, l => l.Processes.Any(p => p.ClusterPid == root))).Processes.Single(p => p.ClusterPid == root);
            var shim = ProcStat.Read(process.HostPid)!.ParentPid;
            Assert.Equal("ssi-shim", ProcStat.Read(shim)!.Command);
            await Task.Delay(200);
            Assert.Equal(0, Native.ProcessSignals.Send(shim, 10 /* USR1 */));
            await Task.Delay(300);
            Assert.Equal(0, Native.ProcessSignals.Send(shim, 15 /* TERM */));
        });

        Assert.Equal("ready\ngot USR1\ngot TERM\n", result.Stdout);
        Assert.Equal(7, result.ExitCode);
    }

    [Fact]
    public async Task Signalling_an_unknown_cluster_pid_is_NotFound_and_a_bad_signal_InvalidArgument()
    {
        var (agent, client) = await ProcessAgent.StartAsync();
        await using var _ = agent;

        var notFound = await Assert.ThrowsAsync<RpcException>(() => client.SignalProcessAsync(new SignalProcessRequest { ClusterPid = 1_999_999, Signal = 15 }).ResponseAsync);
        var invalid = await Assert.ThrowsAsync<RpcException>(() => client.SignalProcessAsync(new SignalProcessRequest { ClusterPid = 1_000_001, Signal = 99 }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, notFound.StatusCode);
        Assert.Contains("no process with cluster PID 1999999", notFound.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
    }

    [Fact]
    public async Task Run_without_start_is_InvalidArgument()
    {
        var (agent, client) = await ProcessAgent.StartAsync();
        await using var _ = agent;
        using var call = client.Run();
        await call.RequestStream.WriteAsync(new RunRequest { Stdin = Google.Protobuf.ByteString.CopyFromUtf8("x") });
        await call.RequestStream.CompleteAsync();

        var e = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext());

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    [Fact]
    public async Task Watch_streams_starts_and_exits()
    {
        var (agent, client) = await ProcessAgent.StartAsync();
        await using var _ = agent;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var watch = client.WatchProcesses(new WatchProcessesRequest(), cancellationToken: cts.Token);
        await Task.Delay(100);

        var result = await RunResult.RunAsync(client, ["sh", "-c", "sleep 0.1; exit 0"]);
        var events = new List<ProcessEvent>();
        while (await watch.ResponseStream.MoveNext(cts.Token))
        {
            events.Add(watch.ResponseStream.Current);
            if (events.Any(e => e.Kind == ProcessEvent.Types.Kind.Exited && e.ClusterPid == result.ClusterPid))
            {
                break;
            }
        }

        Assert.Contains(events, e => e.Kind == ProcessEvent.Types.Kind.Started && e.ClusterPid == result.ClusterPid);
        Assert.Contains(events, e => e.Kind == ProcessEvent.Types.Kind.Exited && e.ClusterPid == result.ClusterPid);
    }
}

using System.Text;
using System.Text.Json;
using Ssi.Agent.Native;
using Ssi.Agent.Native.Processes;
using Ssi.Agent.Native.Spawn;
using Ssi.Agent.Native.Terminals;
using Ssi.Testing;

namespace Ssi.Cli.Tests.Local;

/// <summary>`ssi run`, `ssi ps`, `ssi kill` against a real 3-node local cluster.</summary>
[Collection(LocalClusterCollection.Name)]
public sealed class ProcessCommandsIntegrationTests(RunningCluster cluster) : IClassFixture<RunningCluster>
{
    private readonly string _c = cluster.Name;

    [Theory]
    [InlineData("node1", 3)]
    [InlineData("node2", 0)]
    [InlineData("node3", 42)]
    public async Task Run_on_each_node_returns_its_stdout_and_exit_code(string node, int code)
    {
        var result = await CliRun.RunAsync(["run", "-c", _c, "--node", node, "--", "sh", "-c", $"echo on $SSI_NODE; exit {code}"]);

        Assert.Equal($"on {node}\n", result.StandardOutput);
        Assert.Equal(code, result.ExitCode);
    }

    [Fact]
    public async Task A_workload_sees_only_its_own_processes_in_proc_and_the_shared_mounts_but_not_the_nodes_plumbing()
    {
        var result = await CliRun.RunAsync(["run", "-c", _c, "--node", "node2", "--", "sh", "-c",
            "ls /proc | grep -c '^[0-9]'; cat /proc/1/comm; cut -d' ' -f5 /proc/self/mountinfo | grep -c -e '^/ssi$' -e '^/run/ssi/dev$'; cut -d' ' -f5 /proc/self/mountinfo | grep -c -e '^/run/netns' -e '^/run/ssi-operator' || true"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // PID 1 (the shim), sh, and what the pipeline forks: a handful, not the node's hundreds.
        Assert.InRange(int.Parse(lines[0], System.Globalization.CultureInfo.InvariantCulture), 2, 5);
        Assert.Equal("ssi-shim", lines[1]);
        Assert.Equal("2", lines[2]);
        Assert.Equal("0", lines[3]);
    }

    [Fact]
    public async Task Run_from_a_terminal_gives_the_workload_a_terminal_with_the_same_window_size()
    {
        Prerequisites.RequireRoot();
        var (master, slave) = Pty.Open();
        Pty.SetWindowSize(master, 33, 111);
        var pid = Spawner.Start(new SpawnOptions([RepositoryPaths.Cli, "run", "-c", _c, "--node", "node2", "--", "sh", "-c", "test -t 0 && test -t 1 && echo IS-A-TTY; stty size"])
        {
            NewSession = true,
            ControllingTerminal = slave,
            WorkingDirectory = RepositoryPaths.Root,
        });

        var output = new StringBuilder();
        var buffer = new byte[4096];
        int n;
        while ((n = FileDescriptor.Read(master, buffer)) > 0)
        {
            output.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }

        var exit = ChildProcess.Wait(pid)!.Value.Status;
        FileDescriptor.Close(master);

        Assert.Contains("IS-A-TTY", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("33 111", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, exit.Code);
    }

    [Fact]
    public async Task On_a_terminal_ctrl_d_and_ctrl_c_reach_the_workload_not_the_client()
    {
        using var run = new TerminalRun(["run", "-c", _c, "--node", "node2", "--", "sh", "-c", "cat; echo cat-ended; sleep 30; echo not-interrupted"]);

        await Task.Delay(1500);
        run.Type("typed\n"u8);
        await run.ExpectAsync("typed");
        run.Type([0x04]); // ^D: end of input for cat, on the workload's terminal
        await run.ExpectAsync("cat-ended");
        await Task.Delay(300);
        run.Type([0x03]); // ^C: SIGINT for the workload's foreground job
        var exit = await run.WaitForExitAsync();

        Assert.DoesNotContain("not-interrupted", run.Output, StringComparison.Ordinal);
        Assert.Equal(130, exit.Code);
    }

    [Fact]
    public async Task Ps_from_node3_lists_processes_on_nodes_1_and_2_with_their_state()
    {
        using var one = CliRun.Start(["run", "-c", _c, "--node", "node1", "--", "sleep", "60"]);
        using var two = CliRun.Start(["run", "-c", _c, "--node", "node2", "--", "sleep", "60"]);
        var onOne = await WaitForProcessAsync("node1", "sleep 60");
        var onTwo = await WaitForProcessAsync("node2", "sleep 60");
        Assert.Equal(0, (await CliRun.RunAsync(["kill", "-c", _c, "-STOP", onTwo.ToString()])).ExitCode);

        var ps = await CliRun.RunInNetworkNamespaceAsync(cluster.NodeNamespace("node3"), ["ps", "-c", _c, "-o", "json"]);

        Assert.True(ps.ExitCode == 0, ps.ToString());
        var processes = JsonDocument.Parse(ps.StandardOutput).RootElement.GetProperty("processes").EnumerateArray().ToList();
        var first = processes.Single(p => p.GetProperty("clusterPid").GetInt64() == onOne);
        var second = processes.Single(p => p.GetProperty("clusterPid").GetInt64() == onTwo);
        Assert.Equal("node1", first.GetProperty("node").GetString());
        Assert.Equal("S", first.GetProperty("state").GetString());
        Assert.Equal("node2", second.GetProperty("node").GetString());
        Assert.Equal("T", second.GetProperty("state").GetString());
        Assert.Equal(1, onOne / 1_000_000);
        Assert.Equal(2, onTwo / 1_000_000);

        var table = await CliRun.RunAsync(["ps", "-c", _c]);
        Assert.Contains(onOne.ToString(System.Globalization.CultureInfo.InvariantCulture), table.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("sleep 60", table.StandardOutput, StringComparison.Ordinal);

        Assert.Equal(0, (await CliRun.RunAsync(["kill", "-c", _c, "-KILL", onOne.ToString(), onTwo.ToString()])).ExitCode);
        Assert.Equal(137, (await one.WaitAsync(TimeSpan.FromSeconds(30))).ExitCode);
        Assert.Equal(137, (await two.WaitAsync(TimeSpan.FromSeconds(30))).ExitCode);
    }

    [Fact]
    public async Task Kill_from_node2_ends_a_process_on_node1_and_the_table_updates()
    {
        using var run = CliRun.Start(["run", "-c", _c, "--node", "node1", "--", "sleep", "61"]);
        var target = await WaitForProcessAsync("node1", "sleep 61");

        var kill = await CliRun.RunInNetworkNamespaceAsync(cluster.NodeNamespace("node2"), ["kill", "-c", _c, target.ToString()]);

        Assert.True(kill.ExitCode == 0, kill.ToString());
        Assert.Equal(143, (await run.WaitAsync(TimeSpan.FromSeconds(30))).ExitCode);
        Assert.DoesNotContain(target, await ClusterPidsAsync());
    }

    [Fact]
    public async Task Kill_of_a_process_group_signals_every_member()
    {
        using var run = CliRun.Start(["run", "-c", _c, "--node", "node3", "--", "sh", "-c", "sleep 62 & sleep 62 & wait"]);
        var leader = await WaitForProcessAsync("node3", "sh -c sleep 62 & sleep 62 & wait");
        await WaitUntilAsync(async () => (await ProcessesAsync()).Count(p => p.GetProperty("processGroupClusterPid").GetInt64() == leader) == 3);

        var kill = await CliRun.RunAsync(["kill", "-c", _c, "-TERM", "--", $"-{leader}"]);

        Assert.True(kill.ExitCode == 0, kill.ToString());
        Assert.Equal(143, (await run.WaitAsync(TimeSpan.FromSeconds(30))).ExitCode);
        await WaitUntilAsync(async () => (await ProcessesAsync()).All(p => p.GetProperty("processGroupClusterPid").GetInt64() != leader));
    }

    [Fact]
    public async Task An_unknown_cluster_pid_gets_a_clear_error()
    {
        var unknown = await CliRun.RunAsync(["kill", "-c", _c, "3999999"]);
        var malformed = await CliRun.RunAsync(["kill", "-c", _c, "12"]);

        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no process with cluster PID 3999999 in the cluster", unknown.Output, StringComparison.Ordinal);
        Assert.Equal(2, malformed.ExitCode);
        Assert.Contains("12 is not a cluster PID", malformed.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_on_an_unknown_node_names_the_nodes()
    {
        var result = await CliRun.RunAsync(["run", "-c", _c, "--node", "node9", "--", "true"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no node \"node9\" (nodes: node1, node2, node3)", result.Output, StringComparison.Ordinal);
    }

    private async Task<List<JsonElement>> ProcessesAsync()
    {
        var ps = await CliRun.RunAsync(["ps", "-c", _c, "-o", "json"]);
        Assert.True(ps.ExitCode == 0, ps.ToString());
        return JsonDocument.Parse(ps.StandardOutput).RootElement.GetProperty("processes").EnumerateArray().ToList();
    }

    private async Task<List<long>> ClusterPidsAsync() =>
        (await ProcessesAsync()).Select(p => p.GetProperty("clusterPid").GetInt64()).ToList();

    private async Task<long> WaitForProcessAsync(string node, string commandLine)
    {
        long found = 0;
        await WaitUntilAsync(async () =>
        {
            found = (await ProcessesAsync())
                .Where(p => p.GetProperty("node").GetString() == node && p.GetProperty("commandLine").GetString() == commandLine)
                .Select(p => p.GetProperty("clusterPid").GetInt64())
                .FirstOrDefault();
            return found != 0;
        });
        return found;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail("the condition did not become true within 10 s");
    }
}

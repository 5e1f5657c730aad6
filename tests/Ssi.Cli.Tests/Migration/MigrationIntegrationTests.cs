using System.Globalization;
using System.Text;
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
            Assert.Single(MigratingCluster.Copies(marker));
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
        Prerequisites.RequireRoot();
        var marker = Marker();
        var (master, slave) = Pty.Open();
        Pty.SetWindowSize(master, 30, 100);
        var pid = Spawner.Start(new SpawnOptions([RepositoryPaths.Cli, "run", "-c", _c, "--node", "node1", "--", "sh", "-c", $"# {marker}\nwhile read l; do echo \"got $l size $(stty size)\"; [ \"$l\" = quit ] && exit 4; done"])
        {
            NewSession = true,
            ControllingTerminal = slave,
            WorkingDirectory = RepositoryPaths.Root,
        });
        var output = new StringBuilder();
        var reader = Task.Factory.StartNew(() =>
        {
            var buffer = new byte[4096];
            int n;
            while ((n = FileDescriptor.Read(master, buffer)) > 0)
            {
                lock (output)
                {
                    output.Append(Encoding.UTF8.GetString(buffer, 0, n));
                }
            }
        }, TaskCreationOptions.LongRunning);

        async Task Expect(string text)
        {
            for (var i = 0; i < 100 && !Contains(text); i++)
            {
                await Task.Delay(100);
            }

            Assert.True(Contains(text), $"'{text}' never came; output: {output}");
        }

        bool Contains(string text)
        {
            lock (output)
            {
                return output.ToString().Contains(text, StringComparison.Ordinal);
            }
        }

        await Task.Delay(1500);
        FileDescriptor.WriteAll(master, "one\n"u8);
        await Expect("got one size 30 100");
        var (cpid, _, _) = await cluster.WaitForAsync(marker);

        var status = await cluster.MigrateAsync(cpid, "node2");
        Assert.Contains(status.GetProperty("plan").EnumerateArray(), p => p.GetProperty("kind").GetString() == "tty" && p.GetProperty("action").GetString() == "stay-home");
        FileDescriptor.WriteAll(master, "two\n"u8);
        await Expect("got two size 30 100");

        await cluster.MigrateAsync(cpid, "node3");
        Pty.SetWindowSize(master, 40, 120);
        await Task.Delay(1000);
        FileDescriptor.WriteAll(master, "three\n"u8);
        await Expect("got three size 40 120");

        FileDescriptor.WriteAll(master, "quit\n"u8);
        var exit = await Task.Run(() => ChildProcess.Wait(pid)!.Value.Status);
        FileDescriptor.Close(master);
        await reader;
        Assert.Equal(4, exit.Code);
    }

    [Fact]
    public async Task A_workload_with_a_blocker_gets_a_plan_that_names_it_and_is_not_frozen()
    {
        var marker = Marker();
        await CliRun.RunAsync(["run", "-d", "-c", _c, "--node", "node1", "--", "sh", "-c", $"# {marker}\nexec python3 -c 'import socket,time; s=socket.socket(); s.bind((\"127.0.0.1\",0)); s.listen(); time.sleep(600)'"]);
        var (cpid, _, _) = await cluster.WaitForAsync("import socket");

        var result = await CliRun.RunAsync(["migrate", cpid.ToString(CultureInfo.InvariantCulture), "--to", "node2", "-c", _c]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("blocked", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", result.StandardOutput, StringComparison.Ordinal);
        var (_, node, state) = (await cluster.FindAsync("import socket"))!.Value;
        Assert.Equal("node1", node);
        Assert.NotEqual("T", state);
        await CliRun.RunAsync(["kill", "-c", _c, cpid.ToString(CultureInfo.InvariantCulture)]);
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
}

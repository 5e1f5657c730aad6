using System.Globalization;
using Ssi.Agent.Native;
using Ssi.Cli.Tests.Local;
using Ssi.Testing;

namespace Ssi.Cli.Tests.Migration;

/// <summary>
/// Faults injected at every step of a migration (agents that die, a restore that fails, the link
/// between the nodes cut): afterwards exactly one copy runs and its descriptors work.
/// </summary>
[Collection(LocalClusterCollection.Name)]
public sealed class MigrationFaultTests
{
    [Theory]
    [InlineData("SSI_FAULT_RESTORE", "fail")]
    [InlineData("SSI_FAULT", "migration.target.before-restore")]
    [InlineData("SSI_FAULT", "migration.target.after-restore")]
    public async Task A_failure_on_the_target_leaves_exactly_the_original_running_with_its_pipes(string variable, string value)
    {
        var cluster = new MigratingCluster { AgentEnvironment = new() { [variable] = value } };
        await cluster.InitializeAsync();
        try
        {
            await ExpectOriginalSurvivesAsync(cluster, null);
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    /// <summary>
    /// The connections of a loopback TCP conversation inside the workload are left in repair mode
    /// and locked by the dump: a failed restore hands them back, and the original talks on.
    /// </summary>
    [Fact]
    public async Task A_failed_restore_gives_a_loopback_TCP_conversation_back_to_the_original()
    {
        var cluster = new MigratingCluster { AgentEnvironment = new() { ["SSI_FAULT_RESTORE"] = "fail" } };
        await cluster.InitializeAsync();
        try
        {
            var marker = "mk" + Guid.NewGuid().ToString("N")[..10];
            await CliRun.RunAsync(["run", "-d", "-c", cluster.Name, "--node", "node2", "--", .. LoopbackConversation.Command(marker)]);
            var (cpid, _, _) = await cluster.WaitForAsync(marker);
            var count = await LoopbackConversation.ProgressAsync(cluster.Name, marker, 0);

            var status = await cluster.MigrateAsync(cpid, "node3", expectedExit: 1);

            Assert.Equal("RolledBack", status.GetProperty("phase").GetString());
            await LoopbackConversation.ProgressAsync(cluster.Name, marker, count);
            LoopbackConversation.AssertUnbroken(cluster.Name, marker);
            Assert.Equal("node2", await cluster.NodeOfAsync(cpid));
            using var nft = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("ip", ["netns", "exec", $"ssi.{cluster.Name}.node2", "nft", "list", "tables"]) { RedirectStandardOutput = true })!;
            var tables = await nft.StandardOutput.ReadToEndAsync();
            await nft.WaitForExitAsync();
            Assert.DoesNotContain("CRIU-", tables, StringComparison.Ordinal);
            await CliRun.RunAsync(["kill", "-c", cluster.Name, cpid.ToString(CultureInfo.InvariantCulture)]);
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    /// <summary>
    /// ^C on `ssi migrate` while the target restores (a restore that never ends): the undo runs to
    /// its end although the caller gave up, so the original runs again instead of staying stopped.
    /// </summary>
    [Fact]
    public async Task An_interrupted_migrate_rolls_back_and_leaves_exactly_the_original_running()
    {
        var cluster = new MigratingCluster { AgentEnvironment = new() { ["SSI_FAULT_RESTORE"] = "hang" } };
        await cluster.InitializeAsync();
        try
        {
            var marker = "mk" + Guid.NewGuid().ToString("N")[..10];
            await CliRun.RunAsync(["run", "-d", "-c", cluster.Name, "--node", "node1", "--", "sh", "-c", $"i=0; while true; do echo {marker} $i >> /ssi/{marker}.log; i=$((i+1)); sleep 0.05; done"]);
            var (cpid, _, _) = await cluster.WaitForAsync(marker);

            using var migrate = CliRun.Start(["migrate", cpid.ToString(CultureInfo.InvariantCulture), "--to", "node2", "-c", cluster.Name]);
            var stopped = false;
            for (var i = 0; i < 200 && !stopped; i++)
            {
                await Task.Delay(50);
                stopped = MigratingCluster.Copies(marker) is [{ State: 'T' }];
            }

            Assert.True(stopped, "the original was never frozen for the dump");
            await Task.Delay(500); // into the restore, which hangs
            ProcessSignals.Send(migrate.Pid, ProcessSignals.SIGINT); // ^C
            var result = await migrate.WaitAsync(TimeSpan.FromSeconds(40));

            Assert.True(result.ExitCode == 1, result.ToString());
            Assert.Contains("Rolled", result.StandardOutput + result.StandardError, StringComparison.OrdinalIgnoreCase);
            var copies = await MigratingCluster.CopiesSettledAsync(marker); // the loop's forks, as below
            Assert.Single(copies);
            Assert.NotEqual('T', copies[0].State);
            Assert.Equal("node1", await cluster.NodeOfAsync(cpid));
            await CliRun.RunAsync(["kill", "-c", cluster.Name, cpid.ToString(CultureInfo.InvariantCulture)]);
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    /// <summary>
    /// The source agent dies (its relayed pipes die with it, so the workload here writes a shared
    /// file): the original left stopped by the dump is resumed, no copy appears on the target.
    /// </summary>
    [Theory]
    [InlineData("migration.source.before-dump")]
    [InlineData("migration.source.after-dump")]
    public async Task The_death_of_the_source_agent_leaves_exactly_the_original_running(string point)
    {
        var cluster = new MigratingCluster { AgentEnvironment = new() { ["SSI_FAULT"] = point } };
        await cluster.InitializeAsync();
        try
        {
            var marker = "mk" + Guid.NewGuid().ToString("N")[..10];
            await CliRun.RunAsync(["run", "-d", "-c", cluster.Name, "--node", "node2", "--", "sh", "-c", $"i=0; while true; do echo {marker} $i >> /ssi/{marker}.log; i=$((i+1)); sleep 0.05; done"]);
            var (cpid, _, _) = await cluster.WaitForAsync(marker);

            var result = await CliRun.RunAsync(["migrate", cpid.ToString(CultureInfo.InvariantCulture), "--to", "node3", "-c", cluster.Name, "-o", "json"], timeout: TimeSpan.FromMinutes(3));

            Assert.True(result.ExitCode == 1, result.ToString());
            Assert.Contains("RolledBack", result.StandardOutput, StringComparison.Ordinal);
            // Settled: the loop's shell forks for each sleep, and a child between fork and exec looks like a second copy.
            var copies = await MigratingCluster.CopiesSettledAsync(marker);
            Assert.Single(copies);
            Assert.NotEqual('T', copies[0].State);
            // It runs (its writes now fail: node2's shared-filesystem mount died with the agent); nothing runs on node3.
            ProcessSignals.Send(copies[0].Pid, ProcessSignals.SIGKILL);
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task When_the_node_a_workload_moved_to_loses_its_agent_the_caller_and_the_peers_at_home_get_an_end_not_a_hang()
    {
        var cluster = new MigratingCluster();
        await cluster.InitializeAsync();
        try
        {
            var marker = "mk" + Guid.NewGuid().ToString("N")[..10];
            using var run = new InteractiveRun(["run", "-c", cluster.Name, "--node", "node1", "--", "sh", "-c", $"# {marker}\nwhile read l; do echo \"got $l\"; done"]);
            await run.SendAsync("before");
            await run.WaitForOutputAsync("got before");
            var (cpid, _, _) = await cluster.WaitForAsync(marker);
            var result = await CliRun.RunAsync(["migrate", cpid.ToString(CultureInfo.InvariantCulture), "--to", "node2", "-c", cluster.Name]);
            Assert.True(result.ExitCode == 0, result.ToString());
            await run.SendAsync("moved");
            await run.WaitForOutputAsync("got moved");

            ProcessSignals.Send(await cluster.AgentPidAsync(1), ProcessSignals.SIGKILL);

            // The relays to node2 break: the caller's `ssi run` ends (255) instead of waiting for ever.
            Assert.Equal(255, await run.WaitForExitAsync());
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_restore_whose_report_never_reaches_the_source_still_moves_the_process_exactly_once()
    {
        // The source waits on its link to the target for the restore's report before it commits; the
        // link ends without it. The coordinator asks both: the copy is restored, the original stopped,
        // so it commits itself and the move completes.
        var cluster = new MigratingCluster { AgentEnvironment = new() { [FaultInjection.Variable] = "migration.target.no-restored-report" } };
        await cluster.InitializeAsync();
        try
        {
            var marker = "mk" + Guid.NewGuid().ToString("N")[..10];
            var cpid = await cluster.StartWriterAsync(marker, "node1");

            var result = await CliRun.RunAsync(["migrate", cpid.ToString(CultureInfo.InvariantCulture), "--to", "node2", "-c", cluster.Name, "-o", "json"], timeout: TimeSpan.FromMinutes(3));

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("Succeeded", result.StandardOutput, StringComparison.Ordinal);
            var (_, node, _) = await cluster.WaitForAsync(marker);
            Assert.Equal("node2", node);
            var copies = await MigratingCluster.CopiesSettledAsync(marker);
            Assert.True(copies.Count == 1 && copies[0].State != 'T', $"copies: {string.Join(", ", copies)}");
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task Cutting_the_link_between_source_and_target_rolls_back()
    {
        var cluster = new MigratingCluster();
        await cluster.InitializeAsync();
        try
        {
            // Images go agent to agent: with node2's link down the transfer fails, the original resumes.
            await ExpectOriginalSurvivesAsync(cluster, async () => await Ip("netns", "exec", $"ssi.{cluster.Name}.node2", "ip", "link", "set", "eth0", "down"));
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    private static async Task ExpectOriginalSurvivesAsync(MigratingCluster cluster, Func<Task>? beforeMigration)
    {
        var marker = "mk" + Guid.NewGuid().ToString("N")[..10];
        using var run = new InteractiveRun(["run", "-c", cluster.Name, "--node", "node1", "--", "sh", "-c", $"# {marker}\nwhile read l; do echo \"got $l\"; done; exit 3"]);
        await run.SendAsync("before");
        await run.WaitForOutputAsync("got before");
        var (cpid, _, _) = await cluster.WaitForAsync(marker);
        if (beforeMigration is not null)
        {
            await beforeMigration();
        }

        var result = await CliRun.RunAsync(["migrate", cpid.ToString(CultureInfo.InvariantCulture), "--to", "node2", "-c", cluster.Name, "-o", "json"], timeout: TimeSpan.FromMinutes(3));

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("RolledBack", result.StandardOutput, StringComparison.Ordinal);
        var copies = await MigratingCluster.CopiesSettledAsync(marker);
        Assert.Single(copies);
        Assert.NotEqual('T', copies[0].State);
        await run.SendAsync("after");
        await run.WaitForOutputAsync("got after");
        run.CloseInput();
        Assert.Equal(3, await run.WaitForExitAsync());
    }

    private static async Task Ip(params string[] arguments)
    {
        using var process = System.Diagnostics.Process.Start("ip", arguments);
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
    }
}

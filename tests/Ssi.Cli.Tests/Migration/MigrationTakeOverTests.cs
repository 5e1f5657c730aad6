using System.Globalization;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Native;
using Ssi.Api.V1Alpha1;
using Ssi.Cli.Local;
using Ssi.Cli.Tests.Local;
using Ssi.Orchestration.Migration;
using Ssi.Testing;

namespace Ssi.Cli.Tests.Migration;

/// <summary>
/// A coordinator stops for good right after announcing a phase (as an operator leader that dies
/// after writing status), with real agents and real CRIU; a second coordinator takes the attempt
/// over from that phase and the agents' answers. Exactly one copy runs afterwards, where it should.
/// The target ignores the source's Resume after the commit (as if their link broke), so that the
/// coordinator's Resume, and a coordinator dying before it, are what is tested.
/// </summary>
[Collection(LocalClusterCollection.Name)]
public sealed class MigrationTakeOverTests(MigrationTakeOverTests.WithoutLinkResume cluster) : IClassFixture<MigrationTakeOverTests.WithoutLinkResume>
{
    /// <summary>A migrating cluster whose targets do not resume a copy when the source says so over their link.</summary>
    public sealed class WithoutLinkResume : MigratingCluster
    {
        public WithoutLinkResume() => AgentEnvironment = new() { [FaultInjection.Variable] = "migration.target.no-link-resume" };
    }

    [Theory]
    // The target restores as soon as the images are in: a coordinator that dies after the checkpoint
    // leaves a restored copy and a stopped original, and its successor goes on (once the restore ended).
    [InlineData(MigrationPhases.Restoring, MigrationPhases.Succeeded, "node2")]
    [InlineData(MigrationPhases.Committing, MigrationPhases.Succeeded, "node2")]
    [InlineData(MigrationPhases.Resuming, MigrationPhases.Succeeded, "node2")]
    public async Task A_second_coordinator_finishes_or_rolls_back_what_the_first_left_in_flight(string diesAt, string ends, string runsOn)
    {
        var marker = "mk" + Guid.NewGuid().ToString("N")[..10];
        var cpid = await cluster.StartWriterAsync(marker, "node1");
        using var connector = cluster.Connector();
        var request = new MigrationRequest(cpid, "node2", ProcessMigrationSpec.ModeStopCopy, false, "takeover-" + marker);

        var first = new MigrationCoordinator(connector, new LocalStrandedProcesses(), TimeProvider.System);
        await Assert.ThrowsAsync<CoordinatorDied>(() => first.RunAsync(request, new DiesAt(diesAt), CancellationToken.None));
        var left = MigratingCluster.Copies(marker);
        Assert.Contains(left, c => c.State == 'T'); // the original (and, past the restore, the copy) are stopped

        var second = new MigrationCoordinator(connector, new LocalStrandedProcesses(), TimeProvider.System);
        var outcome = await second.ResumeAsync(request, new InterruptedAttempt(diesAt, "node1"), new DiesAt(null), CancellationToken.None);
        for (var i = 0; i < 100 && outcome.Phase == diesAt; i++)
        {
            // An agent was still inside a step (the restore): ask again, as the operator requeues.
            Assert.Contains("still", outcome.Message, StringComparison.Ordinal);
            await Task.Delay(100);
            outcome = await second.ResumeAsync(request, new InterruptedAttempt(diesAt, "node1"), new DiesAt(null), CancellationToken.None);
        }

        Assert.True(outcome.Phase == ends, outcome.Message);
        Assert.Contains($"taken over in phase {diesAt}", outcome.Message, StringComparison.Ordinal);
        var (_, node, state) = await cluster.WaitForAsync(marker);
        Assert.Equal(runsOn, node);
        Assert.NotEqual("T", state);
        var copies = await MigratingCluster.CopiesSettledAsync(marker);
        Assert.True(copies.Count == 1 && copies[0].State != 'T', $"copies: {string.Join(", ", copies)}");

        // The first coordinator, acting late (a leader that lost its lease), is refused by both agents.
        foreach (var (agent, late) in new (string, Func<Agent.Contracts.V1.Migration.MigrationClient, Task>)[]
        {
            ("node1", c => c.RollbackAsync(new AttemptRequest { AttemptId = request.AttemptId }).ResponseAsync),
            ("node2", c => c.AbortAsync(new AttemptRequest { AttemptId = request.AttemptId }).ResponseAsync),
        })
        {
            var stale = new Agent.Contracts.V1.Migration.MigrationClient(connector.ChannelFor(agent).Intercept(h =>
            {
                h.Add(MigrationCoordinator.EpochHeader, "1");
                return h;
            }));
            var refused = await Assert.ThrowsAsync<RpcException>(() => late(stale));
            Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        }

        var lines = await LineCountAsync(marker);
        for (var i = 0; i < 100 && await LineCountAsync(marker) <= lines; i++)
        {
            await Task.Delay(100);
        }

        Assert.True(await LineCountAsync(marker) > lines, $"the surviving copy writes on ({lines} lines; {Describe(copies[0].Pid)})");
        ProcessSignals.Send(copies[0].Pid, ProcessSignals.SIGKILL);
    }

    /// <summary>State and wait channel of a process and its children, for a failure message.</summary>
    private static string Describe(int pid) =>
        string.Join("; ", new[] { pid }.Concat(File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse))
            .Select(p => $"{p}: {TryRead($"/proc/{p}/stat")} wchan={TryRead($"/proc/{p}/wchan")}"));

    private static string TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (IOException)
        {
            return "gone";
        }
    }

    private Task<int> LineCountAsync(string marker) =>
        File.ReadAllLinesAsync(Path.Combine($"/var/lib/ssi-operator/{cluster.Name}/cfs", $"{marker}.log")).ContinueWith(t => t.Result.Length, TaskScheduler.Default);

    /// <summary>Reports nothing and stops the coordinator for good once it announces <paramref name="phase"/>.</summary>
    private sealed class DiesAt(string? phase) : IMigrationObserver
    {
        public Task OnPhaseAsync(MigrationOutcome outcome, CancellationToken cancellationToken) =>
            outcome.Phase == phase ? throw new CoordinatorDied() : Task.CompletedTask;
    }

    private sealed class CoordinatorDied : Exception;
}

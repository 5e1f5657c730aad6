using k8s.Models;
using Ssi.Api.V1Alpha1;

namespace Ssi.Operator.Tests.Integration;

/// <summary>
/// Leader 1 runs a migration through the real coordinator against <see cref="FakeMigrationAgents"/>
/// and dies inside a step; leader 2 takes the attempt over from its recorded phase and the agents'
/// answers, and the workload ends with exactly one running copy.
/// </summary>
public sealed class ProcessMigrationTakeOverTests : IAsyncLifetime
{
    private OperatorScenario _s = null!;

    private FakeMigrationAgents Agents => _s.Agents;

    public async Task InitializeAsync() => _s = await OperatorScenario.StartAsync(withAgents: true);

    public async Task DisposeAsync() => await _s.DisposeAsync();

    private ProcessMigrationStatus? Status => _s.GetMigration("move")?.Status;

    /// <summary>Leader 1 starts the move to node2 and dies when an agent call reaches <paramref name="hangAt"/>; returns the phase it left; leader 2 starts.</summary>
    private async Task<string?> FirstLeaderDiesAtAsync(string hangAt)
    {
        Agents.HangAt = hangAt;
        var first = await _s.ReadyClusterAsync(Agents);
        await _s.CreateAsync(OperatorScenario.Migration("move", "node2"));
        await Agents.Hung.Task.WaitAsync(TimeSpan.FromSeconds(60));

        // A crash: nothing more from leader 1 reaches the agents.
        Agents.Crashed["operator-a"] = true;
        await first.StopAsync();
        Agents.HangAt = null;
        var left = Status?.Phase;
        await _s.StartOperatorAsync("operator-b", Agents);
        return left;
    }

    private void AssertOneRunningCopyOn(string node) =>
        Assert.Equal([KeyValuePair.Create(node, true)], Agents.Copies.ToArray());

    [Fact]
    public async Task When_the_source_resumed_the_copy_at_commit_the_coordinator_does_not_call_Resume()
    {
        Agents.SourceResumesTarget = true;
        await _s.ReadyClusterAsync(Agents);

        await _s.CreateAsync(OperatorScenario.Migration("move", "node2"));

        await OperatorScenario.Eventually(() => Status?.Phase == "Succeeded", "Succeeded");
        AssertOneRunningCopyOn("node2");
        Assert.Equal(0, Agents.ResumeCalls);
        Assert.Equal(42, Status!.FreezeMs); // from the freeze to when the target let the copy run, as it says
    }

    [Fact]
    public async Task When_the_source_ordered_the_restore_the_coordinator_calls_neither_Restore_nor_Resume()
    {
        Agents.OrdersRestore = true;
        Agents.SourceResumesTarget = true;
        await _s.ReadyClusterAsync(Agents);

        await _s.CreateAsync(OperatorScenario.Migration("move", "node2"));

        await OperatorScenario.Eventually(() => Status?.Phase == "Succeeded", "Succeeded");
        AssertOneRunningCopyOn("node2");
        Assert.Equal((0, 0), (Agents.RestoreCalls, Agents.ResumeCalls));
    }

    [Fact]
    public async Task When_the_restore_the_source_ordered_fails_the_source_does_not_commit_and_the_move_rolls_back()
    {
        Agents.OrdersRestore = true;
        Agents.FailRestore = true;
        await _s.ReadyClusterAsync(Agents);

        await _s.CreateAsync(OperatorScenario.Migration("move", "node2"));

        await OperatorScenario.Eventually(() => Status?.Phase == "RolledBack", "RolledBack");
        AssertOneRunningCopyOn("node1");
        Assert.Contains("criu restore failed (fake)", Status!.Message, StringComparison.Ordinal);
        Assert.Contains("runs on node1 as before", Status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_leader_finishes_an_attempt_whose_source_resumed_the_copy_before_its_predecessor_died()
    {
        Agents.SourceResumesTarget = true;
        var left = await FirstLeaderDiesAtAsync("commit-done");

        await OperatorScenario.Eventually(() => Status?.Phase == "Succeeded", "Succeeded by leader 2");
        Assert.Equal("Committing", left);
        AssertOneRunningCopyOn("node2");
        Assert.Equal(0, Agents.ResumeCalls);
    }

    [Fact]
    public async Task A_new_leader_rolls_back_an_attempt_its_predecessor_left_before_the_restore()
    {
        var left = await FirstLeaderDiesAtAsync("restore");

        await OperatorScenario.Eventually(() => Status?.Phase == "RolledBack", "RolledBack by leader 2");
        Assert.Equal("Restoring", left);
        AssertOneRunningCopyOn("node1");
        Assert.Contains("taken over in phase Restoring", Status!.Message, StringComparison.Ordinal);
        Assert.Contains("runs on node1 as before", Status.Message, StringComparison.Ordinal);
        Assert.Equal("False", Status.Conditions!.Single().Status);
    }

    [Fact]
    public async Task A_new_leader_carries_on_when_the_copy_was_restored_before_its_predecessor_died()
    {
        var left = await FirstLeaderDiesAtAsync("restore-done");

        await OperatorScenario.Eventually(() => Status?.Phase == "Succeeded", "Succeeded by leader 2");
        Assert.Equal("Restoring", left);
        AssertOneRunningCopyOn("node2");
        Assert.Contains("the move goes on", Status!.Message, StringComparison.Ordinal);
        Assert.Equal(("Succeeded", "True"), (Status.Conditions!.Single().Type, Status.Conditions!.Single().Status));
        Assert.NotNull(Status.FreezeMs);
    }

    [Fact]
    public async Task A_new_leader_waits_while_the_target_is_still_restoring_then_carries_on()
    {
        var left = await FirstLeaderDiesAtAsync("restoring");

        await OperatorScenario.Eventually(() => Status?.Message?.Contains("still restoring", StringComparison.Ordinal) == true, "leader 2 waits");
        Assert.Equal("Restoring", left);
        Assert.Equal("Restoring", Status!.Phase);

        // criu finishes on the target: the copy is restored, stopped.
        Agents.Attempts[("node2", Status.AttemptId!)] = Ssi.Agent.Contracts.V1.AttemptState.Restored;
        Agents.Copies["node2"] = false;

        await OperatorScenario.Eventually(() => Status?.Phase == "Succeeded", "Succeeded by leader 2");
        AssertOneRunningCopyOn("node2");
    }

    [Fact]
    public async Task A_new_leader_finishes_an_attempt_left_after_the_commit()
    {
        var left = await FirstLeaderDiesAtAsync("commit-done");

        await OperatorScenario.Eventually(() => Status?.Phase == "Succeeded", "Succeeded by leader 2");
        Assert.Equal("Committing", left);
        AssertOneRunningCopyOn("node2");
        Assert.Contains("the copy on the target resumes", Status!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_leader_resumes_the_copy_its_predecessor_was_resuming()
    {
        var left = await FirstLeaderDiesAtAsync("resume");

        await OperatorScenario.Eventually(() => Status?.Phase == "Succeeded", "Succeeded by leader 2");
        Assert.Equal("Resuming", left);
        AssertOneRunningCopyOn("node2");
    }

    [Fact]
    public async Task A_migration_runs_through_the_real_coordinator_to_its_end()
    {
        await _s.ReadyClusterAsync(Agents);

        await _s.CreateAsync(OperatorScenario.Migration("move", "node3"));

        await OperatorScenario.Eventually(() => Status?.Phase == "Succeeded", "Succeeded");
        AssertOneRunningCopyOn("node3");
        Assert.Equal(("node1", "stop-copy"), (Status!.SourceNode, Status.Mode));
    }
}

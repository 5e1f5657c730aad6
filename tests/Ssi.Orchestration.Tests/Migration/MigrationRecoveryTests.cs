using Ssi.Agent.Contracts.V1;
using Ssi.Orchestration.Migration;

namespace Ssi.Orchestration.Tests.Migration;

/// <summary>The pure decision of a coordinator taking over an attempt: recorded phase + each agent's state → step.</summary>
public sealed class MigrationRecoveryTests
{
    [Theory]
    // Nothing frozen yet: start again.
    [InlineData(MigrationPhases.Planning, AttemptState.Unspecified, AttemptState.Unspecified, RecoveryStep.Restart)]
    [InlineData(MigrationPhases.Pending, AttemptState.Unspecified, AttemptState.Unspecified, RecoveryStep.Restart)]
    // An agent inside a step: wait for it to finish or undo it.
    [InlineData(MigrationPhases.Checkpointing, AttemptState.Checkpointing, AttemptState.Receiving, RecoveryStep.Wait)]
    [InlineData(MigrationPhases.Restoring, AttemptState.Checkpointed, AttemptState.Restoring, RecoveryStep.Wait)]
    // Before the point of no return, without a restored copy: roll back.
    [InlineData(MigrationPhases.Checkpointing, AttemptState.Unspecified, AttemptState.Unspecified, RecoveryStep.RollBack)]
    [InlineData(MigrationPhases.Checkpointing, AttemptState.RolledBack, AttemptState.Aborted, RecoveryStep.RollBack)]
    [InlineData(MigrationPhases.Restoring, AttemptState.Checkpointed, AttemptState.Receiving, RecoveryStep.RollBack)]
    [InlineData(MigrationPhases.Restoring, AttemptState.Checkpointed, AttemptState.Aborted, RecoveryStep.RollBack)]
    [InlineData(MigrationPhases.Restoring, AttemptState.Checkpointed, AttemptState.Unspecified, RecoveryStep.RollBack)]
    [InlineData(MigrationPhases.Restoring, AttemptState.Unspecified, AttemptState.Restored, RecoveryStep.RollBack)]
    [InlineData(MigrationPhases.Committing, AttemptState.RolledBack, AttemptState.Aborted, RecoveryStep.RollBack)]
    // Both sides as a successful restore leaves them: go on.
    [InlineData(MigrationPhases.Restoring, AttemptState.Checkpointed, AttemptState.Restored, RecoveryStep.Commit)]
    [InlineData(MigrationPhases.Committing, AttemptState.Checkpointed, AttemptState.Restored, RecoveryStep.Commit)]
    // After the point of no return: finish.
    [InlineData(MigrationPhases.Committing, AttemptState.Committed, AttemptState.Restored, RecoveryStep.Resume)]
    [InlineData(MigrationPhases.Resuming, AttemptState.Committed, AttemptState.Restored, RecoveryStep.Resume)]
    [InlineData(MigrationPhases.Resuming, AttemptState.Unspecified, AttemptState.Restored, RecoveryStep.Resume)]
    [InlineData(MigrationPhases.Resuming, AttemptState.Committed, AttemptState.Resumed, RecoveryStep.Succeeded)]
    [InlineData(MigrationPhases.Resuming, AttemptState.Unspecified, AttemptState.Resumed, RecoveryStep.Succeeded)]
    // The answers do not say where the process is: touch nothing.
    [InlineData(MigrationPhases.Committing, AttemptState.Unspecified, AttemptState.Restored, RecoveryStep.Unknown)]
    [InlineData(MigrationPhases.Resuming, AttemptState.Committed, AttemptState.Unspecified, RecoveryStep.Unknown)]
    [InlineData(MigrationPhases.Resuming, AttemptState.Unspecified, AttemptState.Unspecified, RecoveryStep.Unknown)]
    public void Decide_maps_the_recorded_phase_and_the_agents_states_to_one_step(string phase, AttemptState source, AttemptState target, RecoveryStep expected)
    {
        var decision = MigrationRecovery.Decide(phase, source, target);

        Assert.Equal(expected, decision.Step);
        Assert.EndsWith(".", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_never_commits_or_resumes_without_a_restored_copy_on_the_target()
    {
        string[] phases = [MigrationPhases.Planning, MigrationPhases.Checkpointing, MigrationPhases.Restoring, MigrationPhases.Committing, MigrationPhases.Resuming];
        foreach (var phase in phases)
        {
            foreach (var source in Enum.GetValues<AttemptState>())
            {
                foreach (var target in Enum.GetValues<AttemptState>().Where(t => t != AttemptState.Restored))
                {
                    var step = MigrationRecovery.Decide(phase, source, target).Step;
                    Assert.True(step is not (RecoveryStep.Commit or RecoveryStep.Resume), $"{phase}, source {source}, target {target} → {step}");
                }
            }
        }
    }

    [Fact]
    public void Decide_never_rolls_back_once_the_source_committed()
    {
        foreach (var phase in new[] { MigrationPhases.Checkpointing, MigrationPhases.Restoring, MigrationPhases.Committing, MigrationPhases.Resuming })
        {
            foreach (var target in Enum.GetValues<AttemptState>())
            {
                var step = MigrationRecovery.Decide(phase, AttemptState.Committed, target).Step;
                Assert.NotEqual(RecoveryStep.RollBack, step);
                Assert.NotEqual(RecoveryStep.Restart, step);
            }
        }
    }
}

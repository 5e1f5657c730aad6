using Ssi.Agent.Contracts.V1;

namespace Ssi.Orchestration.Migration;

/// <summary>
/// How a coordinator that takes over an attempt left in flight goes on, from the phase the previous
/// one recorded and what each agent says of the attempt (<see cref="AttemptState.Unspecified"/>: the
/// agent knows nothing of it). Pure. Before the point of no return the attempt rolls back unless
/// both sides stand exactly where a successful restore leaves them (then it goes forward, as the
/// previous coordinator would have); after it, the target's copy is made to run. Never zero
/// copies, never two: where the answers do not say where the process is, nothing is touched.
/// </summary>
public static class MigrationRecovery
{
    public static RecoveryDecision Decide(string phase, AttemptState source, AttemptState target)
    {
        if (source == AttemptState.Checkpointing)
        {
            return new(RecoveryStep.Wait, "the source is still checkpointing.");
        }

        if (target == AttemptState.Restoring)
        {
            return new(RecoveryStep.Wait, "the target is still restoring.");
        }

        if (phase is "" or MigrationPhases.Pending or MigrationPhases.Planning)
        {
            return source == AttemptState.Unspecified && target == AttemptState.Unspecified
                ? new(RecoveryStep.Restart, "nothing had been frozen; the attempt starts again.")
                : new(RecoveryStep.RollBack, "the agents had begun an attempt the record did not announce; it is undone.");
        }

        return source switch
        {
            AttemptState.Committed => target switch
            {
                AttemptState.Restored => new(RecoveryStep.Resume, "the original had ended; the copy on the target resumes."),
                AttemptState.Resumed => new(RecoveryStep.Succeeded, "both sides had finished."),
                _ => new(RecoveryStep.Unknown, $"the original ended on the source but the target holds no copy ({Name(target)})."),
            },
            AttemptState.RolledBack => new(RecoveryStep.RollBack, "the source had already let the original run again."),
            AttemptState.Checkpointed => target == AttemptState.Restored
                ? new(RecoveryStep.Commit, "the copy was restored and the original is stopped, as after a successful restore; the move goes on.")
                : new(RecoveryStep.RollBack, $"the target holds no restored copy ({Name(target)}); before the point of no return the original runs again."),
            _ => UnknownSource(phase, target),
        };
    }

    /// <summary>The source agent knows nothing of the attempt: the checkpoint never reached it, or it restarted.</summary>
    private static RecoveryDecision UnknownSource(string phase, AttemptState target) => phase switch
    {
        MigrationPhases.Checkpointing or MigrationPhases.Restoring =>
            new(RecoveryStep.RollBack, "the source agent knows nothing of the attempt (nothing was frozen there, or it restarted); the target drops what it has."),
        MigrationPhases.Resuming when target == AttemptState.Restored =>
            new(RecoveryStep.Resume, "the commit had returned; the copy on the target resumes."),
        MigrationPhases.Resuming when target == AttemptState.Resumed =>
            new(RecoveryStep.Succeeded, "the copy on the target runs."),
        _ => new(RecoveryStep.Unknown, $"the source agent knows nothing of the attempt and the target's copy is {Name(target)}: whether the original ended cannot be told."),
    };

    private static string Name(AttemptState state) => state == AttemptState.Unspecified ? "unknown there" : state.ToString();
}

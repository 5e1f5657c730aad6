namespace Ssi.Orchestration.Migration;

/// <summary>What a coordinator that took over does with an attempt another one left in flight.</summary>
public enum RecoveryStep
{
    /// <summary>Nothing was frozen or sent: run the attempt from the start.</summary>
    Restart,

    /// <summary>An agent is still in the middle of a step (criu running): ask again later.</summary>
    Wait,

    /// <summary>Before the point of no return: the target drops its copy, the source lets the original run.</summary>
    RollBack,

    /// <summary>The target holds a restored, stopped copy and the source the stopped original: commit, then resume.</summary>
    Commit,

    /// <summary>The original ended (committed): let the target's copy run.</summary>
    Resume,

    /// <summary>Both sides already finished the move.</summary>
    Succeeded,

    /// <summary>The agents' answers do not tell where the process is (an agent restarted): nothing is touched.</summary>
    Unknown,
}

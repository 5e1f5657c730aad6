namespace Ssi.Orchestration.Migration;

/// <summary>The step a taking-over coordinator runs, and why (a sentence for the status message).</summary>
public sealed record RecoveryDecision(RecoveryStep Step, string Reason);

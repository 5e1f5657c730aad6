namespace Ssi.Controller.Runtime.Reconciling;

/// <summary>What the work queue does with the key after a reconcile.</summary>
public sealed record ReconcileResult
{
    private ReconcileResult(TimeSpan? requeueAfter, bool requeue, string? terminalReason)
    {
        RequeueAfterDelay = requeueAfter;
        Requeue = requeue;
        TerminalReason = terminalReason;
    }

    public TimeSpan? RequeueAfterDelay { get; }

    /// <summary>Requeue with the key's exponential backoff.</summary>
    public bool Requeue { get; }

    /// <summary>Set when retrying cannot help (an invalid spec): not requeued until the object changes.</summary>
    public string? TerminalReason { get; }

    public static ReconcileResult Done { get; } = new(null, false, null);

    public static ReconcileResult RequeueWithBackoff { get; } = new(null, true, null);

    public static ReconcileResult RequeueAfter(TimeSpan delay) => new(delay, false, null);

    public static ReconcileResult Terminal(string reason) => new(null, false, reason);
}

namespace Ssi.Agent.Filesystem.Forwarding;

/// <summary>
/// A home request handler whose forwarded requests can block for long (lock waits): it is told when the
/// kernel of node <c>origin</c> interrupts one. Uniques are per node, so the node index is part of the key.
/// </summary>
internal interface IForwardedInterruptHandler
{
    /// <summary>Request <paramref name="unique"/> of node <paramref name="origin"/> was interrupted; false when it is not (yet) in progress.</summary>
    bool Interrupt(int origin, ulong unique);
}

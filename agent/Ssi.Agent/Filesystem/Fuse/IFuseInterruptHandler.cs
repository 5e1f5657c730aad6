namespace Ssi.Agent.Filesystem.Fuse;

/// <summary>A request handler whose requests can block (device reads): it is told when the kernel interrupts one.</summary>
internal interface IFuseInterruptHandler
{
    /// <summary>The request <paramref name="unique"/> was interrupted by a signal; false when it is not (or no longer) in progress.</summary>
    bool Interrupt(ulong unique);
}

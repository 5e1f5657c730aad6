namespace Ssi.Agent.Filesystem.Locks;

/// <summary>A blocking lock request that waits: request <paramref name="Unique"/> of node <paramref name="Node"/>'s kernel, told the outcome (0 granted, or an errno) once.</summary>
internal sealed record LockWait(int Node, ulong Unique, Action<int> Complete);

using Ssi.Agent.Filesystem.Fuse;

namespace Ssi.Agent.Filesystem.Forwarding;

/// <summary>Decisions of a forwarding node about single requests: pure functions of the request.</summary>
internal static class ForwardingPolicy
{
    /// <summary>
    /// How long a forwarded request may wait for the home before it fails with EIO; null: as long as the
    /// link lives (a lock wait blocks until the lock is free or the caller is interrupted).
    /// </summary>
    public static TimeSpan? Deadline(FuseOpcode opcode, TimeSpan timeout) => opcode == FuseOpcode.SetLkW ? null : timeout;
}

using Ssi.Agent.Filesystem.Fuse;

namespace Ssi.Agent.Filesystem.Forwarding;

/// <summary>
/// A request forwarded to the home and not answered yet: sent on link <see cref="Generation"/> (0: not
/// sent yet, its bytes in <see cref="Unsent"/>), failed with EIO at <see cref="Deadline"/> (ms of
/// Environment.TickCount64; long.MaxValue: never), and the cache epoch when it left (see ForwardingCache).
/// </summary>
internal readonly record struct PendingRequest(FuseOpcode Opcode, ulong NodeId, long Deadline, int Generation, long Epoch, byte[]? Unsent);

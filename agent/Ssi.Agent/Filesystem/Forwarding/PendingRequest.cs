using Ssi.Agent.Filesystem.Fuse;

namespace Ssi.Agent.Filesystem.Forwarding;

/// <summary>
/// A request forwarded to the home and not answered yet: sent on link <see cref="Generation"/> (0: not
/// sent yet, its bytes in <see cref="Unsent"/>), failed with EIO at <see cref="Deadline"/> (ms of
/// Environment.TickCount64; long.MaxValue: never), the cache epoch when it left, and the attribute name a
/// GETXATTR asks for (see <see cref="ForwardingCache"/>).
/// </summary>
internal readonly record struct PendingRequest(FuseOpcode Opcode, ulong NodeId, long Deadline, int Generation, long Epoch, byte[]? Unsent, byte[]? Name = null);

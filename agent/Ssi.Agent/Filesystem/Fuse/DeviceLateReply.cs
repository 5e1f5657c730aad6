using Ssi.Agent.Native.Fuse;

namespace Ssi.Agent.Filesystem.Fuse;

/// <summary>Late replies written straight to a kernel's /dev/fuse (the write fails harmlessly when the request was interrupted meanwhile).</summary>
internal sealed class DeviceLateReply(FuseDevice device) : IFuseLateReply
{
    public void Send(ReadOnlySpan<byte> reply) => _ = device.Write(reply);
}

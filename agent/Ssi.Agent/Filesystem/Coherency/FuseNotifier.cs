using Ssi.Agent.Filesystem.Fuse;
using Ssi.Agent.Native.Fuse;

namespace Ssi.Agent.Filesystem.Coherency;

/// <summary>Pushes invalidations into a kernel's FUSE caches (FUSE_NOTIFY_INVAL_INODE / _ENTRY).</summary>
internal static class FuseNotifier
{
    /// <summary>Writes the notification; the result is ignored: an inode or name the kernel does not have (ENOENT) needs nothing.</summary>
    public static void Push(FuseDevice device, in CacheInvalidation invalidation)
    {
        ArgumentNullException.ThrowIfNull(device);
        var buffer = new byte[FuseProtocol.OutHeaderSize + 24 + (invalidation.Name?.Length ?? 0) + 1];
        var message = new FuseReply(buffer);
        if (invalidation.Name is { } name)
        {
            message.U64(invalidation.NodeId);
            message.U32((uint)name.Length);
            message.U32(0);
            message.Bytes(name);
            message.Bytes([0]);
            _ = device.Write(message.Finish(0, FuseProtocol.NotifyInvalEntry));
        }
        else
        {
            message.U64(invalidation.NodeId);
            message.I64(invalidation.Offset);
            message.I64(invalidation.Length);
            _ = device.Write(message.Finish(0, FuseProtocol.NotifyInvalInode));
        }
    }

    /// <summary>FUSE_NOTIFY_POLL: wakes whoever polls the file with kernel poll handle <paramref name="kernelHandle"/> (it polls again).</summary>
    public static int PollWakeup(FuseDevice device, ulong kernelHandle)
    {
        ArgumentNullException.ThrowIfNull(device);
        Span<byte> buffer = stackalloc byte[FuseProtocol.OutHeaderSize + 8];
        return device.Write(FuseReply.PollWakeup(buffer, kernelHandle));
    }
}

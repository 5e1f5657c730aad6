namespace Ssi.Agent.Filesystem.Fuse;

/// <summary>struct fuse_poll_in: which file, the kernel's poll handle, whether to notify, which events.</summary>
internal readonly record struct FusePollIn(ulong FileHandle, ulong KernelHandle, uint Flags, uint Events)
{
    public bool WantsNotify => (Flags & FuseProtocol.PollScheduleNotify) != 0;

    public static FusePollIn Read(scoped ref FuseRequest request) =>
        new(request.U64(), request.U64(), request.U32(), request.U32());
}

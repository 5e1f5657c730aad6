namespace Ssi.Agent.Filesystem.Fuse;

/// <summary>Constants of the FUSE kernel protocol that this server uses.</summary>
internal static class FuseProtocol
{
    public const uint Major = 7;

    /// <summary>7.40 brings passthrough (backing files); the kernel talks the smaller of its and our minor.</summary>
    public const uint Minor = 40;

    public const ulong RootId = 1;
    public const int InHeaderSize = 40;
    public const int OutHeaderSize = 16;
    public const int AttrSize = 88;
    public const int EntryOutSize = 40 + AttrSize;
    public const int AttrOutSize = 16 + AttrSize;
    public const int MaxWrite = 1024 * 1024;
    public const int MaxPages = MaxWrite / 4096;
    public const int BufferSize = MaxWrite + 4096;

    // INIT flags (flags | flags2 << 32).
    public const ulong AsyncRead = 1UL << 0;
    public const ulong PosixLocks = 1UL << 1;
    public const ulong AtomicOTrunc = 1UL << 3;
    public const ulong BigWrites = 1UL << 5;
    public const ulong FlockLocks = 1UL << 10;
    public const ulong DoReaddirplus = 1UL << 13;
    public const ulong ReaddirplusAuto = 1UL << 14;
    public const ulong AsyncDio = 1UL << 15;
    public const ulong ParallelDirops = 1UL << 18;
    public const ulong MaxPagesFlag = 1UL << 22;
    public const ulong CacheSymlinks = 1UL << 23;
    public const ulong InitExt = 1UL << 30;
    public const ulong CreateSuppGroup = 1UL << 34;
    public const ulong Passthrough = 1UL << 37;

    /// <summary>Request extension type FUSE_EXT_GROUPS (struct fuse_supp_groups).</summary>
    public const uint ExtGroups = 32;

    // open_out flags.
    public const uint FopenDirectIo = 1 << 0;
    public const uint FopenKeepCache = 1 << 1;
    public const uint FopenNonseekable = 1 << 2;
    public const uint FopenCacheDir = 1 << 3;
    public const uint FopenStream = 1 << 4;
    public const uint FopenPassthrough = 1 << 7;

    // fuse_lk_in.lk_flags: the request is a flock(2), emulated with POSIX-style requests.
    public const uint LkFlock = 1 << 0;

    // fuse_release_in.release_flags: drop the flocks of lock_owner (the open file) too.
    public const uint ReleaseFlockUnlock = 1 << 1;

    /// <summary>An INTERRUPT's unique is its target's with this bit set (targets' are even).</summary>
    public const ulong InterruptBit = 1;

    // fuse_ioctl_in.flags.
    public const uint IoctlCompat = 1 << 0;
    public const uint IoctlUnrestricted = 1 << 1;
    public const uint IoctlRetry = 1 << 2;
    public const uint Ioctl32Bit = 1 << 3;
    public const uint IoctlDir = 1 << 4;

    // fuse_poll_in.flags: the kernel wants FUSE_NOTIFY_POLL for kh when readiness changes.
    public const uint PollScheduleNotify = 1 << 0;

    // Notifications (written to /dev/fuse with unique 0 and the code in the error field).
    public const int NotifyPoll = 1;
    public const int NotifyInvalInode = 2;
    public const int NotifyInvalEntry = 3;
    public const int NotifyDelete = 6;
}

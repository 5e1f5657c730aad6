using Ssi.Agent.Filesystem.Fuse;

namespace Ssi.Agent.Filesystem.Forwarding;

/// <summary>Decisions of a forwarding node about single requests: pure functions of the request.</summary>
internal static class ForwardingPolicy
{
    private const uint OAccessMode = 3;
    private const uint OReadOnly = 0;
    private const uint OTrunc = 0x200;
    private const uint ReleaseFlockUnlock = 1 << 1;

    /// <summary>
    /// How long a forwarded request may wait for the home before it fails with EIO; null: as long as the
    /// link lives (a lock wait blocks until the lock is free or the caller is interrupted).
    /// </summary>
    public static TimeSpan? Deadline(FuseOpcode opcode, TimeSpan timeout) => opcode == FuseOpcode.SetLkW ? null : timeout;

    /// <summary>
    /// A read-only open (without O_TRUNC) needs nothing from the home: it is answered here with the
    /// shared read handle and FOPEN_KEEP_CACHE (pages stay valid: another node's write invalidates them).
    /// </summary>
    public static bool OpensLocally(uint flags) => (flags & OAccessMode) == OReadOnly && (flags & OTrunc) == 0;

    /// <summary>Closing such an open has nothing to release at the home, unless the kernel drops flock locks with it.</summary>
    public static bool ReleasesLocally(ulong handle, uint releaseFlags) => handle == FileHandles.SharedRead && (releaseFlags & ReleaseFlockUnlock) == 0;

    /// <summary>Where in a request's body the name it makes, removes or looks up begins (after a fixed struct); -1: none.</summary>
    public static int EntryNameOffset(FuseOpcode opcode) => opcode switch
    {
        FuseOpcode.Lookup or FuseOpcode.Unlink or FuseOpcode.Rmdir or FuseOpcode.Symlink => 0,
        FuseOpcode.Mkdir or FuseOpcode.Link => 8,
        FuseOpcode.Create or FuseOpcode.Mknod => 16,
        _ => -1,
    };

    /// <summary>What a successful request may have changed in the attributes a node caches.</summary>
    public static ChangeScope Changes(FuseOpcode opcode) => opcode switch
    {
        FuseOpcode.Lookup or FuseOpcode.GetAttr or FuseOpcode.ReadLink or FuseOpcode.StatFs or FuseOpcode.GetXattr
            or FuseOpcode.ListXattr or FuseOpcode.OpenDir or FuseOpcode.Release or FuseOpcode.ReleaseDir
            or FuseOpcode.Flush or FuseOpcode.Fsync or FuseOpcode.FsyncDir or FuseOpcode.Lseek or FuseOpcode.Access
            or FuseOpcode.GetLk or FuseOpcode.SetLk or FuseOpcode.SetLkW or FuseOpcode.Poll or FuseOpcode.Ioctl
            or FuseOpcode.Forget or FuseOpcode.BatchForget or FuseOpcode.Interrupt => ChangeScope.None,
        // Reads move the access time; creating a name changes its directory.
        FuseOpcode.SetAttr or FuseOpcode.Write or FuseOpcode.Fallocate or FuseOpcode.SetXattr or FuseOpcode.RemoveXattr
            or FuseOpcode.Open or FuseOpcode.Read or FuseOpcode.ReadDir or FuseOpcode.ReadDirPlus
            or FuseOpcode.Create or FuseOpcode.Mknod or FuseOpcode.Mkdir or FuseOpcode.Symlink => ChangeScope.Node,
        // Unlink, rmdir, rename, link change a file the request names only by its name; the rest are unknown.
        _ => ChangeScope.All,
    };
}

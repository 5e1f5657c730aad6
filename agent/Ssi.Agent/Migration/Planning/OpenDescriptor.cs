namespace Ssi.Agent.Migration.Planning;

/// <summary>
/// One descriptor of one process as /proc shows it: the link target of /proc/PID/fd/N, the flags
/// position and mount id of its fdinfo, and the stat of the object (mode, device numbers, inode).
/// </summary>
internal sealed record OpenDescriptor(
    int HostPid,
    int NamespacePid,
    int Fd,
    string Link,
    int Flags,
    long Position,
    uint Mode,
    ulong Rdev,
    ulong Dev,
    ulong Inode,
    int MountId = 0)
{
    public const uint S_IFMT = 0xF000;
    public const uint S_IFSOCK = 0xC000;
    public const uint S_IFREG = 0x8000;
    public const uint S_IFDIR = 0x4000;
    public const uint S_IFCHR = 0x2000;
    public const uint S_IFIFO = 0x1000;

    public uint FileType => Mode & S_IFMT;

    /// <summary>O_ACCMODE of the flags: 0 read, 1 write, 2 both.</summary>
    public int AccessMode => Flags & 3;
}

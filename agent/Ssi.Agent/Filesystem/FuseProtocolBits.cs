namespace Ssi.Agent.Filesystem;

/// <summary>FATTR_* bits of a setattr request, shared by every backend.</summary>
internal static class FuseProtocolBits
{
    public const uint Mode = 1 << 0;
    public const uint Uid = 1 << 1;
    public const uint Gid = 1 << 2;
    public const uint Size = 1 << 3;
    public const uint Atime = 1 << 4;
    public const uint Mtime = 1 << 5;
    public const uint Fh = 1 << 6;
    public const uint AtimeNow = 1 << 7;
    public const uint MtimeNow = 1 << 8;
}

namespace Ssi.Agent.Filesystem.Local;

/// <summary>
/// What a file handle the home gives out says about itself, so that the home can reopen it after a
/// restart: the run of the home that made it (16 bits), the open flags that matter for I/O on it
/// (16 bits: access mode, O_APPEND, O_DSYNC, O_SYNC, O_NOATIME, directory) and a serial (32 bits).
/// </summary>
internal static class FileHandleCode
{
    private const int O_ACCMODE = 3;
    private const int O_APPEND = 0x400;
    private const int O_DSYNC = 0x1000;
    private const int O_SYNC = 0x101000;
    private const int O_NOATIME = 0x40000;
    private const int O_DIRECTORY = 0x10000;

    public static ulong Make(ushort epoch, int openFlags, bool directory, uint serial)
    {
        var code = (ulong)(openFlags & O_ACCMODE);
        code |= (openFlags & O_APPEND) != 0 ? 1UL << 2 : 0;
        code |= (openFlags & O_SYNC) == O_SYNC ? 1UL << 4 : (openFlags & O_DSYNC) != 0 ? 1UL << 3 : 0;
        code |= (openFlags & O_NOATIME) != 0 ? 1UL << 5 : 0;
        code |= directory ? 1UL << 6 : 0;
        return ((ulong)epoch << 48) | (code << 32) | serial;
    }

    public static ushort EpochOf(ulong handle) => (ushort)(handle >> 48);

    public static bool IsDirectory(ulong handle) => (handle & (1UL << 38)) != 0;

    /// <summary>The flags to open the file with again (for a directory: read-only, O_DIRECTORY).</summary>
    public static int FlagsOf(ulong handle)
    {
        var code = (int)(handle >> 32) & 0xFFFF;
        if ((code & (1 << 6)) != 0)
        {
            return O_DIRECTORY;
        }

        var flags = code & O_ACCMODE;
        flags |= (code & (1 << 2)) != 0 ? O_APPEND : 0;
        flags |= (code & (1 << 4)) != 0 ? O_SYNC : (code & (1 << 3)) != 0 ? O_DSYNC : 0;
        flags |= (code & (1 << 5)) != 0 ? O_NOATIME : 0;
        return flags;
    }
}
